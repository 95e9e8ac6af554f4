import assert from 'node:assert/strict';
import type http from 'node:http';
import https from 'node:https';
import { Writable } from 'node:stream';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startSimulator, startSimulatorProcess, type RemoteSimulator, type Simulator } from '../../src/simulator/index.js';
import { DEFAULT_OVERSIZE_BYTES, MAX_OVERSIZE_BYTES, oversizeChunks, writeChunks } from '../../src/simulator/faults.js';
import { lastEvent, TestClient, waitFor } from './helpers.js';

const LOGIN = '/iocm/app/sec/v1.1.0/login';
const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const FAULTS = '/simulator/v1/faults';

/** What arrived of an answer, on a connection of its own, even when the connection was cut. */
interface RawReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The whole body arrived. */
  complete: boolean;
  /** Error of the response stream (e.g. `aborted` when the connection was cut mid-body). */
  error?: string;
}

/** One HTTPS request on its own connection (trusting the simulator CA), keeping the body bytes that arrived. */
function rawRequest(
  sim: Pick<Simulator, 'url' | 'ca'>,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; json?: unknown } = {},
): Promise<RawReply> {
  const url = new URL(sim.url);
  const payload = options.json === undefined ? undefined : JSON.stringify(options.json);
  const headers = payload === undefined ? { ...options.headers } : { ...options.headers, 'content-type': 'application/json' };
  return new Promise((resolve, reject) => {
    const req = https.request({ host: url.hostname, port: url.port, method, path, headers, ca: sim.ca, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      let error: string | undefined;
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => {
        error = err.message;
      });
      res.on('close', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), complete: res.complete, error });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

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

  test('html answers a proxy error page, 502 by default', async () => {
    const id = sim.addFault({ kind: 'html', path: `${REG}/*`, times: 1 });
    const reply = await client.request('GET', `${REG}/abc`, { headers });
    assert.equal(reply.status, 502);
    assert.equal(reply.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(Number(reply.headers['content-length']), Buffer.byteLength(reply.text));
    assert.match(reply.text, /^<!DOCTYPE html>/);
    assert.match(reply.text, /<title>502 Bad Gateway<\/title>/);
    assert.equal(reply.json, undefined, 'not JSON');
    assert.equal(sim.stats().calls, 0, 'the route never ran');
    assert.equal(sim.stats(app.appId).faults, 1);
    assert.equal(sim.requests()[0]!.status, 502);
    const event = lastEvent(sim.events(), 'fault');
    assert.equal(event?.status, 502);
    assert.equal(event?.detail, `html (${id})`);

    sim.addFault({ kind: 'html', status: 504, method: 'POST', path: LOGIN });
    const login = await client.request('POST', LOGIN, { form: app });
    assert.equal(login.status, 504);
    assert.match(login.text, /504 Gateway Timeout/);
    assert.equal((await client.request('GET', `${REG}/abc`, { headers })).status, 404, 'times: 1 used up');
  });

  test('status and throttle send Retry-After when retryAfterSeconds is set', async () => {
    sim.addFault({ kind: 'status', status: 503, path: `${REG}/a`, retryAfterSeconds: 30 });
    sim.addFault({ kind: 'throttle', path: `${REG}/b`, retryAfterSeconds: 0 });
    sim.addFault({ kind: 'status', status: 500, path: `${REG}/c` });
    const a = await client.request('GET', `${REG}/a`, { headers });
    assert.equal(a.status, 503);
    assert.equal(a.headers['retry-after'], '30');
    assert.equal(a.json.error_code, '50252');
    const b = await client.request('GET', `${REG}/b`, { headers });
    assert.equal(b.status, 403);
    assert.equal(b.headers['retry-after'], '0');
    assert.equal(b.json.error_code, '1010009');
    const c = await client.request('GET', `${REG}/c`, { headers });
    assert.equal(c.status, 500);
    assert.equal(c.headers['retry-after'], undefined);
  });

  test('truncate cuts the answer after truncateAt bytes, but the route ran: the device is registered', async () => {
    const id = sim.addFault({ kind: 'truncate', method: 'POST', path: REG, truncateAt: 10, times: 1 });
    const cut = await rawRequest(sim, 'POST', REG, { headers, json: { nodeId: 'TRUNC-1' } });
    assert.equal(cut.status, 200);
    assert.equal(cut.headers['content-type'], 'application/json');
    const declared = Number(cut.headers['content-length']);
    assert.ok(declared > 10, `declared ${declared}`);
    assert.equal(cut.body.length, 10);
    assert.equal(cut.body.toString('utf8'), '{"deviceId');
    assert.equal(cut.complete, false);
    assert.equal(cut.error, 'aborted');

    // The registration happened: the nodeId is taken now.
    const again = await client.request('POST', REG, { headers, json: { nodeId: 'TRUNC-1' } });
    assert.equal(again.status, 400);
    assert.equal(again.json.error_code, '100426');
    assert.deepEqual(sim.requests().map((r) => r.status), [200, 400]);
    assert.equal(sim.stats().calls, 2);
    assert.equal(sim.stats(app.appId).faults, 1);
    const events = sim.events().filter((e) => e.type === 'call' || e.type === 'fault');
    assert.deepEqual(events.map((e) => [e.type, e.status]), [['call', 200], ['fault', 200], ['call', 400]]);
    assert.equal(lastEvent(sim.events(), 'fault')?.detail, `truncate (${id})`);
  });

  test('truncate writes half the body by default; 0 writes none; past the end writes it all, then cuts', async () => {
    const full = await client.request('GET', `${REG}/missing`, { headers });
    assert.equal(full.status, 404);
    const length = Buffer.byteLength(full.text);

    sim.addFault({ kind: 'truncate', path: `${REG}/missing`, times: 1 });
    const half = await rawRequest(sim, 'GET', `${REG}/missing`, { headers });
    assert.equal(half.status, 404);
    assert.equal(Number(half.headers['content-length']), length);
    assert.equal(half.body.toString('utf8'), full.text.slice(0, Math.floor(length / 2)));
    assert.equal(half.complete, false);

    sim.addFault({ kind: 'truncate', path: `${REG}/missing`, truncateAt: 0, times: 1 });
    const none = await rawRequest(sim, 'GET', `${REG}/missing`, { headers });
    assert.equal(none.status, 404);
    assert.equal(none.body.length, 0);
    assert.equal(none.complete, false);

    sim.addFault({ kind: 'truncate', path: `${REG}/missing`, truncateAt: length + 100, times: 1 });
    const all = await rawRequest(sim, 'GET', `${REG}/missing`, { headers });
    assert.equal(all.body.toString('utf8'), full.text);
    assert.equal(sim.stats().faults, 3);
  });

  test('oversize streams a chunked JSON body of sizeBytes, or declares its length when asked', async () => {
    sim.addFault({ kind: 'oversize', path: `${REG}/big`, sizeBytes: 200_000, times: 1 });
    const chunked = await rawRequest(sim, 'GET', `${REG}/big`, { headers });
    assert.equal(chunked.status, 200);
    assert.equal(chunked.headers['content-type'], 'application/json');
    assert.equal(chunked.headers['content-length'], undefined);
    assert.equal(chunked.headers['transfer-encoding'], 'chunked');
    assert.equal(chunked.complete, true);
    assert.equal(chunked.body.length, 200_000);
    assert.equal(typeof JSON.parse(chunked.body.toString('utf8')).padding, 'string');

    sim.addFault({ kind: 'oversize', path: `${REG}/big`, sizeBytes: 70_000, status: 207, declareLength: true, times: 1 });
    const declared = await rawRequest(sim, 'GET', `${REG}/big`, { headers });
    assert.equal(declared.status, 207);
    assert.equal(declared.headers['content-length'], '70000');
    assert.equal(declared.headers['transfer-encoding'], undefined);
    assert.equal(declared.body.length, 70_000);
    JSON.parse(declared.body.toString('utf8'));

    for (const size of [1, 2, 13, 14, 15]) {
      sim.addFault({ kind: 'oversize', path: `${REG}/big`, sizeBytes: size, times: 1 });
      const small = await rawRequest(sim, 'GET', `${REG}/big`, { headers });
      assert.equal(small.body.length, size);
      JSON.parse(small.body.toString('utf8'));
    }
    assert.equal(sim.stats().calls, 0, 'the route never ran');
    assert.equal(sim.requests()[0]!.status, 200);
    assert.equal(lastEvent(sim.events(), 'fault')?.status, 200);
  });

  test('oversize sends 16 MiB + 1 KiB by default', async () => {
    sim.addFault({ kind: 'oversize', path: `${REG}/*`, times: 1 });
    const reply = await rawRequest(sim, 'GET', `${REG}/huge`, { headers });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-length'], undefined);
    assert.equal(DEFAULT_OVERSIZE_BYTES, 16 * 1024 * 1024 + 1024);
    assert.equal(reply.body.length, DEFAULT_OVERSIZE_BYTES);
    assert.ok(reply.body.length > 16 * 1024 * 1024);
    assert.equal(reply.body.subarray(0, 12).toString('utf8'), '{"padding":"');
    assert.equal(reply.body.subarray(-2).toString('utf8'), '"}');
  });

  test('the admin API takes and lists the new fields', async () => {
    const rules = [
      { kind: 'html', status: 503, path: `${REG}/*` },
      { kind: 'truncate', truncateAt: 3, method: 'GET', pathRegex: 'DEVICEcredentials\\b', pathRegexFlags: 'i' },
      { kind: 'oversize', sizeBytes: 1024, declareLength: true, times: 2 },
      { kind: 'status', status: 429, retryAfterSeconds: 5, probability: 0.5 },
      { kind: 'throttle', retryAfterSeconds: 60 },
    ];
    const ids: string[] = [];
    for (const rule of rules) {
      const reply = await client.request('POST', FAULTS, { json: rule });
      assert.equal(reply.status, 200, reply.text);
      ids.push(reply.json.id);
    }
    const listed = await client.request('GET', FAULTS);
    assert.deepEqual(
      listed.json.map((f: { id: string; rule: unknown }) => [f.id, f.rule]),
      rules.map((rule, i) => [ids[i], rule]),
    );
    const html = await client.request('GET', `${REG}/abc`, { headers });
    assert.equal(html.status, 503);
    assert.equal(html.headers['content-type'], 'text/html; charset=utf-8');
    const refused = await client.request('POST', FAULTS, { json: { kind: 'oversize', sizeBytes: 0 } });
    assert.equal(refused.status, 400);
    assert.equal(refused.json.error_code, '100405');
    assert.match(refused.json.error_desc, /sizeBytes/);
    const badFlag = await client.request('POST', FAULTS, { json: { kind: 'oversize', declareLength: 'yes' } });
    assert.equal(badFlag.status, 400);
    assert.match(badFlag.json.error_desc, /declareLength/);
  });

  test('invalid values of the new fields are refused with a TypeError naming the field', () => {
    const refused = (rule: Record<string, unknown>, field: RegExp): void => {
      assert.throws(() => sim.addFault(rule as never), (err: Error) => {
        assert.ok(err instanceof TypeError, String(err));
        assert.match(err.message, field);
        return true;
      });
    };
    for (const truncateAt of [-1, 1.5, '10', Number.NaN, Infinity]) refused({ kind: 'truncate', truncateAt }, /truncateAt/);
    for (const sizeBytes of [0, -5, 2.5, MAX_OVERSIZE_BYTES + 1, '100', null]) refused({ kind: 'oversize', sizeBytes }, /sizeBytes/);
    for (const declareLength of ['true', 1, null]) refused({ kind: 'oversize', declareLength }, /declareLength/);
    for (const retryAfterSeconds of [-1, 0.5, '30', Infinity]) {
      refused({ kind: 'status', status: 503, retryAfterSeconds }, /retryAfterSeconds/);
      refused({ kind: 'throttle', retryAfterSeconds }, /retryAfterSeconds/);
    }
    for (const status of [99, 600, 204, 304, 502.5, '502']) {
      refused({ kind: 'html', status }, /status/);
      refused({ kind: 'oversize', status }, /status/);
    }
    assert.deepEqual(sim.stats().faults, 0);
    // Upper bounds are accepted.
    sim.addFault({ kind: 'oversize', sizeBytes: MAX_OVERSIZE_BYTES, probability: 0 });
    sim.addFault({ kind: 'truncate', truncateAt: 0, probability: 0 });
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

describe('oversize with a client that goes away', () => {
  test('the server stops writing when the client aborts, and stops cleanly', async () => {
    const sim = await startSimulator({ faults: [{ kind: 'oversize', path: '/big', sizeBytes: MAX_OVERSIZE_BYTES }] });
    const client = new TestClient(sim);
    try {
      const url = new URL(sim.url);
      const received = await new Promise<number>((resolve, reject) => {
        const req = https.request({ host: url.hostname, port: url.port, path: '/big', ca: sim.ca, agent: false }, (res) => {
          res.once('data', (chunk: Buffer) => {
            req.destroy();
            resolve(chunk.length);
          });
        });
        req.on('error', (err) => {
          if (!req.destroyed) reject(err);
        });
        req.end();
      });
      assert.ok(received > 0 && received < MAX_OVERSIZE_BYTES);
      await waitFor(() => sim.stats().faults === 1);
      // Still answering other requests on other connections.
      assert.equal((await client.request('GET', '/simulator/v1/stats')).status, 200);
      assert.equal((await client.request('GET', '/other')).status, 404);
    } finally {
      client.close();
      await sim.stop();
    }
  });

  test('stop() ends a stream whose client stopped reading', async () => {
    const sim = await startSimulator({ faults: [{ kind: 'oversize', sizeBytes: MAX_OVERSIZE_BYTES, declareLength: true }] });
    const url = new URL(sim.url);
    let response: http.IncomingMessage | undefined;
    let received = 0;
    const ended = new Promise<string>((resolve) => {
      const req = https.request({ host: url.hostname, port: url.port, path: '/slow', ca: sim.ca, agent: false }, (res) => {
        response = res;
        res.on('data', (chunk: Buffer) => {
          if (received === 0) res.pause();
          received += chunk.length;
        });
        res.on('error', () => resolve('cut'));
        res.on('end', () => resolve('complete'));
      });
      req.on('error', () => resolve('failed'));
      req.end();
    });
    await waitFor(() => received > 0);
    assert.equal(response?.headers['content-length'], String(MAX_OVERSIZE_BYTES));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sim.stop();
    // A paused client only notices the closed connection once it reads again.
    response?.resume();
    assert.equal(await ended, 'cut');
    assert.ok(received < MAX_OVERSIZE_BYTES);
  });
});

describe('writeChunks', () => {
  test('waits for drain when the sink is full and stops when it closes', async () => {
    const written: number[] = [];
    let release: (() => void) | undefined;
    const sink = new Writable({
      highWaterMark: 10,
      write(chunk: Buffer, _encoding, callback) {
        written.push(chunk.length);
        release = callback;
      },
    });
    let writeCalls = 0;
    const write = sink.write.bind(sink);
    const spied = Object.assign(sink, {
      write: (chunk: Buffer) => {
        writeCalls += 1;
        return write(chunk);
      },
    });
    const chunks = [Buffer.alloc(8), Buffer.alloc(8), Buffer.alloc(8), Buffer.alloc(8)];
    const done = writeChunks(spied, chunks, () => false);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writeCalls, 2, 'the second write filled the sink: waiting for drain');
    assert.deepEqual(written, [8]);
    release?.();
    await waitFor(() => written.length === 2);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(writeCalls, 2, 'not drained yet');
    sink.destroy();
    assert.equal(await done, false);
    assert.equal(writeCalls, 2, 'no write after the close');
  });

  test('writes every chunk to an open sink; stops when told to', async () => {
    const received: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        received.push(chunk);
        callback();
      },
    });
    assert.equal(await writeChunks(sink, oversizeChunks(300_000), () => false), true);
    assert.equal(Buffer.concat(received).length, 300_000);
    let calls = 0;
    assert.equal(await writeChunks(sink, oversizeChunks(300_000), () => ++calls > 2), false);
    assert.equal(Buffer.concat(received).length, 300_000 + 12 + 64 * 1024);
    sink.destroy();
  });
});

describe('new fault kinds through the admin API of a simulator process', () => {
  let remote: RemoteSimulator;
  let client: TestClient;
  let headers: Record<string, string>;
  const app = { appId: 'remoteFaultApp', secret: 'remoteFaultSecret' };

  before(async () => {
    remote = await startSimulatorProcess({ apps: [app], faults: [{ kind: 'html', path: '/start-html', times: 1 }] });
    client = new TestClient(remote);
    headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
  });
  after(async () => {
    client.close();
    await remote.stop();
  });

  test('html, truncate, oversize and Retry-After work through RemoteSimulator', async () => {
    const start = await client.request('GET', '/start-html');
    assert.equal(start.status, 502);
    assert.equal(start.headers['content-type'], 'text/html; charset=utf-8');

    const truncateId = await remote.addFault({ kind: 'truncate', method: 'POST', path: /deviceCredentials$/, truncateAt: 5 });
    const cut = await rawRequest(remote, 'POST', REG, { headers, json: { nodeId: 'REMOTE-TRUNC' } });
    assert.equal(cut.status, 200);
    assert.equal(cut.body.toString('utf8'), '{"dev');
    assert.equal(cut.complete, false);
    await remote.removeFault(truncateId);
    const again = await client.request('POST', REG, { headers, json: { nodeId: 'REMOTE-TRUNC' } });
    assert.equal(again.json.error_code, '100426', 'registered despite the cut answer');

    await remote.addFault({ kind: 'oversize', path: `${REG}/big`, sizeBytes: 300_000, times: 1 });
    const big = await rawRequest(remote, 'GET', `${REG}/big`, { headers });
    assert.equal(big.headers['transfer-encoding'], 'chunked');
    assert.equal(big.body.length, 300_000);

    await remote.addFault({ kind: 'throttle', path: `${REG}/t`, retryAfterSeconds: 7 });
    const throttled = await client.request('GET', `${REG}/t`, { headers });
    assert.equal(throttled.status, 403);
    assert.equal(throttled.headers['retry-after'], '7');

    const listed = await client.request('GET', FAULTS);
    assert.deepEqual(listed.json.map((f: { rule: unknown }) => f.rule), [
      { kind: 'throttle', path: `${REG}/t`, retryAfterSeconds: 7 },
    ]);
    await remote.clearFaults();
    assert.equal((await client.request('GET', `${REG}/t`, { headers })).status, 404);

    const events = (await remote.events()).filter((e) => e.type === 'fault');
    assert.deepEqual(events.map((e) => e.detail?.split(' ')[0]), ['html', 'truncate', 'oversize', 'throttle']);
    assert.equal((await remote.stats()).faults, 4);
    assert.equal((await remote.requests()).find((r) => r.path === REG)?.status, 200);
  });

  test('bad values are refused with a 400 naming the field', async () => {
    await assert.rejects(remote.addFault({ kind: 'truncate', truncateAt: -1 }), /400.*truncateAt/);
    await assert.rejects(remote.addFault({ kind: 'status', status: 503, retryAfterSeconds: -2 }), /400.*retryAfterSeconds/);
    await assert.rejects(remote.addFault({ kind: 'oversize', sizeBytes: MAX_OVERSIZE_BYTES * 2 }), /400.*sizeBytes/);
    assert.deepEqual((await client.request('GET', FAULTS)).json, []);
  });
});
