import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runSimulatorCli } from '../../src/simulator/index.js';
import { parseCliArgs } from '../../src/simulator/standalone.js';
import { TestClient } from './helpers.js';

function collect(stream: PassThrough): { text: () => string; line: () => Promise<string> } {
  let buffer = '';
  const waiters: Array<() => void> = [];
  stream.on('data', (c: Buffer) => {
    buffer += c.toString('utf8');
    for (const w of waiters.splice(0)) w();
  });
  return {
    text: () => buffer,
    line: async () => {
      while (!buffer.includes('\n')) await new Promise<void>((resolve) => waiters.push(resolve));
      return buffer.slice(0, buffer.indexOf('\n'));
    },
  };
}

describe('runSimulatorCli', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'oc-sim-cli-test-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('bad flags print a message on stderr and resolve 2', async () => {
    for (const argv of [['--bogus'], ['--port', 'abc'], ['--throttle', '10'], ['--port'], ['--json=yes'], ['--grant', 'x:y']]) {
      const stderr = new PassThrough();
      const err = collect(stderr);
      const code = await runSimulatorCli(argv, { stdout: new PassThrough(), stderr, stdin: new PassThrough() });
      assert.equal(code, 2, argv.join(' '));
      assert.match(err.text(), /^simulator: /);
    }
  });

  test('--help prints the usage and resolves 0', async () => {
    const stdout = new PassThrough();
    const out = collect(stdout);
    assert.equal(await runSimulatorCli(['--help'], { stdout, stderr: new PassThrough(), stdin: new PassThrough() }), 0);
    assert.match(out.text(), /--token-lifetime/);
  });

  test('--json prints one line, writes the CA file and stops when stdin ends', async () => {
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    const out = collect(stdout);
    const caFile = join(dir, 'ca.pem');
    const running = runSimulatorCli(
      ['--json', '--port', '0', '--ca-file', caFile, '--app-id', 'cliApp', '--secret', 'cliSecret', '--token-lifetime=7'],
      { stdout, stderr: new PassThrough(), stdin },
    );
    const info = JSON.parse(await out.line());
    assert.deepEqual(Object.keys(info).sort(), ['apps', 'ca', 'caFile', 'host', 'port', 'protocol', 'url']);
    assert.equal(info.host, '127.0.0.1');
    assert.equal(info.url, `https://127.0.0.1:${info.port}`);
    assert.equal(info.caFile, caFile);
    assert.equal(readFileSync(caFile, 'utf8'), info.ca);
    assert.deepEqual(info.apps, [{ appId: 'cliApp', secret: 'cliSecret' }]);
    const client = new TestClient({ url: info.url, ca: info.ca, protocol: 'https' });
    try {
      assert.equal((await client.login('cliApp', 'cliSecret')).expiresIn, 7);
    } finally {
      client.close();
    }
    stdin.end();
    assert.equal(await running, 0);
    assert.equal(out.text().trim().split('\n').length, 1);
    const after = new TestClient({ url: info.url, ca: info.ca, protocol: 'https' });
    await assert.rejects(after.request('GET', '/'));
    after.close();
  });

  test('parseCliArgs pairs apps, applies grants and parses throttle', () => {
    const parsed = parseCliArgs([
      '--app-id', 'a1', '--secret', 's1', '--app-id', 'a2', '--secret', 's2',
      '--grant', 'a1:a2', '--throttle', '100/60000', '--http', '--host', '0.0.0.0',
    ]);
    assert.deepEqual(parsed.options.apps, [
      { appId: 'a1', secret: 's1', grants: ['a2'] },
      { appId: 'a2', secret: 's2' },
    ]);
    assert.deepEqual(parsed.options.throttle, { limit: 100, windowMs: 60000 });
    assert.equal(parsed.options.protocol, 'http');
    assert.equal(parsed.options.host, '0.0.0.0');
    assert.equal(parsed.options.port, 8743);
    assert.equal(parsed.json, false);
  });
});

describe('standalone-main (human output)', () => {
  test('prints the URL, CA file and credentials, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oc-sim-main-test-'));
    const script = fileURLToPath(new URL('../../src/simulator/standalone-main.js', import.meta.url));
    const child = spawn(process.execPath, [script, '--port', '0', '--app-id', 'humanApp', '--secret', 'humanSecret'], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let output = '';
      let errText = '';
      child.stderr.on('data', (c: Buffer) => {
        errText += c.toString('utf8');
      });
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          output += c.toString('utf8');
          if (output.includes('Ctrl+C')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`exited early with ${code}`)));
      });
      assert.match(output, /listening on https:\/\/127\.0\.0\.1:\d+/);
      assert.match(output, /Device side and test controls: https:\/\/127\.0\.0\.1:\d+\/simulator\/v1 /);
      const caFile = join(dir, 'oceanconnect-simulator-ca.pem');
      assert.ok(output.includes(caFile));
      assert.match(readFileSync(caFile, 'utf8'), /BEGIN CERTIFICATE/);
      assert.match(output, /appId=humanApp secret=humanSecret/);
      const exit = new Promise<string>((resolve) => child.once('exit', (code, signal) => resolve(`code=${code} signal=${signal}`)));
      child.kill('SIGTERM');
      assert.equal(await exit, 'code=0 signal=null', errText);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
