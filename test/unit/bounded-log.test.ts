import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BoundedLog } from '../../src/simulator/util.js';

test('BoundedLog keeps the newest max entries in order, whatever the batch trimming did', () => {
  const log = new BoundedLog<number>(4);
  for (let i = 1; i <= 23; i++) {
    log.push(i);
    const expected = Array.from({ length: Math.min(i, 4) }, (_, k) => i - Math.min(i, 4) + 1 + k);
    assert.deepEqual(log.list(), expected, `after ${i} entries`);
    assert.ok(log.size <= 4 + 2, `holds ${log.size} entries after ${i}`);
  }
  log.clear();
  assert.deepEqual(log.list(), []);
  const none = new BoundedLog<number>(0);
  none.push(1);
  assert.deepEqual(none.list(), []);
  const one = new BoundedLog<string>(1);
  for (const s of ['a', 'b', 'c']) one.push(s);
  assert.deepEqual(one.list(), ['c']);
  assert.ok(one.size <= 1);
  // Many entries: memory stays bounded.
  const big = new BoundedLog<number>(1000);
  for (let i = 0; i < 100_000; i++) big.push(i);
  assert.ok(big.size <= 1500, `holds ${big.size}`);
  assert.equal(big.list()[0], 99_000);
});
