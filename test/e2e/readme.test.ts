import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { SDK_ERROR_DESCRIPTIONS } from '../../src/index.js';
import { ROOT, runNode as run } from '../helpers/run-node.js';

const README = readFileSync(`${ROOT}README.md`, 'utf8');

/** Runs the README code block marked `<!-- name ... -->` as written, and returns its output. */
async function runReadmeBlock(name: string): Promise<string> {
  const block = new RegExp(`<!-- ${name}[^>]*-->\\s*\`\`\`js\\n([\\s\\S]*?)\`\`\``).exec(README);
  assert.ok(block, `README has a ${name} block`);
  // Inside the package folder, so the package's own name resolves to this build (package self-reference).
  const file = `${ROOT}dist/readme-${name}.mjs`;
  writeFileSync(file, block[1]!);
  try {
    const { code, output } = await run([file]);
    assert.equal(code, 0, output);
    return output;
  } finally {
    rmSync(file, { force: true });
  }
}

test('the README quick start runs as written', async () => {
  assert.match(await runReadmeBlock('quick-start'), /activated: false/);
});

test('the README command example runs as written: pending, sent on connection, acknowledged, data reported', async () => {
  const output = await runReadmeBlock('commands-example');
  assert.match(output, /^created: PENDING$/m);
  assert.match(output, /^now: SUCCESSFUL$/m);
  assert.match(output, /^reported: \{ on: true \}$/m);
});

test('the README push example runs as written: the simulator pushes reported data to the receiver', async () => {
  const output = await runReadmeBlock('push-example');
  assert.match(output, /^pushed: Water \{ liters: 12 \}$/m);
});

test('the README error-code table matches the SDK', () => {
  const rows = [...README.matchAll(/^\| (1\d{3}) \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(Object.fromEntries(rows), SDK_ERROR_DESCRIPTIONS);
});

test('the README shows the two commands', () => {
  assert.ok(README.includes('npm install && npm start'));
  assert.ok(README.includes('npm install && npm test'));
});

test('the README explains fleet mode and shows the figures of its last run', () => {
  const section = /## Running several instances\n([\s\S]*?)\n## /.exec(README)?.[1];
  assert.ok(section, 'README has a "Running several instances" section');
  for (const phrase of ['tokenStore', 'redisUrl', 'What is stored in Redis', 'the app secret', 'refresh token', 'TOKEN STORE', 'leaseTtlMs']) {
    assert.ok(section.includes(phrase), `the section mentions ${phrase}`);
  }
  const rows = new Map(
    [...section.matchAll(/^\| (One process \(no store\)|Three processes, one Redis|Three processes, no store) \| (\d) x (\d+) \| (\d+) \| ([\d,]+) \| (\d+) \|/gm)].map((m) => [
      m[1],
      { processes: Number(m[2]), cycles: Number(m[4]), calls: Number(m[5]!.replace(/,/g, '')), failed: Number(m[6]) },
    ]),
  );
  assert.equal(rows.size, 3, 'three rows of figures (npm run fleet)');
  const single = rows.get('One process (no store)')!;
  const store = rows.get('Three processes, one Redis')!;
  const none = rows.get('Three processes, no store')!;
  assert.deepEqual([single.processes, store.processes, none.processes], [1, 3, 3]);
  assert.equal(store.failed, 0);
  assert.ok(store.cycles <= 1.5 * single.cycles, `${store.cycles} cycles with the store, ${single.cycles} for one process`);
  assert.ok(none.cycles > store.cycles);
});
