import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { startSimulator, startSimulatorProcess, type RemoteSimulator, type Simulator } from '../../src/simulator/index.js';
import type { ServerTlsMaterial } from '../../src/simulator/tls.js';
import { TestClient } from './helpers.js';

/** What `util.inspect` shows of a simulator handle, looking deep. */
function printed(handle: unknown): string {
  return inspect(handle, { depth: 6 });
}

describe('printing a simulator shows its address, never tokens, keys or secrets', () => {
  const app = { appId: 'inspectApp', secret: 'inspectSecret-4711', grants: ['inspectOther'] };
  const other = { appId: 'inspectOther', secret: 'otherSecret-0815' };
  let sim: Simulator;
  let remote: RemoteSimulator;
  let client: TestClient;

  before(async () => {
    [sim, remote] = await Promise.all([
      startSimulator({ apps: [app, other] }),
      startSimulatorProcess({ apps: [app, other] }),
    ]);
    client = new TestClient(sim);
  });
  after(async () => {
    client.close();
    await Promise.all([sim.stop(), remote.stop()]);
  });

  test('startSimulator: no current or retired token, no private key, no app secret', async () => {
    const retired = await client.login(app.appId, app.secret);
    const current = await client.login(app.appId, app.secret);
    const otherPair = await client.login(other.appId, other.secret);
    assert.equal(sim.currentAccessToken(app.appId), current.accessToken);
    const { tls } = sim as unknown as { tls: ServerTlsMaterial };
    const text = printed(sim);
    const secrets = [
      current.accessToken,
      current.refreshToken,
      retired.accessToken,
      retired.refreshToken,
      otherPair.accessToken,
      tls.ca.keyPem,
      tls.server.key,
      app.secret,
      other.secret,
    ];
    assert.deepEqual(secrets.filter((secret) => text.includes(secret)), []);
    assert.doesNotMatch(text, /PRIVATE KEY/);
    assert.ok(text.includes(sim.url), text);
    assert.ok(text.includes(app.appId) && text.includes(other.appId), text);
    // Nested in another value, the handle prints the same way.
    assert.ok(!printed({ sim }).includes(current.accessToken));
  });

  test('startSimulatorProcess: no spawn arguments, so no secret', () => {
    const text = printed(remote);
    assert.ok(!text.includes('--secret='), text);
    assert.ok(!text.includes(app.secret) && !text.includes(other.secret), text);
    assert.doesNotMatch(text, /spawnargs|PRIVATE KEY/);
    assert.ok(text.includes(remote.url), text);
    assert.ok(text.includes(app.appId), text);
  });
});
