import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { MAX_RECORDED_BODY_BYTES, startSimulator, type Simulator } from '../../src/simulator/index.js';
import { TestClient } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';

describe('HTTP-level behaviour', () => {
  let sim: Simulator;
  let client: TestClient;
  const app = { appId: 'httpApp', secret: 'httpSecret' };
  let headers: Record<string, string>;

  before(async () => {
    sim = await startSimulator({ apps: [app], maxRecordedRequests: 5 });
    client = new TestClient(sim);
    headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('an unknown route answers 404 / 100225 with a JSON error body', async () => {
    const reply = await client.request('GET', '/iocm/app/nothing/here', { headers });
    assert.equal(reply.status, 404);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.deepEqual(reply.json, { error_code: '100225', error_desc: 'The resource is not found' });
  });

  test('a wrong method on a known path answers 405 with Allow', async () => {
    const reply = await client.request('DELETE', REG, { headers });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(reply.headers['allow'], 'POST');
    assert.equal(typeof reply.json.error_code, 'string');
  });

  test('an invalid JSON body answers 400 / 100007', async () => {
    const reply = await client.request('POST', REG, {
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"nodeId": ',
    });
    assert.equal(reply.status, 400);
    assert.deepEqual(reply.json, { error_code: '100007', error_desc: 'Bad request message.' });
    const notObject = await client.request('POST', REG, { headers, json: [1, 2] });
    assert.equal(notObject.status, 400);
    assert.equal(notObject.json.error_code, '100007');
  });

  test('a body over 1 MiB answers 413', async () => {
    const big = JSON.stringify({ nodeId: 'big', pad: 'x'.repeat(1024 * 1024) });
    const reply = await client.request('POST', REG, { headers: { ...headers, 'content-type': 'application/json' }, body: big });
    assert.equal(reply.status, 413);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(typeof reply.json.error_code, 'string');
    // A body just under the limit is accepted.
    const fits = JSON.stringify({ nodeId: 'fits', pad: 'x'.repeat(1000 * 1000) });
    const ok = await client.request('POST', REG, { headers: { ...headers, 'content-type': 'application/json' }, body: fits });
    assert.equal(ok.status, 200);
  });

  test('success bodies are compact JSON', async () => {
    const reply = await client.request('POST', REG, { headers, json: { nodeId: 'compact' } });
    assert.equal(reply.status, 200);
    assert.equal(reply.text, JSON.stringify(reply.json));
    assert.ok(!/[:,] /.test(reply.text));
  });

  test('requests are recorded with raw headers and body, bounded, admin calls excluded', async () => {
    await client.request('GET', '/simulator/v1/stats');
    await client.request('PUT', `${REG}/abc?appId=${app.appId}&x=1`, { headers, json: { verifyCode: 'R' } });
    const log = sim.requests();
    assert.equal(log.length, 5);
    const last = log[log.length - 1]!;
    assert.equal(last.method, 'PUT');
    assert.equal(last.path, `${REG}/abc`);
    assert.deepEqual(last.query, { appId: app.appId, x: '1' });
    assert.equal(last.headers['app_key'], app.appId);
    assert.equal(last.body, '{"verifyCode":"R"}');
    assert.equal(last.status, 404);
    assert.ok(log.every((r) => !r.path.startsWith('/simulator/')));
    // The returned log is a copy.
    last.status = 999;
    assert.equal(sim.requests().at(-1)!.status, 404);
  });

  test('the request log keeps the first 64 KiB of a body and marks it truncated', async () => {
    const jsonHeaders = { ...headers, 'content-type': 'application/json' };
    const small = JSON.stringify({ nodeId: 'small-body' });
    await client.request('POST', REG, { headers: jsonHeaders, body: small });
    let entry = sim.requests().at(-1)!;
    assert.equal(entry.body, small);
    assert.equal('bodyTruncated' in entry, false);

    const exact = JSON.stringify({ nodeId: 'exact', pad: '' }).length;
    const fits = JSON.stringify({ nodeId: 'exact', pad: 'x'.repeat(MAX_RECORDED_BODY_BYTES - exact) });
    assert.equal(Buffer.byteLength(fits), MAX_RECORDED_BODY_BYTES);
    await client.request('POST', REG, { headers: jsonHeaders, body: fits });
    entry = sim.requests().at(-1)!;
    assert.equal(entry.body, fits);
    assert.equal(entry.bodyTruncated, undefined);

    const large = JSON.stringify({ nodeId: 'large-body', pad: 'x'.repeat(200 * 1024) });
    const reply = await client.request('POST', REG, { headers: jsonHeaders, body: large });
    assert.equal(reply.status, 200, reply.text); // the request itself saw the whole body
    entry = sim.requests().at(-1)!;
    assert.equal(entry.bodyTruncated, true);
    assert.equal(entry.body, large.slice(0, MAX_RECORDED_BODY_BYTES));

    // A two-byte character straddling the limit is left out whole.
    const accented = `a${'é'.repeat(40000)}`;
    await client.request('POST', REG, { headers: jsonHeaders, body: accented });
    entry = sim.requests().at(-1)!;
    assert.equal(entry.bodyTruncated, true);
    assert.equal(entry.body, `a${'é'.repeat(32767)}`);
    assert.equal(Buffer.byteLength(entry.body), MAX_RECORDED_BODY_BYTES - 1);
  });

  test('the http protocol option serves plain HTTP with an empty ca', async () => {
    const plain = await startSimulator({ protocol: 'http' });
    const plainClient = new TestClient(plain);
    try {
      assert.match(plain.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(plain.ca, '');
      assert.equal(plain.apps.length, 1);
      const [generated] = plain.apps;
      assert.ok(generated!.appId.length > 0 && generated!.secret.length > 0);
      const pair = await plainClient.login(generated!.appId, generated!.secret);
      assert.match(pair.accessToken, /^[0-9a-f]{32}$/);
      assert.throws(() => plain.issueClientCertificate());
    } finally {
      plainClient.close();
      await plain.stop();
    }
  });

  test('invalid options are refused', async () => {
    await assert.rejects(startSimulator({ apps: [] }), TypeError);
    await assert.rejects(startSimulator({ apps: [{ appId: 'a', secret: '' }] }), TypeError);
    await assert.rejects(startSimulator({ tokenLifetimeSeconds: 0 }), TypeError);
    await assert.rejects(startSimulator({ faults: [{ kind: 'status' }] }), TypeError);
  });

  test('stop is idempotent and closes the port', async () => {
    const other = await startSimulator();
    const otherClient = new TestClient(other);
    await otherClient.request('GET', '/nothing');
    await Promise.all([other.stop(), other.stop()]);
    await other.stop();
    await assert.rejects(otherClient.request('GET', '/nothing'));
    otherClient.close();
  });
});
