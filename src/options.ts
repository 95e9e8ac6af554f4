import { NorthApiException, SdkErrorCode } from './errors.js';

/** Options objects are checked once, eagerly: a key not in `allowed` is 1017, naming the key and the accepted ones. */
export function rejectUnknownKeys(value: object, allowed: ReadonlySet<string>, what: string): void {
  for (const key of Object.keys(value)) {
    if (!allowed.has(key)) {
      throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, `Unknown ${what} "${key}"; accepted: ${[...allowed].join(', ')}.`);
    }
  }
}

/**
 * An optional positive-integer option: the fallback when absent, 1017 naming the option when not a positive integer
 * or above `max`.
 */
export function positiveInteger(value: unknown, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, `${name} must be a positive integer.`);
  }
  if (value > max) throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, `${name} must be at most ${max}.`);
  return value;
}

/** An optional integer option that may be 0: the fallback when absent, 1017 naming the option otherwise. */
export function nonNegativeInteger(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, `${name} must be an integer of 0 or more.`);
  }
  return value;
}
