/**
 * When a failed request may be sent again, and how long to wait first. Pure: the transport supplies the failure,
 * the attempt number and a random source.
 *
 * 1. A request that never left (the connection could not be opened) may be sent again, whatever its method.
 * 2. GET, PUT and DELETE, which the platform treats as idempotent, may also be sent again after a connection reset
 *    (the answer was lost, or cut short) or a 500, 502, 503 or 504 answer.
 * 3. POST is never sent again once it may have reached the platform: a device command must not run twice.
 * 4. The wait doubles per attempt from `baseDelayMs`, is capped at `maxDelayMs`, and is jittered (between half and
 *    all of it) so that many callers do not come back at once. A Retry-After longer than the cap ends the retries.
 * 5. Flow control (1010009) is never retried here: see {@link throttleDelay}.
 */

export interface RetryPolicy {
  /** Attempts after the first one, at most. 0 turns retries off. */
  retries: number;
  /** Wait before the first retry, before jitter. */
  baseDelayMs: number;
  /** Longest wait before a retry. */
  maxDelayMs: number;
  /** Wait after a first 1010009 without Retry-After; doubles for each 1010009 in a row. */
  throttleBaseDelayMs: number;
  /** Longest wait after a 1010009. */
  throttleMaxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  retries: 2,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  throttleBaseDelayMs: 1_000,
  throttleMaxDelayMs: 30_000,
};

/** How a request failed, as far as a retry is concerned. */
export type FailureKind =
  /** The connection could not be opened: nothing was sent. */
  | 'not-sent'
  /** The connection broke after the request may have been sent, or the answer was cut short. */
  | 'reset'
  /** The platform answered (`status` tells what). */
  | 'answered'
  /** Anything else: timeout, abort, TLS verification, an oversized answer. Never retried. */
  | 'final';

export interface Failure {
  kind: FailureKind;
  /** HTTP status of the answer, -1 when there was none. */
  status: number;
  /** Delay the platform asked for (Retry-After), in ms. */
  retryAfterMs?: number;
}

const IDEMPOTENT = new Set(['GET', 'PUT', 'DELETE']);
const RETRIED_STATUSES = new Set([500, 502, 503, 504]);

/** Whether `failure` may be repeated for `method` at all (rules 1 to 3). */
export function isRepeatable(method: string, failure: Failure): boolean {
  if (failure.kind === 'not-sent') return true;
  if (!IDEMPOTENT.has(method)) return false;
  if (failure.kind === 'reset') return true;
  return failure.kind === 'answered' && RETRIED_STATUSES.has(failure.status);
}

/**
 * The wait before attempt `attempt + 1` (attempt 0 is the first), or undefined when the failure must be surfaced.
 */
export function retryDelay(method: string, failure: Failure, attempt: number, policy: RetryPolicy, random: () => number = Math.random): number | undefined {
  if (attempt >= policy.retries || !isRepeatable(method, failure)) return undefined;
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs <= policy.maxDelayMs ? failure.retryAfterMs : undefined;
  return jittered(Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt), random);
}

/**
 * How long every request of the application waits after the `streak`-th 1010009 in a row (1 for the first): the
 * platform's Retry-After when it sent one, else a doubling, capped, jittered backoff.
 */
export function throttleDelay(streak: number, retryAfterMs: number | undefined, policy: RetryPolicy, random: () => number = Math.random): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, policy.throttleMaxDelayMs);
  return jittered(Math.min(policy.throttleMaxDelayMs, policy.throttleBaseDelayMs * 2 ** Math.max(0, streak - 1)), random);
}

/** Between half and all of `ms` ("equal jitter"): never much shorter, never all at once. */
export function jittered(ms: number, random: () => number): number {
  return Math.round(ms / 2 + (ms / 2) * random());
}
