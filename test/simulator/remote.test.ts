import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startSimulatorProcess, type RemoteSimulator } from '../../src/simulator/index.js';
import { childArgs } from '../../src/simulator/remote.js';
import { parseCliArgs } from '../../src/simulator/standalone.js';
import { leakedIn, TestClient } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('startSimulatorProcess', () => {
  let remote: RemoteSimulator;
  let client: TestClient;
  const app = { appId: 'remoteApp', secret: 'remoteSecret-123' };

  before(async () => {
    remote = await startSimulatorProcess({ apps: [app], tokenLifetimeSeconds: 120 });
    client = new TestClient(remote);
  });
  after(async () => {
    client.close();
    await remote.stop();
  });

  test('runs in another process and reports its connection details', () => {
    assert.notEqual(remote.pid, process.pid);
    assert.ok(alive(remote.pid));
    assert.match(remote.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    assert.ok(remote.port > 0);
    assert.match(remote.ca, /BEGIN CERTIFICATE/);
    assert.deepEqual(remote.apps, [app]);
  });

  test('stats, events and requests come through the admin API', async () => {
    const pair = await client.login(app.appId, app.secret);
    assert.equal(pair.expiresIn, 120);
    const headers = TestClient.auth(app.appId, pair.accessToken);
    const reg = await client.request('POST', REG, { headers, json: { nodeId: 'REMOTE-1' } });
    assert.equal(reg.status, 200);
    const stats = await remote.stats(app.appId);
    assert.equal(stats.logins, 1);
    assert.equal(stats.calls, 1);
    assert.deepEqual(await remote.stats(), stats);
    const requests = await remote.requests();
    assert.deepEqual(requests.map((r) => r.path), ['/iocm/app/sec/v1.1.0/login', REG]);
    const events = await remote.events();
    assert.deepEqual(events.map((e) => e.type), ['login', 'call']);
    assert.deepEqual(leakedIn(events, [app.secret, pair.accessToken, pair.refreshToken]), []);

    // Device side and faults through the admin API.
    await remote.setDeviceOnline(reg.json.deviceId, true);
    const status = await client.request('GET', `${REG}/${reg.json.deviceId}`, { headers });
    assert.equal(status.json.activated, true);
    await assert.rejects(remote.setDeviceOnline('missing-device', true), /404/);
    const faultId = await remote.addFault({ kind: 'status', status: 503, path: /\/deviceCredentials\// });
    assert.equal((await client.request('GET', `${REG}/${reg.json.deviceId}`, { headers })).status, 503);
    await remote.removeFault(faultId);
    assert.equal((await client.request('GET', `${REG}/${reg.json.deviceId}`, { headers })).status, 200);
    await remote.addFault({ kind: 'throttle' });
    await remote.clearFaults();
    assert.equal((await client.request('GET', `${REG}/${reg.json.deviceId}`, { headers })).status, 200);
    assert.equal((await remote.stats()).faults, 1);

    await remote.clearRecords();
    assert.deepEqual(await remote.requests(), []);
    assert.equal((await remote.stats()).logins, 0);
  });

  test('loginFromElsewhere voids the client\'s token', async () => {
    const pair = await client.login(app.appId, app.secret);
    const headers = TestClient.auth(app.appId, pair.accessToken);
    assert.equal((await client.request('GET', `${REG}/x`, { headers })).status, 404);
    await remote.loginFromElsewhere(app.appId);
    const reply = await client.request('GET', `${REG}/x`, { headers });
    assert.equal(reply.status, 403);
    assert.equal(reply.json.resultcode, '1010005');
    await assert.rejects(remote.loginFromElsewhere('nobody'), /403/);
  });

  test('setTokenLifetime changes expiresIn of later logins', async () => {
    await remote.setTokenLifetime(2);
    assert.equal((await client.login(app.appId, app.secret)).expiresIn, 2);
    await assert.rejects(remote.setTokenLifetime(-1), /400/);
  });
});

describe('startSimulatorProcess lifecycle', () => {
  test('stop ends the child, removes its files and is idempotent', async () => {
    const remote = await startSimulatorProcess({ throttle: { limit: 1, windowMs: 600_000 }, faults: [{ kind: 'latency', latencyMs: 1 }] });
    const [generated] = remote.apps;
    assert.ok(generated);
    const client = new TestClient(remote);
    try {
      const pair = await client.login(generated.appId, generated.secret);
      const headers = TestClient.auth(generated.appId, pair.accessToken);
      assert.equal((await client.request('GET', `${REG}/x`, { headers })).status, 404);
      assert.equal((await client.request('GET', `${REG}/x`, { headers })).json.error_code, '1010009');
      assert.equal((await remote.stats()).faults, 3);
    } finally {
      client.close();
    }
    const pid = remote.pid;
    await Promise.all([remote.stop(), remote.stop()]);
    await remote.stop();
    assert.equal(alive(pid), false);
    await assert.rejects(remote.stats(), /stopped/);
  });

  test('appIds and secrets that start with -- reach the child intact', async () => {
    const dashed = { appId: '--dashedApp', secret: '--secret=with-equals' };
    const grantee = { appId: '--grantee', secret: '--x' };
    const args = childArgs({ apps: [{ ...dashed, grants: [grantee.appId] }, grantee], host: '127.0.0.1', tokenLifetimeSeconds: 1.5 }, '/tmp/ca.pem');
    assert.deepEqual(parseCliArgs(args).options.apps, [{ ...dashed, grants: [grantee.appId] }, grantee]);
    assert.equal(parseCliArgs(args).options.tokenLifetimeSeconds, 1.5);
    assert.ok(args.every((arg) => arg === '--json' || /^--[a-z-]+=/.test(arg)), args.join(' '));

    const child = await startSimulatorProcess({ apps: [dashed] });
    const dashedClient = new TestClient(child);
    try {
      assert.deepEqual(child.apps, [dashed]);
      const pair = await dashedClient.login(dashed.appId, dashed.secret);
      const reg = await dashedClient.request('POST', REG, { headers: TestClient.auth(dashed.appId, pair.accessToken), json: { nodeId: 'DASHED-1' } });
      assert.equal(reg.status, 200, reg.text);
    } finally {
      dashedClient.close();
      await child.stop();
    }
  });

  test('unsupported options are refused without leaving a process behind', async () => {
    await assert.rejects(startSimulatorProcess({ requireClientCertificate: true }), TypeError);
  });

  test('a start failure reports the child\'s error', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = blocker.address() as AddressInfo;
      await assert.rejects(startSimulatorProcess({ port }), /exited before starting.*EADDRINUSE/s);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('the CA file lives in a temp dir that stop removes', async () => {
    const simulatorDirs = () => new Set(readdirSync(tmpdir()).filter((d) => d.startsWith('oc-simulator-')));
    const before = simulatorDirs();
    const remote = await startSimulatorProcess();
    const created = [...simulatorDirs()].filter((d) => !before.has(d));
    assert.equal(created.length, 1);
    const caFile = join(tmpdir(), created[0]!, 'ca.pem');
    assert.equal(readFileSync(caFile, 'utf8'), remote.ca);
    await remote.stop();
    assert.equal(existsSync(join(tmpdir(), created[0]!)), false);
  });
});
