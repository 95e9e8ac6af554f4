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
