import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runNode } from '../helpers/run-node.js';

test('the demo (npm start): null-token calls across refreshes, and the full push loop, on the embedded simulator', async () => {
  const { code, output } = await runNode(['dist/src/cli/main.js', 'demo', '--seconds', '4']);
  assert.equal(code, 0, output);
  const lines = output.split('\n');
  const at = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));

  // The callers: no failed call, while the token was refreshed and faults were injected in the middle of the run.
  assert.match(output, /done: \d+ calls, 0 failed/);
  const on = at(/faults ON for [\d.]+ s: latency/);
  const off = at(/faults OFF: injected .*; calls meanwhile: \d+, failed: 0$/);
  assert.ok(on >= 0 && off > on, `the fault phase ran\n${output}`);
  const injected = lines[off]!;
  for (const kind of ['status', 'reset', 'latency']) assert.match(injected, new RegExp(`[1-9]\\d* ${kind}`), `${kind} injected: ${injected}`);
  const tokenLines = lines.flatMap((line, index) => (/token #\d+ obtained/.test(line) ? [index] : []));
  assert.ok(tokenLines.length >= 2, `refreshes printed: ${tokenLines.length}\n${output}`);

  // The loop: subscribe, report, push, command, callbacks in order, for every report.
  assert.ok(at(/receiver listening at https:\/\/127\.0\.0\.1:\d+, subscribed to deviceDataChanged/) >= 0, output);
  const reports = lines.filter((line) => /device reports Temperature \{"celsius":\d+\}/.test(line)).length;
  assert.ok(reports >= 2, `reports: ${reports}\n${output}`);
  const commandIds = [...output.matchAll(/push deviceDataChanged: Temperature \{"celsius":\d+\} -> command ([0-9a-f]+) SET_SPEED [13]/g)].map((m) => m[1]!);
  assert.equal(commandIds.length, reports, output);
  for (const id of commandIds) {
    const sent = at(new RegExp(`command callback ${id}: SENT$`));
    const delivered = at(new RegExp(`command callback ${id}: DELIVERED$`));
    const successful = at(new RegExp(`command callback ${id}: SUCCESSFUL$`));
    assert.ok(sent >= 0 && sent < delivered && delivered < successful, `callbacks of ${id} in order\n${output}`);
  }
  const summary = /push loop: (\d+) reports, (\d+) data pushes, (\d+) commands, (\d+) SUCCESSFUL callbacks, 0 failures: complete/.exec(output);
  assert.ok(summary, output);
  assert.deepEqual(summary.slice(1).map(Number), [reports, reports, reports, reports]);

  // Loops ran before and after a refresh: the timer kept the null token working for the receiver's calls too.
  const firstPush = at(/push deviceDataChanged/);
  const lastSuccess = Math.max(...lines.flatMap((line, index) => (/: SUCCESSFUL$/.test(line) ? [index] : [])));
  assert.ok(tokenLines.some((index) => index > firstPush && index < lastSuccess), `a refresh between the first and the last loop\n${output}`);

  // The simulator delivered every push: one data push and three command callbacks per report.
  const pushed = /simulator pushed (\d+) notification\(s\): (\d+) delivered, 0 not/.exec(output);
  assert.ok(pushed, output);
  assert.equal(Number(pushed[1]), reports * 4);
});
