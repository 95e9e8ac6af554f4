import { NorthApiException, SDK_ERROR_DESCRIPTIONS, SdkErrorCode, type SdkErrorCodeValue } from '../errors.js';

export interface RawResponse {
  status: number;
  statusText: string;
  contentType: string;
  body: string;
  retryAfterMs?: number;
}

/**
 * Turns a platform response into a value or a NorthApiException:
 * - 204, or a 2xx with an empty body: `undefined`;
 * - a JSON object with `error_code`, whatever the status (the platform sends some errors with 200): the platform error;
 * - a JSON object with `resultcode` (the gateway's shape for 1010005 and friends): the gateway error;
 * - either of those with a code that is empty or neither a string nor a number: 1004 (2xx) or 1005, body in httpMessage;
 * - another 2xx: the parsed JSON (a 2xx body that is not JSON: 1004);
 * - another error status: 1011 when the body is not JSON (wrong port, a proxy page), else 1005; the body goes to httpMessage.
 */
export function decodeResponse(res: RawResponse): unknown {
  const ok = res.status >= 200 && res.status < 300;
  const text = res.body.trim();
  if (text.length === 0) {
    if (ok) return undefined;
    throw failure(res, SdkErrorCode.CLIENT_ERROR_BUT_NO_ERRORCODE);
  }
  let parsed: unknown;
  let isJson = true;
  try {
    parsed = JSON.parse(text);
  } catch {
    isJson = false;
  }
  if (isJson && parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
    const body = parsed as Record<string, unknown>;
    if (body.error_code !== undefined && body.error_code !== null) {
      return platformError(res, body.error_code, body.error_desc);
    }
    if (body.resultcode !== undefined && body.resultcode !== null && (!ok || body.resultmsg !== undefined)) {
      return platformError(res, body.resultcode, body.resultmsg);
    }
  }
  if (ok) {
    if (!isJson) throw failure(res, SdkErrorCode.CLIENT_AFTER_INVOKE_ERROR, 'The platform answered a success status with a body that is not JSON.');
    return parsed;
  }
  const jsonType = res.contentType.toLowerCase().includes('json');
  throw failure(res, isJson && jsonType ? SdkErrorCode.CLIENT_ERROR_BUT_NO_ERRORCODE : SdkErrorCode.PORT_ERROR);
}

function platformError(res: RawResponse, code: unknown, desc: unknown): never {
  if (!isErrorCode(code)) {
    throw failure(res, res.status >= 200 && res.status < 300 ? SdkErrorCode.CLIENT_AFTER_INVOKE_ERROR : SdkErrorCode.CLIENT_ERROR_BUT_NO_ERRORCODE, 'The platform answered an error code that is empty or not a string or number; see httpMessage.');
  }
  throw new NorthApiException({
    errorCode: String(code),
    errorDesc: desc === undefined || desc === null ? '' : String(desc),
    httpStatusCode: res.status,
    httpReasonPhrase: res.statusText,
    retryAfterMs: res.retryAfterMs,
  });
}

function failure(res: RawResponse, code: SdkErrorCodeValue, detail?: string): NorthApiException {
  return new NorthApiException({
    errorCode: code,
    errorDesc: detail ?? SDK_ERROR_DESCRIPTIONS[code],
    httpStatusCode: res.status,
    httpReasonPhrase: res.statusText,
    httpMessage: res.body,
    retryAfterMs: res.retryAfterMs,
  });
}

/** A code the platform could mean: a non-empty string or a finite number. */
function isErrorCode(code: unknown): code is string | number {
  return (typeof code === 'string' && code.trim().length > 0) || (typeof code === 'number' && Number.isFinite(code));
}

/** Retry-After as milliseconds (delta-seconds or an HTTP date), or undefined. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
