import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

test('npm run docs builds the API reference without a single warning', async () => {
  const child = spawn('npm', ['run', 'docs'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, output);
  assert.doesNotMatch(output, /\[(warning|error)\]/i, output);
  assert.ok(existsSync(`${ROOT}dist/docs/api/index.html`), 'the reference is written to dist/docs/api');
  for (const page of ['SignalDelivery', 'DeviceUpgrade', 'RuleEngine']) {
    assert.ok(existsSync(`${ROOT}dist/docs/api/classes/index.${page}.html`), `${page} has a page`);
  }
});
