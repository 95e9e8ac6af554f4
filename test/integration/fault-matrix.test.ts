import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomesMatch, runFaultMatrix } from '../chaos/fault-matrix.js';

test('fault matrix: each fault alone, GET and POST, through the public API with null tokens', async () => {
  const rows = await runFaultMatrix();
  for (const row of rows) {
    console.log(`${row.fault} | ${row.call} | ${row.calls} calls -> ${JSON.stringify(row.outcomes)} | ${row.requests} requests (expected ${row.expectedRequests})`);
  }
  for (const row of rows) {
    assert.ok(outcomesMatch(row.outcomes, row.expected, row.calls), `${row.fault} on ${row.call}: every call ${row.expected}, got ${JSON.stringify(row.outcomes)}`);
    assert.equal(row.requests, row.expectedRequests, `${row.fault} on ${row.call}: requests that reached the platform`);
  }
});
