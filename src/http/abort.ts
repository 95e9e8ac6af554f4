/**
 * Cancellation helpers. A caller's signal often lives as long as the application (one per shutdown), so nothing here
 * leaves a listener on it once the operation is over (AbortSignal.any would, on Node 20).
 */
import { NorthApiException, SdkErrorCode } from '../errors.js';

/** 1013: the caller's signal cancelled the call. */
export function abortedByCaller(cause?: unknown): NorthApiException {
  return NorthApiException.sdk(SdkErrorCode.REQUEST_ABORTED, undefined, cause);
}

/** Throws 1013 if `signal` has already fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedByCaller(signal.reason);
}

export interface LinkedSignal {
  signal: AbortSignal;
  /** Removes the listeners from the sources. */
  release(): void;
}

/** A signal that fires when either source does; `release()` once the operation is over. */
export function linkSignals(first: AbortSignal, second: AbortSignal): LinkedSignal {
  const controller = new AbortController();
  if (first.aborted || second.aborted) {
    controller.abort(first.aborted ? first.reason : second.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const onFirst = (): void => controller.abort(first.reason);
  const onSecond = (): void => controller.abort(second.reason);
  first.addEventListener('abort', onFirst, { once: true });
  second.addEventListener('abort', onSecond, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      first.removeEventListener('abort', onFirst);
      second.removeEventListener('abort', onSecond);
    },
  };
}

/** Settles like `promise`, or rejects with 1013 as soon as `signal` fires (the work itself goes on). */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(abortedByCaller(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedByCaller(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** Waits `ms`; rejects with 1013 if `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  if (!signal) return wait;
  return abortable(wait, signal).finally(() => clearTimeout(timer));
}
