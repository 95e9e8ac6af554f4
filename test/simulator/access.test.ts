import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { lastEvent, TestClient } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';

describe('authorised applications (?appId=)', () => {
  let sim: Simulator;
  let client: TestClient;
  const owner = { appId: 'ownerApp', secret: 'ownerSecret', grants: ['partnerApp'] };
  const partner = { appId: 'partnerApp', secret: 'partnerSecret' };
  const stranger = { appId: 'strangerApp', secret: 'strangerSecret' };
  let partnerHeaders: Record<string, string>;
  let strangerHeaders: Record<string, string>;
  let ownerDevice: string;

  before(async () => {
    sim = await startSimulator({ apps: [owner, partner, stranger] });
    client = new TestClient(sim);
    const ownerToken = (await client.login(owner.appId, owner.secret)).accessToken;
    partnerHeaders = TestClient.auth(partner.appId, (await client.login(partner.appId, partner.secret)).accessToken);
    strangerHeaders = TestClient.auth(stranger.appId, (await client.login(stranger.appId, stranger.secret)).accessToken);
    const reply = await client.request('POST', REG, {
      headers: TestClient.auth(owner.appId, ownerToken),
      json: { nodeId: 'OWNED-1' },
    });
    ownerDevice = reply.json.deviceId;
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('an unknown appId answers 403 / 100203', async () => {
    const reply = await client.request('GET', `${REG}/${ownerDevice}?appId=ghostApp`, { headers: partnerHeaders });
    assert.equal(reply.status, 403);
    assert.deepEqual(reply.json, { error_code: '100203', error_desc: 'The application is not existed.' });
  });

  test('an app that has not granted the caller answers 403 / 100217', async () => {
    const reply = await client.request('GET', `${REG}/${ownerDevice}?appId=${owner.appId}`, { headers: strangerHeaders });
    assert.equal(reply.status, 403);
    assert.deepEqual(reply.json, { error_code: '100217', error_desc: "The application hasn't been authorized." });
    // Grants are one-way: the owner has not been granted access to the partner.
    const ownerToken = sim.currentAccessToken(owner.appId)!;
    const reverse = await client.request('GET', `${REG}/x?appId=${partner.appId}`, {
      headers: TestClient.auth(owner.appId, ownerToken),
    });
    assert.equal(reverse.json.error_code, '100217');
  });

  test('a granted caller acts on the granting app\'s resources', async () => {
    const own = await client.request('GET', `${REG}/${ownerDevice}`, { headers: partnerHeaders });
    assert.equal(own.status, 404, 'the device is not in the partner app');
    const granted = await client.request('GET', `${REG}/${ownerDevice}?appId=${owner.appId}`, { headers: partnerHeaders });
    assert.equal(granted.status, 200);
    assert.equal(granted.json.deviceId, ownerDevice);
    const created = await client.request('POST', `${REG}?appId=${owner.appId}`, {
      headers: partnerHeaders,
      json: { nodeId: 'CREATED-BY-PARTNER' },
    });
    assert.equal(created.status, 200);
    const ownerToken = sim.currentAccessToken(owner.appId)!;
    const seenByOwner = await client.request('GET', `${REG}/${created.json.deviceId}`, {
      headers: TestClient.auth(owner.appId, ownerToken),
    });
    assert.equal(seenByOwner.status, 200);
    // The call is logged under the caller.
    assert.equal(lastEvent(sim.events(), 'call')?.appId, owner.appId);
  });

  test('the caller\'s own appId is the same as no appId', async () => {
    const reply = await client.request('GET', `${REG}/${ownerDevice}?appId=${partner.appId}`, { headers: partnerHeaders });
    assert.equal(reply.status, 404);
    assert.equal(reply.json.error_code, '100403');
  });
});

describe('throttling', () => {
  test('more than limit calls in the window answer 403 / 1010009', async () => {
    const app = { appId: 'busyApp', secret: 'busySecret' };
    const quiet = { appId: 'quietApp', secret: 'quietSecret' };
    // A long window: all calls of the test fall inside it whatever the machine speed.
    const sim = await startSimulator({ apps: [app, quiet], throttle: { limit: 3, windowMs: 600_000 } });
    const client = new TestClient(sim);
    try {
      const headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await client.request('GET', `${REG}/x`, { headers })).status);
      assert.deepEqual(statuses, [404, 404, 404]);
      const throttled = await client.request('GET', `${REG}/x`, { headers });
      assert.equal(throttled.status, 403);
      assert.equal(throttled.headers['content-type'], 'application/json');
      assert.deepEqual(throttled.json, { error_code: '1010009', error_desc: 'app throttle exceed.' });
      assert.equal(sim.stats(app.appId).throttled, 1);
      assert.equal(sim.stats(app.appId).calls, 3);
      assert.equal(lastEvent(sim.events(), 'throttled')?.appId, app.appId);
      // Token endpoints are not throttled, and other apps have their own budget.
      await client.login(app.appId, app.secret);
      const other = TestClient.auth(quiet.appId, (await client.login(quiet.appId, quiet.secret)).accessToken);
      assert.equal((await client.request('GET', `${REG}/x`, { headers: other })).status, 404);
    } finally {
      client.close();
      await sim.stop();
    }
  });

  test('the window slides: calls are admitted again once old ones leave it', async () => {
    const app = { appId: 'slidingApp', secret: 'slidingSecret' };
    const sim = await startSimulator({ apps: [app], throttle: { limit: 1, windowMs: 150 } });
    const client = new TestClient(sim);
    try {
      const headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
      assert.equal((await client.request('GET', `${REG}/x`, { headers })).status, 404);
      // Wait until the window has passed (no upper bound on timing is asserted).
      await new Promise((r) => setTimeout(r, 300));
      assert.equal((await client.request('GET', `${REG}/x`, { headers })).status, 404);
    } finally {
      client.close();
      await sim.stop();
    }
  });
});
