import { NorthApiException, SdkErrorCode } from '../errors.js';
import { rejectUnknownKeys } from '../options.js';

/** Per-call options: `service.withOptions(options)`, or the last argument of Authentication's token calls. */
export interface CallOptions {
  /** Cancels the call at any point: while it waits for a token, for a retry or for the answer (1013). */
  signal?: AbortSignal;
}

const CALL_OPTION_KEYS = new Set(['signal']);

/** Checks call options (1017 naming the problem) and returns a frozen copy; undefined is no options. */
export function checkCallOptions(options: CallOptions | undefined): Readonly<CallOptions> {
  if (options === undefined) return NO_OPTIONS;
  if (options === null || typeof options !== 'object') {
    throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, 'Call options must be an object.');
  }
  rejectUnknownKeys(options, CALL_OPTION_KEYS, 'call option');
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal)) {
    throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, 'Call option signal must be an AbortSignal.');
  }
  return Object.freeze({ ...options });
}

export const NO_OPTIONS: Readonly<CallOptions> = Object.freeze({});
