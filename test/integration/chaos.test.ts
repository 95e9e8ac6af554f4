import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChaos } from '../chaos/scenario.js';

const DURATION_MS = Number(process.env.CHAOS_DURATION_MS ?? 60_000);

test(`chaos: ${DURATION_MS / 1000} s, 100 null-token callers, 2 s tokens, latency, refresh 5xx, resets and foreign logins at random`, async () => {
  const watchdog = DURATION_MS + 60_000;
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`calls still running ${watchdog / 1000} s after the start: something hangs`)), watchdog);
  });
  const report = await Promise.race([runChaos({ durationMs: DURATION_MS, callers: 100, tokenLifetimeSeconds: 2 }), hung]).finally(() => clearTimeout(timer));
  console.log(`chaos counts: ${JSON.stringify(report)}`);
  assert.deepEqual(report.unexplainedSamples, [], 'every failure is explained by an injected fault');
  assert.equal(report.unexplained, 0);
  assert.equal(report.unhandledRejections, 0);
  for (const [fault, count] of Object.entries(report.injected)) assert.ok(count > 0, `${fault} was injected`);
  assert.ok(report.platform.refreshes + report.platform.logins >= DURATION_MS / 2_000, 'tokens were renewed throughout');
  assert.ok(report.platform.rejectedTokens > 0, 'foreign logins voided tokens in use');
  assert.ok(report.calls.succeeded >= 0.9 * report.calls.total, `${report.calls.succeeded} of ${report.calls.total} calls succeeded`);
  // No hang: every call ended within the HTTP timeout plus its retries.
  assert.ok(report.slowestCallMs < 30_000, `slowest call ${report.slowestCallMs} ms`);
});
