import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { lastEvent, leakedIn, sleep, TestClient } from './helpers.js';

const LOGIN = '/iocm/app/sec/v1.1.0/login';
const REFRESH = '/iocm/app/sec/v1.1.0/refreshToken';
const LOGOUT = '/iocm/app/sec/v1.1.0/logout';
const STATUS = (id: string) => `/iocm/app/reg/v1.1.0/deviceCredentials/${id}`;

describe('authentication', () => {
  let sim: Simulator;
  let client: TestClient;
  const app = { appId: 'authApp', secret: 'authSecret-1' };
  const other = { appId: 'otherApp', secret: 'otherSecret-2' };
  const seenTokens: string[] = [];

  before(async () => {
    sim = await startSimulator({ apps: [app, other] });
    client = new TestClient(sim);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  /** A business call that only needs a valid token (the device does not exist: 404 proves acceptance). */
  async function probe(appId: string, token: string) {
    return client.request('GET', STATUS('no-such-device'), { headers: TestClient.auth(appId, token) });
  }

  test('login answers the five documented fields', async () => {
    const reply = await client.request('POST', LOGIN, { form: app });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(Object.keys(reply.json).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'scope', 'tokenType']);
    assert.equal(reply.json.scope, 'default');
    assert.equal(reply.json.tokenType, 'bearer');
    assert.equal(reply.json.expiresIn, 3600);
    assert.match(reply.json.accessToken, /^[0-9a-f]{32}$/);
    assert.notEqual(reply.json.accessToken, reply.json.refreshToken);
    assert.ok(!reply.text.includes(' '), 'compact JSON');
    seenTokens.push(reply.json.accessToken, reply.json.refreshToken);
    assert.equal(sim.currentAccessToken(app.appId), reply.json.accessToken);
    assert.equal((await probe(app.appId, reply.json.accessToken)).status, 404);
  });

  test('login with a wrong secret answers 401 / 100208', async () => {
    const before = sim.stats(app.appId).loginFailures;
    const reply = await client.request('POST', LOGIN, { form: { appId: app.appId, secret: 'Wr0ngSecret-77' } });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.json, { error_code: '100208', error_desc: 'AppId or secret is not right.' });
    assert.equal(sim.stats(app.appId).loginFailures, before + 1);
  });

  test('login with an unknown appId answers 401 / 100208', async () => {
    const reply = await client.request('POST', LOGIN, { form: { appId: 'nobody', secret: app.secret } });
    assert.equal(reply.status, 401);
    assert.equal(reply.json.error_code, '100208');
  });

  test('login with a missing field answers 400 / 102202', async () => {
    const noSecret = await client.request('POST', LOGIN, { form: { appId: app.appId } });
    assert.equal(noSecret.status, 400);
    assert.deepEqual(noSecret.json, { error_code: '102202', error_desc: 'Required Parameter is null or empty.' });
    const emptyAppId = await client.request('POST', LOGIN, { form: { appId: '', secret: app.secret } });
    assert.equal(emptyAppId.status, 400);
    assert.equal(emptyAppId.json.error_code, '102202');
  });

  test('refresh issues a new pair and voids the old one', async () => {
    const first = await client.login(app.appId, app.secret);
    const reply = await client.request('POST', REFRESH, { json: { ...app, refreshToken: first.refreshToken } });
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.json).sort(), ['accessToken', 'expiresIn', 'refreshToken', 'scope', 'tokenType']);
    assert.notEqual(reply.json.accessToken, first.accessToken);
    assert.notEqual(reply.json.refreshToken, first.refreshToken);
    seenTokens.push(first.accessToken, first.refreshToken, reply.json.accessToken, reply.json.refreshToken);
    // The old access token stopped working, the new one works.
    const old = await probe(app.appId, first.accessToken);
    assert.equal(old.status, 403);
    assert.deepEqual(old.json, { resultcode: '1010005', resultmsg: 'Invalid access token or appId.' });
    assert.equal((await probe(app.appId, reply.json.accessToken)).status, 404);
    // The superseded refresh token is refused with 100208.
    const again = await client.request('POST', REFRESH, { json: { ...app, refreshToken: first.refreshToken } });
    assert.equal(again.status, 401);
    assert.deepEqual(again.json, { error_code: '100208', error_desc: 'AppId or secret is not right.' });
    const event = lastEvent(sim.events(), 'refresh-failed');
    assert.equal(event?.detail, 'superseded refresh token');
  });

  test('refresh with a wrong secret, missing field or bad JSON', async () => {
    const pair = await client.login(app.appId, app.secret);
    seenTokens.push(pair.accessToken, pair.refreshToken);
    const wrong = await client.request('POST', REFRESH, {
      json: { appId: app.appId, secret: 'N0peSecret-88', refreshToken: pair.refreshToken },
    });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.json.error_code, '100208');
    const missing = await client.request('POST', REFRESH, { json: { appId: app.appId, secret: app.secret } });
    assert.equal(missing.status, 400);
    assert.equal(missing.json.error_code, '102202');
    const bad = await client.request('POST', REFRESH, { body: '{not json', headers: { 'content-type': 'application/json' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.json.error_code, '100007');
    // The pair is still valid after failed refresh attempts.
    assert.equal((await probe(app.appId, pair.accessToken)).status, 404);
  });

  test('only the newest token is valid: a second login voids the first', async () => {
    const first = await client.login(app.appId, app.secret);
    const second = await client.login(app.appId, app.secret);
    seenTokens.push(first.accessToken, first.refreshToken, second.accessToken, second.refreshToken);
    const stale = await probe(app.appId, first.accessToken);
    assert.equal(stale.status, 403);
    assert.equal(stale.headers['content-type'], 'application/json');
    assert.deepEqual(stale.json, { resultcode: '1010005', resultmsg: 'Invalid access token or appId.' });
    assert.equal((await probe(app.appId, second.accessToken)).status, 404);
    const rejected = lastEvent(sim.events(), 'token-rejected');
    assert.equal(rejected?.appId, app.appId);
    assert.equal(rejected?.detail, 'superseded token');
    assert.ok(sim.events().some((e) => e.type === 'token-voided' && e.appId === app.appId));
    // The first refresh token is void as well.
    const refresh = await client.request('POST', REFRESH, { json: { ...app, refreshToken: first.refreshToken } });
    assert.equal(refresh.status, 401);
  });

  test('a token is only valid with its own app_key', async () => {
    const mine = await client.login(app.appId, app.secret);
    const theirs = await client.login(other.appId, other.secret);
    seenTokens.push(mine.accessToken, mine.refreshToken, theirs.accessToken, theirs.refreshToken);
    const crossed = await probe(app.appId, theirs.accessToken);
    assert.equal(crossed.status, 403);
    assert.equal(crossed.json.resultcode, '1010005');
    const unknownKey = await probe('nobody', mine.accessToken);
    assert.equal(unknownKey.status, 403);
    assert.equal(unknownKey.json.resultcode, '1010005');
    const noBearer = await client.request('GET', STATUS('x'), { headers: { app_key: app.appId } });
    assert.equal(noBearer.status, 403);
    assert.equal(noBearer.json.resultcode, '1010005');
  });

  test('a missing app_key answers 401 / 100025', async () => {
    const pair = await client.login(app.appId, app.secret);
    seenTokens.push(pair.accessToken, pair.refreshToken);
    const reply = await client.request('GET', STATUS('x'), { headers: { authorization: `Bearer ${pair.accessToken}` } });
    assert.equal(reply.status, 401);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.json, { error_code: '100025', error_desc: 'AppId for auth not exist.' });
  });

  test('logout voids the current token', async () => {
    const pair = await client.login(app.appId, app.secret);
    seenTokens.push(pair.accessToken, pair.refreshToken);
    const reply = await client.request('POST', LOGOUT, { json: { accessToken: pair.accessToken } });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, '');
    assert.equal((await probe(app.appId, pair.accessToken)).status, 403);
    assert.equal(sim.currentAccessToken(app.appId), undefined);
    assert.ok(sim.events().some((e) => e.type === 'logout' && e.appId === app.appId));
  });

  test('loginFromElsewhere voids both tokens of the current pair', async () => {
    const pair = await client.login(app.appId, app.secret);
    seenTokens.push(pair.accessToken, pair.refreshToken);
    sim.loginFromElsewhere(app.appId);
    const replacement = sim.currentAccessToken(app.appId);
    assert.ok(replacement && replacement !== pair.accessToken);
    seenTokens.push(replacement);
    assert.equal((await probe(app.appId, pair.accessToken)).status, 403);
    const refresh = await client.request('POST', REFRESH, { json: { ...app, refreshToken: pair.refreshToken } });
    assert.equal(refresh.status, 401);
    assert.equal((await probe(app.appId, replacement)).status, 404);
    assert.throws(() => sim.loginFromElsewhere('nobody'));
  });

  test('stats count logins, failures and rejections', () => {
    const stats = sim.stats(app.appId);
    assert.ok(stats.logins >= 8);
    assert.ok(stats.loginFailures >= 1);
    assert.ok(stats.refreshes >= 1);
    assert.ok(stats.refreshFailures >= 2);
    assert.ok(stats.rejectedTokens >= 3);
    const total = sim.stats();
    assert.ok(total.logins >= stats.logins + sim.stats(other.appId).logins);
    assert.deepEqual(Object.keys(total).sort(), [
      'calls', 'faults', 'loginFailures', 'logins', 'refreshFailures', 'refreshes', 'rejectedTokens', 'throttled',
    ]);
  });

  test('events and their details never contain a secret or a token', () => {
    const events = sim.events();
    assert.ok(events.length > 10);
    assert.deepEqual(leakedIn(events, [app.secret, other.secret, 'Wr0ngSecret-77', 'N0peSecret-88', ...seenTokens]), []);
  });

  test('clearRecords empties the logs and zeroes the counters', async () => {
    sim.clearRecords();
    assert.deepEqual(sim.events(), []);
    assert.deepEqual(sim.requests(), []);
    assert.equal(sim.stats().logins, 0);
    await client.login(other.appId, other.secret);
    assert.equal(sim.stats().logins, 1);
    assert.equal(sim.requests().length, 1);
  });
});

describe('token expiry', () => {
  test('an access token expires after tokenLifetimeSeconds', async () => {
    const app = { appId: 'expiring', secret: 'expiring-secret' };
    const sim = await startSimulator({ apps: [app], tokenLifetimeSeconds: 0.3 });
    const client = new TestClient(sim);
    try {
      const pair = await client.login(app.appId, app.secret);
      assert.equal(pair.expiresIn, 0.3);
      await sleep(450);
      const reply = await client.request('GET', STATUS('x'), { headers: TestClient.auth(app.appId, pair.accessToken) });
      assert.equal(reply.status, 403);
      assert.equal(reply.json.resultcode, '1010005');
      assert.equal(lastEvent(sim.events(), 'token-rejected')?.detail, 'expired token');
      assert.equal(sim.currentAccessToken(app.appId), undefined);
      // The refresh token lives longer and still yields a working pair.
      sim.setTokenLifetime(60);
      const refreshed = await client.request('POST', REFRESH, { json: { ...app, refreshToken: pair.refreshToken } });
      assert.equal(refreshed.status, 200);
      assert.equal(refreshed.json.expiresIn, 60);
      const ok = await client.request('GET', STATUS('x'), { headers: TestClient.auth(app.appId, refreshed.json.accessToken) });
      assert.equal(ok.status, 404);
      assert.equal(ok.json.error_code, '100403');
    } finally {
      client.close();
      await sim.stop();
    }
  });

  test('a refresh token expires after refreshTokenLifetimeSeconds', async () => {
    const app = { appId: 'expiring2', secret: 'expiring-secret2' };
    const sim = await startSimulator({ apps: [app], refreshTokenLifetimeSeconds: 0.2 });
    const client = new TestClient(sim);
    try {
      const pair = await client.login(app.appId, app.secret);
      await sleep(350);
      const reply = await client.request('POST', REFRESH, { json: { ...app, refreshToken: pair.refreshToken } });
      assert.equal(reply.status, 401);
      assert.equal(reply.json.error_code, '100208');
      assert.equal(lastEvent(sim.events(), 'refresh-failed')?.detail, 'expired refresh token');
    } finally {
      client.close();
      await sim.stop();
    }
  });
});
