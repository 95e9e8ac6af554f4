import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { lastEvent, TestClient, waitFor } from './helpers.js';

const LOGIN = '/iocm/app/sec/v1.1.0/login';
const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';

describe('faults', () => {
  let sim: Simulator;
  let client: TestClient;
  const app = { appId: 'faultApp', secret: 'faultSecret' };
  let headers: Record<string, string>;

  before(async () => {
    sim = await startSimulator({ apps: [app] });
    client = new TestClient(sim);
    headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
  });
  beforeEach(() => {
    sim.clearFaults();
    sim.clearRecords();
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('latency delays, then the request is handled normally', async () => {
    const id = sim.addFault({ kind: 'latency', latencyMs: 50, path: REG });
    const reply = await client.request('POST', REG, { headers, json: { nodeId: 'LATE' } });
    assert.equal(reply.status, 200);
    assert.ok(reply.json.deviceId);
    assert.equal(sim.stats().faults, 1);
    assert.equal(sim.stats().calls, 1);
    const event = lastEvent(sim.events(), 'fault');
    assert.equal(event?.path, REG);
    assert.equal(event?.appId, app.appId);
    assert.match(event?.detail ?? '', new RegExp(`latency.*${id}`));
  });

  test('status answers the given status with the 50252 body', async () => {
    sim.addFault({ kind: 'status', status: 503, method: 'post', path: LOGIN });
    const reply = await client.request('POST', LOGIN, { form: app });
    assert.equal(reply.status, 503);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.json, { error_code: '50252', error_desc: 'Internal server error.' });
    assert.equal(sim.stats().logins, 0);
    assert.equal(sim.stats(app.appId).faults, 0, 'login carries no app_key: not attributed');
    assert.equal(sim.stats().faults, 1);
    assert.equal(sim.requests()[0]!.status, 503);
  });

  test('reset destroys the connection without an answer', async () => {
    sim.addFault({ kind: 'reset', path: `${REG}*` });
    await assert.rejects(client.request('GET', `${REG}/abc`, { headers }), (err: NodeJS.ErrnoException) => {
      assert.equal(err.code, 'ECONNRESET');
      return true;
    });
    assert.equal(sim.stats().faults, 1);
    assert.equal(sim.requests()[0]!.status, 0);
  });

  test('throttle answers 403 / 1010009', async () => {
    sim.addFault({ kind: 'throttle', path: /deviceCredentials\/[^/]+$/ });
    const reply = await client.request('GET', `${REG}/abc`, { headers });
    assert.equal(reply.status, 403);
    assert.deepEqual(reply.json, { error_code: '1010009', error_desc: 'app throttle exceed.' });
    assert.equal(sim.stats().faults, 1);
    // The RegExp does not match the collection path.
    assert.equal((await client.request('POST', REG, { headers, json: {} })).status, 400);
  });

  test('hang never answers; the client can abort', async () => {
    sim.addFault({ kind: 'hang', path: `${REG}/hang-me` });
    const controller = new AbortController();
    const pending = client.request('GET', `${REG}/hang-me`, { headers, signal: controller.signal });
    await waitFor(() => sim.events().some((e) => e.type === 'fault'));
    controller.abort();
    await assert.rejects(pending, (err: Error) => err.name === 'AbortError');
    assert.equal(sim.requests()[0]!.status, 0);
    // Other requests still work.
    assert.equal((await client.request('GET', `${REG}/other`, { headers })).status, 404);
  });

  test('times limits how often a rule applies; removeFault and probability 0 disable it', async () => {
    sim.addFault({ kind: 'status', status: 500, path: `${REG}/*`, times: 2 });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await client.request('GET', `${REG}/t`, { headers })).status);
    assert.deepEqual(statuses, [500, 500, 404]);
    const id = sim.addFault({ kind: 'status', status: 502 });
    assert.equal((await client.request('GET', `${REG}/t`, { headers })).status, 502);
    sim.removeFault(id);
    assert.equal((await client.request('GET', `${REG}/t`, { headers })).status, 404);
    sim.addFault({ kind: 'status', status: 502, probability: 0 });
    assert.equal((await client.request('GET', `${REG}/t`, { headers })).status, 404);
    assert.equal(sim.stats().faults, 3);
  });

  test('method and path filters must both match', async () => {
    sim.addFault({ kind: 'status', status: 500, method: 'PUT', path: `${REG}/m` });
    assert.equal((await client.request('GET', `${REG}/m`, { headers })).status, 404);
    assert.equal((await client.request('PUT', `${REG}/other`, { headers, json: {} })).status, 404);
    assert.equal((await client.request('PUT', `${REG}/m`, { headers, json: {} })).status, 500);
  });

  test('faults do not affect the admin API', async () => {
    sim.addFault({ kind: 'status', status: 500 });
    const reply = await client.request('GET', '/simulator/v1/stats');
    assert.equal(reply.status, 200);
    assert.equal(reply.json.faults, 0);
  });

  test('invalid rules are refused', () => {
    assert.throws(() => sim.addFault({ kind: 'latency' }), TypeError);
    assert.throws(() => sim.addFault({ kind: 'status', status: 42 }), TypeError);
    assert.throws(() => sim.addFault({ kind: 'reset', probability: 2 }), TypeError);
    assert.throws(() => sim.addFault({ kind: 'bogus' as never }), TypeError);
  });
});

describe('stop with a hanging request', () => {
  test('stop() closes the hanging connection and resolves', async () => {
    const sim = await startSimulator({ faults: [{ kind: 'hang' }] });
    const client = new TestClient(sim);
    try {
      const pending = client.request('GET', '/anything');
      const outcome = pending.then(
        () => 'answered',
        () => 'failed',
      );
      await waitFor(() => sim.stats().faults === 1);
      await sim.stop();
      assert.equal(await outcome, 'failed');
    } finally {
      client.close();
      await sim.stop();
    }
  });

  test('stop() during a latency fault resolves and clears the timer', async () => {
    const sim = await startSimulator({ faults: [{ kind: 'latency', latencyMs: 3_600_000 }] });
    const client = new TestClient(sim);
    try {
      const outcome = client.request('GET', '/anything').then(
        () => 'answered',
        () => 'failed',
      );
      await waitFor(() => sim.stats().faults === 1);
      await sim.stop();
      assert.equal(await outcome, 'failed');
    } finally {
      client.close();
    }
  });
});
