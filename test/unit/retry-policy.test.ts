import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_RETRY_POLICY, isRepeatable, retryDelay, throttleDelay, type Failure } from '../../src/http/retry-policy.js';

const policy = { ...DEFAULT_RETRY_POLICY, retries: 3, baseDelayMs: 100, maxDelayMs: 1_000 };
const notSent: Failure = { kind: 'not-sent', status: -1 };
const reset: Failure = { kind: 'reset', status: -1 };
const answered = (status: number, retryAfterMs?: number): Failure => ({ kind: 'answered', status, retryAfterMs });

describe('retry policy', () => {
  test('a request that never left may be repeated whatever its method', () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'POST']) assert.equal(isRepeatable(method, notSent), true, method);
  });

  test('POST is not repeated after a reset or any answer; GET, PUT and DELETE are, after a reset or 500/502/503/504', () => {
    assert.equal(isRepeatable('POST', reset), false);
    for (const status of [500, 502, 503, 504]) assert.equal(isRepeatable('POST', answered(status)), false);
    for (const method of ['GET', 'PUT', 'DELETE']) {
      assert.equal(isRepeatable(method, reset), true);
      for (const status of [500, 502, 503, 504]) assert.equal(isRepeatable(method, answered(status)), true, `${method} ${status}`);
      for (const status of [200, 400, 401, 403, 404, 409, 429, 501, 505]) assert.equal(isRepeatable(method, answered(status)), false, `${method} ${status}`);
      assert.equal(isRepeatable(method, { kind: 'final', status: -1 }), false);
    }
  });

  test('the wait doubles per attempt within [half, all] of its value, is capped, and stops after `retries`', () => {
    const low = (attempt: number) => retryDelay('GET', reset, attempt, policy, () => 0);
    const high = (attempt: number) => retryDelay('GET', reset, attempt, policy, () => 1);
    assert.deepEqual([0, 1, 2].map(low), [50, 100, 200]);
    assert.deepEqual([0, 1, 2].map(high), [100, 200, 400]);
    assert.equal(retryDelay('GET', reset, 3, policy), undefined);
    const capped = { ...policy, retries: 10 };
    assert.equal(retryDelay('GET', reset, 9, capped, () => 1), 1_000);
    assert.equal(retryDelay('GET', reset, 0, { ...policy, retries: 0 }), undefined);
  });

  test('Retry-After replaces the backoff; one beyond the cap ends the retries', () => {
    assert.equal(retryDelay('GET', answered(503, 700), 0, policy), 700);
    assert.equal(retryDelay('GET', answered(503, 1_001), 0, policy), undefined);
  });

  test('flow-control waits double per episode, are capped, and take the platform Retry-After (capped) first', () => {
    const p = { ...policy, throttleBaseDelayMs: 1_000, throttleMaxDelayMs: 5_000 };
    assert.deepEqual([1, 2, 3, 4, 5].map((n) => throttleDelay(n, undefined, p, () => 1)), [1_000, 2_000, 4_000, 5_000, 5_000]);
    assert.equal(throttleDelay(1, undefined, p, () => 0), 500);
    assert.equal(throttleDelay(3, 1_500, p), 1_500);
    assert.equal(throttleDelay(1, 60_000, p), 5_000);
  });
});
