/**
 * `npm run fleet`: runs the fleet comparison (one process; three sharing one Redis; three without a store) against a
 * redis-server of its own, prints the figures and writes them into README.md between the fleet-figures markers.
 * FLEET_README names another file to write (the test of this script uses a scratch copy).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { ROOT } from '../helpers/run-node.js';
import { startRedisServer } from '../helpers/redis-server.js';
import { COMPARISON, compareFleet, comparisonTable } from './scenario.js';

const BEGIN = '<!-- fleet-figures:begin -->';
const END = '<!-- fleet-figures:end -->';

const target = process.env.FLEET_README ?? `${ROOT}README.md`;
const redis = await startRedisServer();
try {
  const comparison = await compareFleet(redis.url, (line) => console.log(line));
  const { single, withStore } = comparison;
  const ratio = withStore.tokenCycles / single.tokenCycles;
  const block = [
    BEGIN,
    `Last run (\`npm run fleet\`, ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores, Node ${process.version}): ` +
      `${COMPARISON.callersPerProcess} null-token callers per process for ${COMPARISON.durationMs / 1000} s, ` +
      `${COMPARISON.tokenLifetimeSeconds} s tokens, lease ${COMPARISON.leaseTtlMs} ms, one simulator, one redis-server.`,
    '',
    comparisonTable(comparison),
    '',
    `With the store, three processes made ${ratio.toFixed(2)} times the token cycles of one process.`,
    END,
  ].join('\n');
  const text = readFileSync(target, 'utf8');
  const from = text.indexOf(BEGIN);
  const to = text.indexOf(END);
  if (from < 0 || to < from) throw new Error(`${target} has no ${BEGIN} ... ${END} block`);
  writeFileSync(target, text.slice(0, from) + block + text.slice(to + END.length));
  console.log(`\nfleet figures written to ${target}`);
} finally {
  await redis.close();
}
