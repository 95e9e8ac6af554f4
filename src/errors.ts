import { inspect } from 'node:util';
import { redact } from './http/redact.js';

/**
 * Error codes raised by the SDK itself (the platform's own codes are 5 to 7 digits).
 * 1001-1011 keep the meaning they have in the Java SDK V1.5.1; 1012 and up are new conditions of this SDK.
 */
export const SdkErrorCode = {
  /** Client internal error. */
  CLIENT_INTERNAL_ERROR: '1001',
  /** The HTTP method is not GET, POST, PUT or DELETE. */
  CLIENT_INVALID_METHOD: '1002',
  /** The request could not be sent (connection refused or reset, DNS, TLS handshake). */
  CLIENT_BEFORE_INVOKE_ERROR: '1003',
  /** The response could not be read. */
  CLIENT_AFTER_INVOKE_ERROR: '1004',
  /** The platform answered an error status without an error code; the body is in httpMessage. */
  CLIENT_ERROR_BUT_NO_ERRORCODE: '1005',
  /** The SSL configuration could not be loaded. */
  CLIENT_SSL_CONFIG_ERROR: '1006',
  /** A method argument is missing or invalid; nothing was sent. */
  CLIENT_INPUT_PARAMETER_INVALID: '1007',
  /** The ClientInfo is missing or incomplete. */
  CLIENT_INFO_ERROR: '1008',
  /** accessToken is null or empty and the refresh timer is not running. */
  CLIENT_INPUT_ACCESSTOKEN_INVALID: '1009',
  /** appId or secret contains a space. */
  APPID_SECRET_INCLUDE_SPACE: '1010',
  /** The platform answered an error status with a body that is not JSON (wrong port or a proxy page?). */
  PORT_ERROR: '1011',
  /** The request timed out (http.timeoutMs). */
  REQUEST_TIMEOUT: '1012',
  /** The caller's AbortSignal cancelled the request. */
  REQUEST_ABORTED: '1013',
  /** The token refresher worker thread stopped unexpectedly while the call waited for it. */
  REFRESHER_CRASHED: '1014',
  /** No valid token is available: the refresher could not renew the token before it expired. */
  TOKEN_UNAVAILABLE: '1015',
  /** The refresh timer was stopped while the call waited for a token. */
  REFRESHER_STOPPED: '1016',
  /** An unknown option was given; the message says which and what is accepted. */
  INVALID_OPTION: '1017',
  /** The token store (fleet mode) refused the connection: wrong password or user, or its TLS certificate is not trusted. */
  TOKEN_STORE_ERROR: '1018',
} as const;

/** The message of anything thrown, for a log line (callers redact through the logger as usual). */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type SdkErrorCodeValue = (typeof SdkErrorCode)[keyof typeof SdkErrorCode];

/** One line per SDK error code: the source of the README table. */
export const SDK_ERROR_DESCRIPTIONS: Readonly<Record<SdkErrorCodeValue, string>> = {
  '1001': 'Client internal error.',
  '1002': 'The http method is invalid.',
  '1003': 'The request could not be sent (connection, DNS or TLS error).',
  '1004': 'The response could not be read.',
  '1005': 'The platform answered an error status without error_code; see httpMessage.',
  '1006': 'The SSL configuration is invalid or its files cannot be read.',
  '1007': 'The input parameter of the method is invalid.',
  '1008': 'The clientInfo is missing or incomplete.',
  '1009': 'The accessToken argument is null or empty and the refresh timer is not running.',
  '1010': 'appId or secret contains a space.',
  '1011': 'The platform answered an error status with a non-JSON body; check the port.',
  '1012': 'The request timed out.',
  '1013': 'The request was aborted by the caller.',
  '1014': 'The token refresher worker stopped unexpectedly.',
  '1015': 'No valid access token is available: the refresher could not renew it in time.',
  '1016': 'The refresh timer was stopped while the call waited for a token.',
  '1017': 'An unknown or invalid option was given.',
  '1018': 'The token store (Redis) refused the connection: check its password, user and TLS settings.',
};

export interface NorthApiExceptionInit {
  errorCode: string;
  errorDesc?: string;
  httpStatusCode?: number;
  httpReasonPhrase?: string;
  httpMessage?: string;
  /** Delay the platform asked for (Retry-After), in ms. */
  retryAfterMs?: number;
  cause?: unknown;
}

/** Plain-object form of a NorthApiException, used to carry it across the worker boundary. */
export interface NorthApiExceptionData {
  errorCode: string;
  errorDesc: string;
  httpStatusCode: number;
  httpReasonPhrase: string;
  httpMessage: string;
}

/**
 * The one error type of the SDK, for platform errors and client-side errors alike.
 * Every text it carries passes through `redact()`, so no credential reaches a message, `toString()`, JSON or inspect.
 */
export class NorthApiException extends Error {
  readonly errorCode: string;
  readonly errorDesc: string;
  /** HTTP status of the failing response; -1 for client-side errors. */
  readonly httpStatusCode: number;
  readonly httpReasonPhrase: string;
  /** Raw response body (redacted) when the platform gave no error code, or the low-level cause. */
  readonly httpMessage: string;
  /** Delay the platform asked for before a retry (Retry-After header), when it gave one. */
  readonly retryAfterMs?: number;

  constructor(init: NorthApiExceptionInit) {
    const errorDesc = redact(init.errorDesc ?? describeSdkCode(init.errorCode));
    const status = init.httpStatusCode ?? -1;
    super(`${status} ${init.errorCode}: ${errorDesc}`);
    this.name = 'NorthApiException';
    this.errorCode = init.errorCode;
    this.errorDesc = errorDesc;
    this.httpStatusCode = status;
    this.httpReasonPhrase = redact(init.httpReasonPhrase ?? '');
    this.httpMessage = redact(init.httpMessage ?? '');
    if (init.retryAfterMs !== undefined) this.retryAfterMs = init.retryAfterMs;
    if (init.cause !== undefined) {
      // Keep the cause reachable for debugging, but not enumerable: its text is not ours to vouch for.
      Object.defineProperty(this, 'cause', { value: describeCause(init.cause), enumerable: false, writable: true, configurable: true });
    }
  }

  /** A client-side error with one of the SDK codes. */
  static sdk(code: SdkErrorCodeValue, detail?: string, cause?: unknown): NorthApiException {
    const base = SDK_ERROR_DESCRIPTIONS[code];
    return new NorthApiException({ errorCode: code, errorDesc: detail ? `${base} ${detail}` : base, cause });
  }

  static fromData(data: NorthApiExceptionData): NorthApiException {
    return new NorthApiException(data);
  }

  toData(): NorthApiExceptionData {
    return {
      errorCode: this.errorCode,
      errorDesc: this.errorDesc,
      httpStatusCode: this.httpStatusCode,
      httpReasonPhrase: this.httpReasonPhrase,
      httpMessage: this.httpMessage,
    };
  }

  // Java-style getters, for code ported from the Java SDK.
  getError_code(): string {
    return this.errorCode;
  }
  getError_desc(): string {
    return this.errorDesc;
  }
  getHttpStatusCode(): number {
    return this.httpStatusCode;
  }
  getHttpReasonPhase(): string {
    return this.httpReasonPhrase;
  }
  getHttpReasonPhrase(): string {
    return this.httpReasonPhrase;
  }
  getHttpMessage(): string {
    return this.httpMessage;
  }

  override toString(): string {
    return (
      `NorthApiException [error_code=${this.errorCode}, error_desc=${this.errorDesc}, ` +
      `httpStatusCode=${this.httpStatusCode}, httpReasonPhrase=${this.httpReasonPhrase}, httpMessage=${this.httpMessage}]`
    );
  }

  toJSON(): NorthApiExceptionData & { name: string; message: string } {
    return { name: this.name, message: this.message, ...this.toData() };
  }

  [inspect.custom](): string {
    return `${this.toString()}${this.stack ? `\n${this.stack.split('\n').slice(1).join('\n')}` : ''}`;
  }
}

export function isNorthApiException(value: unknown): value is NorthApiException {
  return value instanceof NorthApiException;
}

function describeSdkCode(code: string): string {
  return (SDK_ERROR_DESCRIPTIONS as Record<string, string>)[code] ?? '';
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return redact(`${cause.name}${typeof code === 'string' ? ` ${code}` : ''}: ${cause.message}`);
  }
  return redact(String(cause));
}
