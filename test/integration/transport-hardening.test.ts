import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, afterEach, before, describe, test } from 'node:test';
import { Authentication, DeviceManagement, NorthApiClient, NorthApiException, type HttpOptions } from '../../src/index.js';
import { startSimulator, type Simulator, type SimulatorApp, type SimulatorOptions } from '../../src/simulator/index.js';
import { capturingLogger, randomNodeId, sdkFor, sleep } from '../helpers/sdk.js';
import { rejectsWith } from '../helpers/wire.js';
import { waitFor } from '../simulator/helpers.js';
import { refresherRegistry } from '../../src/auth/refresher-registry.js';

const LOGIN = '/iocm/app/sec/v1.1.0/login';
const REFRESH = '/iocm/app/sec/v1.1.0/refreshToken';
const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';

/** A client of `sim` with an explicit token (no timer), its logger capturing, and the given http options. */
async function explicitClient(sim: Simulator, http: HttpOptions = {}) {
  const logger = capturingLogger();
  const sdk = sdkFor(sim, sim.apps[0], { http, logger });
  const token = (await sdk.auth.getAuthToken()).accessToken;
  sim.clearRecords();
  return { ...sdk, logger, token };
}

/** A simulator for the enclosing describe(), handed to `use`: its faults cleared after each test, stopped after the last. */
function useSimulator(options: SimulatorOptions, use: (sim: Simulator) => void): void {
  let sim: Simulator | undefined;
  before(async () => {
    sim = await startSimulator(options);
    use(sim);
  });
  afterEach(() => sim?.clearFaults());
  after(() => sim?.stop());
}

function requestsTo(sim: Simulator, method: string, prefix: string) {
  return sim.requests().filter((r) => r.method === method && r.path.startsWith(prefix));
}

async function registered(sim: Simulator, devices: DeviceManagement, token: string): Promise<string> {
  const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, token);
  sim.clearRecords();
  return deviceId;
}

describe('retries: only where a repeat is harmless', () => {
  let sim: Simulator;
  useSimulator({}, (started) => (sim = started));

  test('GET is sent again after a 5xx answer and after a connection reset, and succeeds', async () => {
    const { client, devices, logger, token } = await explicitClient(sim, { retryBaseDelayMs: 20 });
    const deviceId = await registered(sim, devices, token);
    sim.addFault({ kind: 'status', status: 503, method: 'GET', path: `${REG}/*`, times: 1 });
    sim.addFault({ kind: 'reset', method: 'GET', path: `${REG}/*`, times: 1 });
    const status = await devices.queryDeviceStatus(deviceId, null, token);
    assert.equal(status.deviceId, deviceId);
    assert.deepEqual(requestsTo(sim, 'GET', REG).map((r) => r.status), [503, 0, 200]);
    // Never deflate: node-fetch would hold such an answer back until its first body byte, losing the status of a failure.
    assert.equal(requestsTo(sim, 'GET', REG)[0]!.headers['accept-encoding'], 'gzip, br');
    const retries = logger.lines.filter((line) => /retry \d in \d+ ms/.test(line));
    assert.equal(retries.length, 2, logger.lines.join('\n'));
    assert.ok(retries.every((line) => !line.includes(token)));
    client.close();
  });

  test('PUT and DELETE are retried like GET', async () => {
    const { client, devices, token } = await explicitClient(sim, { retryBaseDelayMs: 20 });
    const deviceId = await registered(sim, devices, token);
    sim.addFault({ kind: 'status', status: 502, method: 'PUT', times: 1 });
    await devices.modifyDeviceInfo({ name: 'renamed' }, deviceId, null, token);
    sim.addFault({ kind: 'reset', method: 'DELETE', times: 1 });
    await devices.deleteDirectDevice(deviceId, undefined, null, token);
    assert.deepEqual(sim.requests().map((r) => `${r.method} ${r.status}`), ['PUT 502', 'PUT 204', 'DELETE 0', 'DELETE 204']);
    client.close();
  });

  test('POST is never sent twice: a 503 or a reset after sending is surfaced as it is', async () => {
    const { client, devices, token } = await explicitClient(sim, { retryBaseDelayMs: 20 });
    sim.addFault({ kind: 'status', status: 503, method: 'POST', path: REG, times: 1 });
    await rejectsWith(devices.regDirectDevice({ nodeId: randomNodeId() }, null, token), '50252', 503);
    assert.equal(requestsTo(sim, 'POST', REG).length, 1);
    sim.clearRecords();
    sim.addFault({ kind: 'reset', method: 'POST', path: REG, times: 1 });
    const reset = await rejectsWith(devices.regDirectDevice({ nodeId: randomNodeId() }, null, token), '1003', -1);
    assert.match(reset.message, /ECONNRESET|socket hang up/);
    assert.equal(requestsTo(sim, 'POST', REG).length, 1);
    client.close();
  });

  test('a POST that never left (connection refused) is sent once the platform is reachable', async () => {
    const app: SimulatorApp = { appId: 'lateStarter', secret: 'lateStarterSecret-1' };
    const first = await startSimulator({ protocol: 'http', apps: [app] });
    const port = first.port;
    await first.stop();
    let late: Promise<Simulator> | undefined;
    const logger = capturingLogger();
    logger.debug = (line: string) => {
      logger.lines.push(line);
      late ??= startSimulator({ protocol: 'http', port, apps: [app] });
    };
    const client = new NorthApiClient({
      clientInfo: { platformIp: '127.0.0.1', platformPort: port, appId: app.appId, secret: app.secret, scheme: 'http' },
      http: { retries: 3, retryBaseDelayMs: 300 },
      logger,
    });
    try {
      const grant = await new Authentication(client).getAuthToken();
      assert.ok(grant.accessToken.length > 0);
      assert.ok(late, 'the first attempt was refused and retried');
      const sim = await late;
      assert.equal(sim.stats().logins, 1, 'sent exactly once');
      assert.match(logger.lines[0] ?? '', /POST \/iocm\/app\/sec\/v1\.1\.0\/login: 1003.*retry 1/);
      await sim.stop();
    } finally {
      client.close();
      if (late) await (await late).stop();
    }
  });

  test('http.retries bounds the attempts; 0 turns retries off', async () => {
    sim.addFault({ kind: 'status', status: 500, method: 'GET' });
    for (const [retries, expected] of [
      [0, 1],
      [1, 2],
      [undefined, 3],
    ] as const) {
      const { client, devices, token } = await explicitClient(sim, { retries, retryBaseDelayMs: 10 });
      await rejectsWith(devices.queryDeviceStatus('some-device', null, token), '50252', 500);
      assert.equal(requestsTo(sim, 'GET', REG).length, expected, `retries ${retries}`);
      client.close();
    }
  });

  test('a Retry-After is waited for, and one longer than retryMaxDelayMs is surfaced at once', async () => {
    const { client, devices, token } = await explicitClient(sim, { retryMaxDelayMs: 2_000 });
    sim.addFault({ kind: 'status', status: 503, method: 'GET', retryAfterSeconds: 1, times: 1 });
    await rejectsWith(devices.queryDeviceStatus('no-such-device', null, token), '100403', 404);
    const [first, second] = requestsTo(sim, 'GET', REG);
    assert.ok(second!.time - first!.time >= 950, `retried after ${second!.time - first!.time} ms`);
    sim.clearRecords();
    sim.addFault({ kind: 'status', status: 503, method: 'GET', retryAfterSeconds: 3, times: 1 });
    const error = await rejectsWith(devices.queryDeviceStatus('no-such-device', null, token), '50252', 503);
    assert.equal(error.retryAfterMs, 3_000);
    assert.equal(requestsTo(sim, 'GET', REG).length, 1);
    client.close();
  });

  test('no retry for a timeout, a TLS failure or an untrusted server', async () => {
    const { client, devices, token } = await explicitClient(sim, { timeoutMs: 300, retryBaseDelayMs: 10 });
    sim.addFault({ kind: 'hang', method: 'GET', times: 1 });
    await rejectsWith(devices.queryDeviceStatus('x', null, token), '1012', -1);
    assert.equal(requestsTo(sim, 'GET', REG).length, 1);
    client.close();
    const other = await startSimulator();
    const logger = capturingLogger();
    const foreign = sdkFor(other, other.apps[0], { http: { retryBaseDelayMs: 10 }, logger });
    foreign.client.initSSLConfig({ ca: sim.ca });
    const refused = await rejectsWith(foreign.devices.queryDeviceStatus('x', null, 'tok3n-value'), '1003', -1);
    assert.match(refused.message, /UNABLE_TO_VERIFY|CERT/);
    assert.deepEqual(logger.lines.filter((line) => /retry/.test(line)), [], 'no retry after a TLS failure');
    foreign.client.close();
    await other.stop();
  });
});

describe('flow control (1010009): surfaced after the backoff, never hammered', () => {
  let sim: Simulator;
  useSimulator({}, (started) => (sim = started));

  test('the throttled call fails with 1010009 once the wait is over, and calls made meanwhile wait too', async () => {
    const { client, devices, logger, token } = await explicitClient(sim, { throttleBaseDelayMs: 600 });
    const deviceId = await registered(sim, devices, token);
    sim.addFault({ kind: 'throttle', method: 'GET', times: 1 });
    let throttledAt = 0;
    let during: Promise<unknown> | undefined;
    logger.warn = (line: string) => {
      logger.lines.push(line);
      throttledAt = performance.now();
      during ??= devices.queryDeviceStatus(deviceId, null, token);
    };
    const started = performance.now();
    const error = await rejectsWith(devices.queryDeviceStatus(deviceId, null, token), '1010009', 403);
    const waited = performance.now() - throttledAt;
    assert.ok(throttledAt > started, 'the throttle was logged');
    assert.ok(waited >= 290, `surfaced ${waited.toFixed(0)} ms after the 1010009 (backoff is 300..600 ms)`);
    assert.match(logger.lines.find((l) => l.includes('1010009')) ?? '', /flow control/i);
    assert.ok(during, 'a call was made while the backoff ran');
    await during;
    const [throttled, afterwards] = requestsTo(sim, 'GET', REG);
    assert.equal(throttled!.status, 403);
    assert.equal(afterwards!.status, 200);
    assert.ok(afterwards!.time - throttled!.time >= 290, 'the call made during the backoff was held back');
    assert.equal(error.httpStatusCode, 403);
    client.close();
  });

  test('a 1010009 answering a request sent before the wait began changes nothing; the probe that succeeds opens the way', async () => {
    const { client, devices, logger, token } = await explicitClient(sim, { throttleBaseDelayMs: 200 });
    const warnings: string[] = [];
    logger.warn = (line: string) => void warnings.push(line);
    sim.addFault({ kind: 'latency', latencyMs: 600, method: 'GET', path: `${REG}/slow` });
    sim.addFault({ kind: 'throttle', method: 'GET', path: `${REG}/slow`, times: 1 });
    sim.addFault({ kind: 'throttle', method: 'GET', path: `${REG}/fast`, times: 1 });
    const slow = rejectsWith(devices.queryDeviceStatus('slow', null, token), '1010009', 403);
    await sleep(20);
    await rejectsWith(devices.queryDeviceStatus('fast', null, token), '1010009', 403);
    await rejectsWith(devices.queryDeviceStatus('probe', null, token), '100403', 404); // the probe: an answer, not a 1010009
    await slow;
    assert.equal(warnings.length, 1, `one wait only: ${warnings.join(' | ')}`);
    sim.clearRecords();
    await Promise.all(['a', 'b', 'c'].map((id) => rejectsWith(devices.queryDeviceStatus(id, null, token), '100403', 404)));
    assert.equal(requestsTo(sim, 'GET', REG).length, 3, 'the way is open for all');
    client.close();
  });

  test('under sustained throttling the platform sees one probe per wait; calls held back fail with 1010009 unsent', async () => {
    const { client, devices, token } = await explicitClient(sim, { throttleBaseDelayMs: 100, throttleMaxDelayMs: 400 });
    const deviceId = await registered(sim, devices, token);
    sim.addFault({ kind: 'throttle', method: 'GET' });
    const callers = 20;
    const until = Date.now() + 2_500;
    const outcomes = new Map<string, number>();
    let calls = 0;
    await Promise.all(
      Array.from({ length: callers }, async () => {
        while (Date.now() < until) {
          calls += 1;
          const code = await devices.queryDeviceStatus(deviceId, null, token).then(
            () => 'ok',
            (e: unknown) => (e instanceof NorthApiException ? e.errorCode : String(e)),
          );
          outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
        }
      }),
    );
    const sent = requestsTo(sim, 'GET', REG).length;
    console.log(`sustained throttling: ${calls} calls by ${callers} callers, ${sent} requests reached the platform, outcomes ${JSON.stringify(Object.fromEntries(outcomes))}`);
    assert.deepEqual([...outcomes.keys()], ['1010009']);
    // The first calls all went out together; after that, one probe per wait (100, 200, 400, 400, ... ms, each at
    // least half that with jitter): at most 3 + 2500 / 200 of them.
    assert.ok(sent <= callers + 16, `${sent} requests for ${calls} calls`);
    assert.ok(calls >= 3 * sent, `${calls} calls, ${sent} requests: the calls held back were not sent`);
    sim.clearFaults();
    sim.clearRecords();
    await sleep(450);
    const results = await Promise.all(Array.from({ length: callers }, () => devices.queryDeviceStatus(deviceId, null, token)));
    assert.equal(results.length, callers);
    assert.equal(requestsTo(sim, 'GET', REG).length, callers, 'once the probe succeeds, the gate opens for all');
    client.close();
  });
});

describe('cancellation: a caller AbortSignal cancels any call', () => {
  let sim: Simulator;
  useSimulator({ tokenLifetimeSeconds: 2 }, (started) => (sim = started));

  test('while waiting for an answer, for a retry, or before anything is sent', async () => {
    const { client, devices, token } = await explicitClient(sim, { retryBaseDelayMs: 10_000, retryMaxDelayMs: 20_000 });
    sim.addFault({ kind: 'hang', method: 'GET', times: 1 });
    const hung = devices.withOptions({ signal: AbortSignal.timeout(150) }).queryDeviceStatus('a', null, token);
    await rejectsWith(hung, '1013', -1);

    sim.addFault({ kind: 'status', status: 503, method: 'GET' });
    sim.clearRecords();
    const controller = new AbortController();
    const waiting = devices.withOptions({ signal: controller.signal }).queryDeviceStatus('b', null, token);
    setTimeout(() => controller.abort(), 300);
    await rejectsWith(waiting, '1013', -1);
    assert.equal(requestsTo(sim, 'GET', REG).length, 1, 'aborted during the backoff before the retry');

    sim.clearRecords();
    await rejectsWith(devices.withOptions({ signal: AbortSignal.abort() }).queryDeviceStatus('c', null, token), '1013', -1);
    assert.equal(sim.requests().length, 0);
    client.close();
  });

  test('while waiting for a token the refresher cannot get', async () => {
    const { client, auth, devices } = sdkFor(sim);
    await auth.startRefreshTokenTimer();
    sim.addFault({ kind: 'hang', path: LOGIN });
    sim.addFault({ kind: 'hang', path: REFRESH });
    await sleep(2_300); // the token has expired; its renewal hangs
    sim.clearRecords();
    const started = performance.now();
    const call = devices.withOptions({ signal: AbortSignal.timeout(300) }).queryDeviceStatus('d', null, null);
    await rejectsWith(call, '1013', -1);
    assert.ok(performance.now() - started < 10_000);
    assert.equal(requestsTo(sim, 'GET', REG).length, 0, 'no call went out with an expired token');
    sim.clearFaults();
    await auth.stopRefreshTokenTimer();
    client.close();
  });

  test('token calls and the start of the timer take a signal too', async () => {
    const { client, auth } = sdkFor(sim, sim.apps[0], { http: { timeoutMs: 500 } });
    sim.addFault({ kind: 'hang', path: LOGIN });
    await rejectsWith(auth.getAuthToken({ signal: AbortSignal.timeout(150) }), '1013', -1);
    await rejectsWith(auth.refreshAuthToken({ appId: 'a', secret: 's', refreshToken: 'r' }, { signal: AbortSignal.abort() }), '1013', -1);

    // A signal that has already fired: nothing starts, nothing logs in.
    const loginsBefore = sim.stats().logins;
    await rejectsWith(auth.startRefreshTokenTimer({ signal: AbortSignal.abort() }), '1013', -1);
    assert.equal(sim.stats().logins, loginsBefore);
    assert.equal(refresherRegistry.handles().length, 0);

    // A start its only caller gave up on is undone once it finishes.
    await rejectsWith(auth.startRefreshTokenTimer({ signal: AbortSignal.timeout(150) }), '1013', -1);
    sim.clearFaults();
    await waitFor(() => refresherRegistry.handles().length === 0 && sim.stats().logins >= 1);
    await sleep(200);
    assert.equal(auth.isRefreshTokenTimerRunning(), false);
    assert.equal(refresherRegistry.handles().length, 0, 'no refresher left running');

    // Unless another caller still waits for it.
    sim.addFault({ kind: 'hang', path: LOGIN, times: 1 });
    const abandoned = auth.startRefreshTokenTimer({ signal: AbortSignal.timeout(100) });
    const kept = auth.startRefreshTokenTimer({ signal: new AbortController().signal });
    await rejectsWith(abandoned, '1013', -1);
    await kept;
    await sleep(100);
    assert.equal(auth.isRefreshTokenTimerRunning(), true);
    await auth.stopRefreshTokenTimer();
    client.close();
  });

  test('many calls sharing one signal: one listener on it, no MaxListeners warning', async () => {
    const { client, devices, token } = await explicitClient(sim);
    const deviceId = await registered(sim, devices, token);
    const warnings: string[] = [];
    const onWarning = (warning: Error): void => {
      warnings.push(warning.name);
    };
    process.on('warning', onWarning);
    const shared = new AbortController();
    sim.addFault({ kind: 'latency', latencyMs: 100, method: 'GET' });
    const calls = Array.from({ length: 30 }, () => devices.withOptions({ signal: shared.signal }).queryDeviceStatus(deviceId, null, token));
    await sleep(50);
    assert.equal(getEventListeners(shared.signal, 'abort').length, 1);
    await Promise.all(calls);
    assert.equal(getEventListeners(shared.signal, 'abort').length, 0);
    await sleep(10);
    process.off('warning', onWarning);
    assert.deepEqual(warnings, []);
    client.close();
  });

  test('a long-lived signal keeps no listener once its calls are over', async () => {
    const { client, devices, token } = await explicitClient(sim);
    const deviceId = await registered(sim, devices, token);
    const shutdown = new AbortController();
    const withSignal = devices.withOptions({ signal: shutdown.signal });
    for (let i = 0; i < 200; i += 1) await withSignal.queryDeviceStatus(deviceId, null, token);
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 0);
    sim.addFault({ kind: 'hang', method: 'GET', times: 1 });
    const hung = withSignal.queryDeviceStatus(deviceId, null, token);
    await sleep(100);
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 1, 'one listener while a call is in flight');
    shutdown.abort();
    await rejectsWith(hung, '1013', -1);
    assert.equal(getEventListeners(shutdown.signal, 'abort').length, 0);
    client.close();
  });

  test('withOptions checks its options and leaves the original service as it was', async () => {
    const { client, devices } = sdkFor(sim);
    assert.throws(() => devices.withOptions({ signal: 'soon' as unknown as AbortSignal }), (e: NorthApiException) => e.errorCode === '1017');
    assert.throws(() => devices.withOptions({ timeout: 5 } as never), (e: NorthApiException) => e.errorCode === '1017' && /timeout/.test(e.message));
    const view = devices.withOptions({ signal: AbortSignal.abort() });
    assert.ok(view instanceof DeviceManagement);
    assert.equal(String(view), String(devices));
    await rejectsWith(view.queryDeviceStatus('x', null, 'tok3n-value'), '1013');
    sim.clearRecords();
    await rejectsWith(devices.queryDeviceStatus('x', null, 'tok3n-value'), '1010005', 403);
    assert.equal(sim.requests().length, 1, 'the original service has no signal');
    client.close();
  });
});

describe('oversized answers are dropped, not drained', () => {
  test('a declared length over the cap closes the connection at once, even for a call with a signal', async () => {
    let written = 0;
    let closed!: () => void;
    const connectionClosed = new Promise<void>((resolve) => (closed = resolve));
    const server = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(1e12) });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = (): void => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      res.socket?.once('close', closed);
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const client = new NorthApiClient({ clientInfo: { platformIp: '127.0.0.1', platformPort: port, appId: 'bigApp', secret: 'bigSecret', scheme: 'http' } });
    const devices = new DeviceManagement(client).withOptions({ signal: new AbortController().signal });
    await rejectsWith(devices.queryDeviceStatus('x', null, 'tok3n-value'), '1004', 200, /larger than/);
    await connectionClosed;
    assert.ok(written < 32 * 1024 * 1024, `${written} bytes written before the connection closed`);
    client.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('redirects are never followed: no credential goes elsewhere', () => {
  const servers: http.Server[] = [];
  after(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  async function listen(handler: http.RequestListener): Promise<number> {
    const server = http.createServer(handler);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  test('login, refresh and the timer get the 3xx as an error; the other host sees nothing', async () => {
    const stolen: string[] = [];
    const thief = await listen((req, res) => {
      stolen.push(`${req.method} ${req.url}`);
      res.end('{}');
    });
    const redirector = await listen((req, res) => {
      req.resume();
      res.writeHead(307, { Location: `http://127.0.0.1:${thief}${req.url}` }).end();
    });
    const secret = 'redirect-Secret-value-42';
    const logger = capturingLogger();
    const client = new NorthApiClient({ clientInfo: { platformIp: '127.0.0.1', platformPort: redirector, appId: 'redirApp', secret, scheme: 'http' }, logger });
    const auth = new Authentication(client);
    const attempts = [
      auth.getAuthToken(),
      auth.refreshAuthToken({ appId: 'redirApp', secret, refreshToken: 'refresh-Token-value-42' }),
      auth.startRefreshTokenTimer(),
    ];
    for (const attempt of attempts) {
      const error = await rejectsWith(attempt, '1005', 307);
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        assert.ok(!text.includes(secret) && !text.includes('refresh-Token-value-42'));
      }
    }
    await auth.stopRefreshTokenTimer();
    client.close();
    assert.deepEqual(stolen, []);
    assert.ok(logger.lines.every((line) => !line.includes(secret)));
  });
});

describe('TLS: verification stays on unless turned off explicitly', () => {
  let sim: Simulator;
  let mutual: Simulator;
  before(async () => {
    sim = await startSimulator();
    mutual = await startSimulator({ requireClientCertificate: true, tokenLifetimeSeconds: 2 });
  });
  after(async () => {
    await Promise.all([sim.stop(), mutual.stop()]);
  });

  test('without the CA the simulator is refused; rejectUnauthorized: false works, with a warning', async () => {
    const app = sim.apps[0]!;
    const clientInfo = { platformIp: sim.host, platformPort: sim.port, appId: app.appId, secret: app.secret };
    const logger = capturingLogger();
    const strict = new NorthApiClient({ clientInfo, logger });
    await rejectsWith(new Authentication(strict).getAuthToken(), '1003', -1);
    assert.deepEqual(logger.lines, []);
    strict.close();
    const lax = new NorthApiClient({ clientInfo, logger, ssl: { rejectUnauthorized: false } });
    assert.match(logger.lines.join('\n'), /verification is OFF/);
    assert.ok((await new Authentication(lax).getAuthToken()).accessToken);
    lax.close();
  });

  test('mutual TLS: the refresher worker presents the client certificate too, and null-token calls work', async () => {
    const { cert, key } = mutual.issueClientCertificate('timer-test');
    const withCert = sdkFor(mutual, mutual.apps[0], {});
    withCert.client.initSSLConfig({ ca: mutual.ca, cert, key });
    await withCert.auth.startRefreshTokenTimer();
    const { deviceId } = await withCert.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    await sleep(2_200); // at least one refresh, over mutual TLS
    assert.equal((await withCert.devices.queryDeviceStatus(deviceId, null, null)).deviceId, deviceId);
    assert.ok(mutual.stats().refreshes + mutual.stats().logins >= 2);
    await withCert.auth.stopRefreshTokenTimer();
    withCert.client.close();

    const without = sdkFor(mutual);
    await rejectsWith(without.auth.startRefreshTokenTimer(), '1003', -1);
    await without.auth.stopRefreshTokenTimer();
    without.client.close();
  });
});
