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

/** The callbacks waiting on each caller signal, behind one listener of ours per signal. */
const waiting = new WeakMap<AbortSignal, { callbacks: Set<() => void>; listener: () => void }>();

/**
 * Calls `callback` when `signal` fires; returns the function that unsubscribes. However many calls share a signal,
 * it carries one listener of ours, and none once they are all over (no MaxListenersExceededWarning, nothing retained).
 */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let entry = waiting.get(signal);
  if (!entry) {
    const callbacks = new Set<() => void>();
    const listener = (): void => {
      waiting.delete(signal);
      for (const fn of callbacks) fn();
    };
    entry = { callbacks, listener };
    waiting.set(signal, entry);
    signal.addEventListener('abort', listener, { once: true });
  }
  const { callbacks, listener } = entry;
  callbacks.add(callback);
  return () => {
    if (!callbacks.delete(callback) || callbacks.size > 0) return;
    signal.removeEventListener('abort', listener);
    if (waiting.get(signal)?.callbacks === callbacks) waiting.delete(signal);
  };
}

export interface LinkedSignal {
  signal: AbortSignal;
  /** Removes the listeners from the sources. */
  release(): void;
}

/**
 * A signal that fires when the caller's signal or the (shared) timeout signal does; `release()` once the operation
 * is over.
 */
export function linkSignals(caller: AbortSignal, timeout: AbortSignal): LinkedSignal {
  const controller = new AbortController();
  if (caller.aborted || timeout.aborted) {
    controller.abort(caller.aborted ? caller.reason : timeout.reason);
    return { signal: controller.signal, release: () => undefined };
  }
  const offCaller = onAbort(caller, () => controller.abort(caller.reason));
  const onTimeout = (): void => controller.abort(timeout.reason);
  timeout.addEventListener('abort', onTimeout, { once: true });
  return {
    signal: controller.signal,
    release: () => {
      offCaller();
      timeout.removeEventListener('abort', onTimeout);
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
    const off = onAbort(signal, () => reject(abortedByCaller(signal.reason)));
    promise.then(
      (value) => {
        off();
        resolve(value);
      },
      (error: unknown) => {
        off();
        reject(error);
      },
    );
  });
}

/** Longest delay a timer takes (a longer one would fire at once). */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Waits `ms` (at most {@link MAX_TIMER_MS}); rejects with 1013 if `signal` fires first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const wait = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.min(ms, MAX_TIMER_MS));
  });
  if (!signal) return wait;
  return abortable(wait, signal).finally(() => clearTimeout(timer));
}
