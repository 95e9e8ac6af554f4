import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { SDK_ERROR_DESCRIPTIONS } from '../../src/index.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const README = readFileSync(`${ROOT}README.md`, 'utf8');

function run(args: string[], limitMs = 60_000): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

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

test('the demo (npm start) runs on the embedded simulator with no failed call', async () => {
  const { code, output } = await run(['dist/src/cli/main.js', 'demo', '--seconds', '4']);
  assert.equal(code, 0, output);
  assert.match(output, /done: \d+ calls, 0 failed/);
  const tokens = output.match(/token #\d+ obtained/g) ?? [];
  assert.ok(tokens.length >= 2, `refreshes printed: ${tokens.length}\n${output}`);
});

test('the README error-code table matches the SDK', () => {
  const rows = [...README.matchAll(/^\| (1\d{3}) \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
  assert.deepEqual(Object.fromEntries(rows), SDK_ERROR_DESCRIPTIONS);
});

test('the README shows the two commands', () => {
  assert.ok(README.includes('npm install && npm start'));
  assert.ok(README.includes('npm install && npm test'));
});
