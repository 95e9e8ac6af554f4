import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../../src/simulator/index.js';
import { CREDENTIAL_CHANNEL, type CredentialMessage } from '../../src/simulator/credential-channel.js';
import { runNode } from '../helpers/run-node.js';
import { TestClient } from './helpers.js';

test('the credentials channel announces each app secret at start and each token pair as it is issued', async () => {
  const messages: CredentialMessage[] = [];
  const onMessage = (message: unknown): void => {
    messages.push({ ...(message as CredentialMessage) });
  };
  diagnosticsChannel.subscribe(CREDENTIAL_CHANNEL, onMessage);
  const apps = [
    { appId: 'channelApp', secret: 'channelSecret-1' },
    { appId: 'channelOther', secret: 'channelSecret-2' },
  ];
  const sim = await startSimulator({ protocol: 'http', apps });
  const client = new TestClient(sim);
  try {
    const own = messages.filter((m) => m.value.startsWith('channelSecret-'));
    assert.deepEqual(own, apps.map((a) => ({ kind: 'secret', value: a.secret })));
    messages.length = 0;

    const first = await client.login('channelApp', 'channelSecret-1');
    const refreshed = await client.request('POST', '/iocm/app/sec/v1.1.0/refreshToken', {
      json: { appId: 'channelApp', secret: 'channelSecret-1', refreshToken: first.refreshToken },
    });
    assert.equal(refreshed.status, 200, refreshed.text);
    const second = refreshed.json as { accessToken: string; refreshToken: string };
    sim.loginFromElsewhere('channelOther');
    const third = sim.currentAccessToken('channelOther');
    assert.deepEqual(messages.slice(0, 4), [
      { kind: 'accessToken', value: first.accessToken },
      { kind: 'refreshToken', value: first.refreshToken },
      { kind: 'accessToken', value: second.accessToken },
      { kind: 'refreshToken', value: second.refreshToken },
    ]);
    assert.equal(messages.length, 6);
    assert.deepEqual(messages[4], { kind: 'accessToken', value: third });
    assert.equal(messages[5]!.kind, 'refreshToken');

    // A generated secret is announced too.
    messages.length = 0;
    const generated = await startSimulator({ protocol: 'http' });
    await generated.stop();
    assert.deepEqual(messages, [{ kind: 'secret', value: generated.apps[0]!.secret }]);
  } finally {
    diagnosticsChannel.unsubscribe(CREDENTIAL_CHANNEL, onMessage);
    client.close();
    await sim.stop();
  }
});

test('without subscribers nothing is published', async () => {
  // In a fresh process: here the recorder preloaded by test/run-tests.ts may be subscribed.
  const script = `
    import diagnosticsChannel from 'node:diagnostics_channel';
    const { startSimulator } = await import(${JSON.stringify(new URL('../../src/simulator/index.js', import.meta.url).href)});
    const channel = diagnosticsChannel.channel(${JSON.stringify(CREDENTIAL_CHANNEL)});
    let published = 0;
    const publish = channel.publish.bind(channel);
    channel.publish = (message) => { published += 1; publish(message); };
    const sim = await startSimulator({ protocol: 'http' });
    const app = sim.apps[0];
    const reply = await fetch(sim.url + '/iocm/app/sec/v1.1.0/login', { method: 'POST', body: new URLSearchParams({ appId: app.appId, secret: app.secret }) });
    await sim.stop();
    process.stdout.write(JSON.stringify({ status: reply.status, hasSubscribers: channel.hasSubscribers, published }));
  `;
  const { code, output } = await runNode(['--input-type=module', '-e', script], 60_000, { NODE_OPTIONS: '' });
  assert.equal(code, 0, output);
  assert.deepEqual(JSON.parse(output), { status: 200, hasSubscribers: false, published: 0 });
});

test('the recorder preload (test/helpers/credential-recorder.ts) appends what a process publishes, and prints nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-recorder-test-'));
  try {
    const file = join(dir, 'credentials.jsonl');
    const recorder = `--import=${new URL('../helpers/credential-recorder.js', import.meta.url).href}`;
    const script = `
      const { startSimulator } = await import(${JSON.stringify(new URL('../../src/simulator/index.js', import.meta.url).href)});
      const sim = await startSimulator({ protocol: 'http', apps: [{ appId: 'recApp', secret: 'recorderSecret-9' }] });
      const reply = await fetch(sim.url + '/iocm/app/sec/v1.1.0/login', { method: 'POST', body: new URLSearchParams({ appId: 'recApp', secret: 'recorderSecret-9' }) });
      const { accessToken, refreshToken } = await reply.json();
      await sim.stop();
      process.stderr.write(JSON.stringify({ accessToken, refreshToken }));
    `;
    const run = (env: Record<string, string>) => runNode(['--input-type=module', '-e', script], 60_000, { NODE_OPTIONS: recorder, ...env });
    const recorded = await run({ OC_CREDENTIALS_FILE: file });
    assert.equal(recorded.code, 0, recorded.output);
    const tokens = JSON.parse(recorded.output) as { accessToken: string; refreshToken: string }; // the script's only output
    assert.deepEqual(readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)), [
      { kind: 'secret', value: 'recorderSecret-9' },
      { kind: 'accessToken', value: tokens.accessToken },
      { kind: 'refreshToken', value: tokens.refreshToken },
    ]);
    rmSync(file);
    const unset = await run({ OC_CREDENTIALS_FILE: '' });
    assert.equal(unset.code, 0, unset.output);
    assert.ok(!existsSync(file), 'nothing is written without OC_CREDENTIALS_FILE');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
