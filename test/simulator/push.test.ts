import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  startSimulator,
  startSimulatorProcess,
  type PushDelivery,
  type RemoteSimulator,
  type Simulator,
  type SimulatorOptions,
} from '../../src/simulator/index.js';
import { recordedUrl } from '../../src/simulator/push.js';
import { childArgs } from '../../src/simulator/remote.js';
import { parseCliArgs } from '../../src/simulator/standalone.js';
import { createCertificateAuthority, issueServerCertificate } from '../../src/simulator/tls.js';
import { lastEvent, leakedIn, TestClient, waitFor, type Reply } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const SHADOW = '/iocm/app/shadow/v1.5.0/devices';
const COMMANDS = '/iocm/app/cmd/v1.4.0/deviceCommands';
const SUBS = '/iocm/app/sub/v1.2.0/subscriptions';
const MANAGEMENT = '/iodm/app/sub/v1.1.0/subscribe';
const LEGACY = '/iocm/app/sub/v1.1.0/subscribe';
const UPGRADES = '/iodm/northbound/v1.5.0/operations';
const METER = { deviceType: 'WaterMeter', model: 'WM-1', manufacturerName: 'Acme' };
const ILLEGAL_URL = { error_code: '100222', error_desc: 'The callbackurl is illegal.' };

/** One POST a receiver got. */
interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
  /** When it arrived and when it was answered (Date.now()). */
  arrived: number;
  answered: number;
}

interface Receiver {
  /** `http(s)://127.0.0.1:<port><path>`. */
  url(path: string): string;
  readonly received: Received[];
  /** What arrived at one path, in order. */
  at(path: string): Received[];
  close(): Promise<void>;
}

interface ReceiverOptions {
  /** Serve HTTPS with this certificate. */
  tls?: { cert: string; key: string };
  /** Status to answer to the n-th request (0-based) of a path. Default 200. */
  status?: (n: number, path: string) => number;
  /** Delay before answering, ms. Default 0. */
  delayMs?: number;
  /** Never answer. */
  hang?: boolean;
}

/** An HTTP(S) server on 127.0.0.1 (port 0) that records every request; close() ends every connection. */
async function startReceiver(options: ReceiverOptions = {}): Promise<Receiver> {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const n = counts.get(path) ?? 0;
      counts.set(path, n + 1);
      const text = Buffer.concat(chunks).toString('utf8');
      const entry: Received = { path, headers: req.headers, text, json: JSON.parse(text), arrived: Date.now(), answered: 0 };
      received.push(entry);
      if (options.hang) return;
      const answer = (): void => {
        entry.answered = Date.now();
        res.writeHead(options.status?.(n, path) ?? 200, { 'Content-Type': 'application/json' });
        res.end('{}');
      };
      if (options.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          answer();
        }, options.delayMs);
        timers.add(timer);
      } else {
        answer();
      }
    });
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return {
    url: (path) => `${scheme}://127.0.0.1:${port}${path}`,
    received,
    at: (path) => received.filter((r) => r.path === path),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls the deliveries until `count` of them match `filter` and are no longer pending. */
async function waitForPushes(
  sim: { pushDeliveries(): PushDelivery[] | Promise<PushDelivery[]> },
  count: number,
  filter: (d: PushDelivery) => boolean = () => true,
): Promise<PushDelivery[]> {
  return waitFor(async () => {
    const found = (await sim.pushDeliveries()).filter(filter);
    return found.length >= count && found.every((d) => d.outcome !== 'pending') ? found : undefined;
  });
}

/** Compact JSON: exactly what JSON.stringify writes, so no blank after a colon or comma. */
function assertCompact(text: string): void {
  assert.equal(text, JSON.stringify(JSON.parse(text)));
  assert.ok(!text.includes('": ') && !text.includes(', "'), text);
}

/** A logged-in client of one app and the calls the tests repeat. */
async function connect(sim: Pick<Simulator, 'url' | 'ca' | 'protocol'>, app: { appId: string; secret: string }) {
  const client = new TestClient(sim);
  const pair = await client.login(app.appId, app.secret);
  const headers = TestClient.auth(app.appId, pair.accessToken);
  const call = (method: string, path: string, json?: unknown): Promise<Reply> => client.request(method, path, { headers, ...(json === undefined ? {} : { json }) });
  const register = async (deviceInfo: Record<string, unknown> = {}): Promise<string> => {
    const reply = await call('POST', REG, { nodeId: `node-${Math.random().toString(16).slice(2)}`, deviceInfo });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.deviceId;
  };
  const subscribe = async (notifyType: string, callbackUrl: string): Promise<void> => {
    const reply = await call('POST', SUBS, { notifyType, callbackUrl });
    assert.equal(reply.status, 201, reply.text);
  };
  const subscribeManagement = async (notifyType: string, callbackUrl: string): Promise<void> => {
    const reply = await call('POST', MANAGEMENT, { notifyType, callbackurl: callbackUrl });
    assert.equal(reply.status, 200, reply.text);
  };
  return { client, pair, call, register, subscribe, subscribeManagement };
}

describe('push notifications of the in-process simulator', () => {
  const app = { appId: 'pushApp', secret: 'pushSecret-1' };
  const other = { appId: 'pushOtherApp', secret: 'pushSecret-2' };
  let sim: Simulator;
  let receiver: Receiver;
  let api: Awaited<ReturnType<typeof connect>>;
  let otherApi: Awaited<ReturnType<typeof connect>>;

  before(async () => {
    [sim, receiver] = await Promise.all([startSimulator({ apps: [app, other], push: { backoffMs: 20 } }), startReceiver()]);
    api = await connect(sim, app);
    otherApi = await connect(sim, other);
  });
  after(async () => {
    api.client.close();
    otherApi.client.close();
    await sim.stop();
    await receiver.close();
  });

  test('device notifications reach the subscribers of their type and app only, as compact JSON built when the change happened', async () => {
    await api.subscribe('deviceAdded', receiver.url('/added'));
    await api.subscribe('deviceInfoChanged', receiver.url('/info'));
    await api.subscribe('deviceDeleted', receiver.url('/deleted'));
    await otherApi.subscribe('deviceAdded', receiver.url('/other-added'));
    await otherApi.subscribe('deviceDeleted', receiver.url('/other-deleted'));
    sim.clearRecords();

    const deviceId = await api.register({ name: 'Kitchen', ...METER });
    assert.equal((await api.call('PUT', `${DM}/${deviceId}`, { name: 'Cellar' })).status, 204);
    // Two status changes in a row: each body shows the status of its moment, though both are sent afterwards.
    sim.setDeviceOnline(deviceId, true);
    sim.setDeviceOnline(deviceId, false);
    assert.equal((await api.call('DELETE', `${DM}/${deviceId}`)).status, 204);

    const deliveries = await waitForPushes(sim, 5);
    assert.deepEqual(
      deliveries.map((d) => [d.appId, d.notifyType, d.url, d.outcome, d.attempts.length, d.attempts[0]?.status]),
      [
        [app.appId, 'deviceAdded', receiver.url('/added'), 'delivered', 1, 200],
        [app.appId, 'deviceInfoChanged', receiver.url('/info'), 'delivered', 1, 200],
        [app.appId, 'deviceInfoChanged', receiver.url('/info'), 'delivered', 1, 200],
        [app.appId, 'deviceInfoChanged', receiver.url('/info'), 'delivered', 1, 200],
        [app.appId, 'deviceDeleted', receiver.url('/deleted'), 'delivered', 1, 200],
      ],
    );
    const [added] = receiver.at('/added');
    assert.ok(added);
    assert.equal(added.headers['content-type'], 'application/json');
    assert.deepEqual(added.json, {
      notifyType: 'deviceAdded',
      deviceId,
      gatewayId: deviceId,
      nodeType: 'ENDPOINT',
      deviceInfo: { nodeId: added.json.deviceInfo.nodeId, name: 'Kitchen', ...METER, status: 'INACTIVE', statusDetail: 'NOT_ACTIVE' },
    });
    assert.deepEqual(Object.keys(added.json), ['notifyType', 'deviceId', 'gatewayId', 'nodeType', 'deviceInfo']);
    const info = receiver.at('/info').map((r) => r.json);
    assert.deepEqual(info.map((body) => Object.keys(body)), Array(3).fill(['notifyType', 'deviceId', 'gatewayId', 'deviceInfo']));
    assert.deepEqual(info.map((body) => [body.notifyType, body.deviceId, body.deviceInfo.name, body.deviceInfo.status]), [
      ['deviceInfoChanged', deviceId, 'Cellar', 'INACTIVE'],
      ['deviceInfoChanged', deviceId, 'Cellar', 'ONLINE'],
      ['deviceInfoChanged', deviceId, 'Cellar', 'OFFLINE'],
    ]);
    assert.deepEqual(receiver.at('/deleted').map((r) => r.json), [{ notifyType: 'deviceDeleted', deviceId, gatewayId: deviceId }]);
    // The record holds the exact text sent.
    for (const delivery of deliveries) {
      assertCompact(delivery.body);
      assert.ok(receiver.received.some((r) => r.text === delivery.body), delivery.body);
    }
    // Nothing for the other app's subscriptions; its own devices do reach them.
    assert.deepEqual(receiver.at('/other-added'), []);
    assert.deepEqual(receiver.at('/other-deleted'), []);
    const otherDevice = await otherApi.register();
    const [otherAdded] = await waitForPushes(sim, 1, (d) => d.appId === other.appId);
    assert.equal(otherAdded?.url, receiver.url('/other-added'));
    assert.equal(JSON.parse(otherAdded.body).deviceId, otherDevice);
    // No token or secret in what was pushed or recorded.
    assert.deepEqual(leakedIn([sim.pushDeliveries(), receiver.received.map((r) => [r.text, r.headers])], [app.secret, api.pair.accessToken, api.pair.refreshToken, other.secret, otherApi.pair.accessToken]), []);
  });

  test('data reports: deviceDataChanged subscribers get one message per service, deviceDatasChanged subscribers one per report', async () => {
    await api.subscribe('deviceDataChanged', receiver.url('/data'));
    await api.subscribe('deviceDatasChanged', receiver.url('/datas'));
    const deviceId = await api.register();
    sim.setDeviceOnline(deviceId, true);
    sim.clearRecords();

    sim.reportDeviceData(deviceId, 'Meter', { volume: 12 }, { serviceType: 'WaterMeter', eventTime: '20240101T010101Z' });
    sim.reportDeviceDatas(deviceId, [
      { serviceId: 'Meter', data: { volume: 13 }, eventTime: '20240101T020202Z' },
      { serviceId: 'Battery', data: { level: 80 }, serviceType: 'Battery', eventTime: '20240101T020203Z' },
    ]);
    const deliveries = await waitForPushes(sim, 5);
    assert.deepEqual(deliveries.map((d) => [d.notifyType, d.outcome]), [
      ['deviceDataChanged', 'delivered'],
      ['deviceDatasChanged', 'delivered'],
      ['deviceDataChanged', 'delivered'],
      ['deviceDataChanged', 'delivered'],
      ['deviceDatasChanged', 'delivered'],
    ]);
    for (const delivery of deliveries) assertCompact(delivery.body);

    const meter12 = { serviceId: 'Meter', serviceType: 'WaterMeter', data: { volume: 12 }, eventTime: '20240101T010101Z' };
    const meter13 = { serviceId: 'Meter', serviceType: 'WaterMeter', data: { volume: 13 }, eventTime: '20240101T020202Z' };
    const battery = { serviceId: 'Battery', serviceType: 'Battery', data: { level: 80 }, eventTime: '20240101T020203Z' };
    const single = receiver.at('/data').map((r) => r.json);
    const batch = receiver.at('/datas').map((r) => r.json);
    assert.deepEqual(single.map((body) => Object.keys(body)), Array(3).fill(['notifyType', 'requestId', 'deviceId', 'gatewayId', 'service']));
    assert.deepEqual(single.map(({ requestId, ...rest }) => rest), [
      { notifyType: 'deviceDataChanged', deviceId, gatewayId: deviceId, service: meter12 },
      { notifyType: 'deviceDataChanged', deviceId, gatewayId: deviceId, service: meter13 },
      { notifyType: 'deviceDataChanged', deviceId, gatewayId: deviceId, service: battery },
    ]);
    assert.deepEqual(batch.map(({ requestId, ...rest }) => rest), [
      { notifyType: 'deviceDatasChanged', deviceId, gatewayId: deviceId, services: [meter12] },
      { notifyType: 'deviceDatasChanged', deviceId, gatewayId: deviceId, services: [meter13, battery] },
    ]);
    const requestIds = [...single, ...batch].map((body) => body.requestId);
    assert.ok(requestIds.every((id) => typeof id === 'string' && id !== ''));
    assert.equal(new Set(requestIds).size, requestIds.length);

    // The batch report updated the device like single reports do.
    const device = await api.call('GET', `${DM}/${deviceId}`);
    assert.deepEqual(device.json.services, [meter13, battery]);
  });

  test('reportDeviceDatas checks every entry before anything changes', async () => {
    const deviceId = await api.register();
    sim.clearRecords();
    assert.throws(() => sim.reportDeviceDatas(deviceId, []), { name: 'TypeError', message: /services must be a non-empty array/ });
    assert.throws(() => sim.reportDeviceDatas(deviceId, 'x' as never), TypeError);
    assert.throws(() => sim.reportDeviceDatas(deviceId, [null as never]), /services\[0\] must be an object/);
    const bad = [
      { serviceId: 'A', data: { a: 1 } },
      { serviceId: 'B', data: { b: 1 }, eventTime: 'later' },
    ];
    assert.throws(() => sim.reportDeviceDatas(deviceId, bad), { name: 'TypeError', message: /services\[1\]\.eventTime/ });
    assert.throws(() => sim.reportDeviceDatas(deviceId, [{ serviceId: '', data: {} }]), /services\[0\]\.serviceId/);
    assert.throws(() => sim.reportDeviceDatas(deviceId, [{ serviceId: 'A', data: { f: () => 1 } }]), /services\[0\]\.data must be plain data/);
    assert.throws(() => sim.reportDeviceDatas('no-such-device', [{ serviceId: 'A', data: {} }]), /unknown deviceId/);
    const device = await api.call('GET', `${DM}/${deviceId}`);
    assert.equal(device.json.deviceInfo.status, 'INACTIVE');
    assert.deepEqual(device.json.services, []);
    assert.deepEqual(sim.pushDeliveries(), []);
  });

  test('a shadow change sends deviceDesiredPropertiesModifyStatusChanged once per service', async () => {
    await api.subscribe('deviceDesiredPropertiesModifyStatusChanged', receiver.url('/desired'));
    const deviceId = await api.register();
    sim.clearRecords();
    const reply = await api.call('PUT', `${SHADOW}/${deviceId}`, {
      serviceDesireds: [
        { serviceId: 'Light', desired: { on: true } },
        { serviceId: 'Fan', desired: { speed: 2 } },
      ],
    });
    assert.equal(reply.status, 200, reply.text);
    await waitForPushes(sim, 2);
    assert.deepEqual(receiver.at('/desired').map((r) => r.json), [
      { notifyType: 'deviceDesiredPropertiesModifyStatusChanged', deviceId, serviceId: 'Light', properties: { on: true }, status: 'DELIVERED' },
      { notifyType: 'deviceDesiredPropertiesModifyStatusChanged', deviceId, serviceId: 'Fan', properties: { speed: 2 }, status: 'DELIVERED' },
    ]);
  });

  test('upgrade notifications reach the management-data subscribers of their type', async () => {
    for (const type of ['swUpgradeStateChangeNotify', 'swUpgradeResultNotify', 'fwUpgradeStateChangeNotify', 'fwUpgradeResultNotify']) {
      await api.subscribeManagement(type, receiver.url(`/${type}`));
    }
    const deviceId = await api.register({ ...METER, swVersion: 'sw-1', fwVersion: 'fw-1' });
    const swPackage = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'sw', version: 'sw-2', ...METER, appId: app.appId });
    const fwPackage = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'fw', version: 'fw-2', ...METER, appId: app.appId });
    const sw = await api.call('POST', `${UPGRADES}/softwareUpgrade`, { fileId: swPackage, targets: { devices: [deviceId] } });
    assert.equal(sw.status, 200, sw.text);
    const fw = await api.call('POST', `${UPGRADES}/firmwareUpgrade`, {
      fileId: fwPackage,
      targets: { devices: [deviceId] },
      policy: { executeType: 'now', retryType: true, retryTimes: 1 },
    });
    assert.equal(fw.status, 200, fw.text);
    sim.clearRecords();

    sim.setDeviceOnline(deviceId, true);
    sim.finishUpgrade(deviceId, sw.json.operationId, 'success');
    // The firmware upgrade fails, is retried (it waits, then starts again) and fails for good.
    sim.finishUpgrade(deviceId, fw.json.operationId, 'fail');
    sim.finishUpgrade(deviceId, fw.json.operationId, 'fail');
    const deliveries = await waitForPushes(sim, 6, (d) => d.notifyType.includes('Upgrade'));
    assert.ok(deliveries.every((d) => d.outcome === 'delivered'));

    const swSub = (await api.call('GET', `/iodm/northbound/v1.5.0/operations/${sw.json.operationId}/subOperations`)).json.data[0].subOperationId;
    const fwSub = (await api.call('GET', `/iodm/northbound/v1.5.0/operations/${fw.json.operationId}/subOperations`)).json.data[0].subOperationId;
    const swIds = { deviceId, appId: app.appId, operationId: sw.json.operationId, subOperationId: swSub };
    const fwIds = { deviceId, appId: app.appId, operationId: fw.json.operationId, subOperationId: fwSub };
    assert.deepEqual(receiver.at('/swUpgradeStateChangeNotify').map((r) => r.json), [
      { notifyType: 'swUpgradeStateChangeNotify', ...swIds, swUpgradeState: 'updating' },
    ]);
    const [swResult] = receiver.at('/swUpgradeResultNotify').map((r) => r.json);
    assert.deepEqual(Object.keys(swResult), [
      'notifyType', 'deviceId', 'appId', 'operationId', 'subOperationId', 'curVersion', 'targetVersion', 'sourceVersion',
      'swUpgradeResult', 'upgradeTime', 'resultDesc', 'errorCode', 'description',
    ]);
    assert.deepEqual(
      { ...swResult, upgradeTime: typeof swResult.upgradeTime, resultDesc: typeof swResult.resultDesc },
      {
        notifyType: 'swUpgradeResultNotify', ...swIds, curVersion: 'sw-2', targetVersion: 'sw-2', sourceVersion: 'sw-1',
        swUpgradeResult: 'SUCCESS', upgradeTime: 'number', resultDesc: 'string', errorCode: '0', description: 'success',
      },
    );
    assert.deepEqual(receiver.at('/fwUpgradeStateChangeNotify').map((r) => r.json), [
      { notifyType: 'fwUpgradeStateChangeNotify', ...fwIds, step: '3', stepDesc: 'updating' },
      { notifyType: 'fwUpgradeStateChangeNotify', ...fwIds, step: '0', stepDesc: 'idle' },
      { notifyType: 'fwUpgradeStateChangeNotify', ...fwIds, step: '3', stepDesc: 'updating' },
    ]);
    const [fwResult] = receiver.at('/fwUpgradeResultNotify').map((r) => r.json);
    assert.deepEqual(
      { ...fwResult, upgradeTime: typeof fwResult.upgradeTime },
      {
        notifyType: 'fwUpgradeResultNotify', ...fwIds, curVersion: 'fw-1', targetVersion: 'fw-2', sourceVersion: 'fw-1',
        status: 'FAIL', statusDesc: 'The device reported that the upgrade failed.', upgradeTime: 'number',
      },
    );
  });

  test("command status changes go to the command's callbackUrl, one at a time, in order SENT, DELIVERED, SUCCESSFUL", async () => {
    const slow = await startReceiver({ delayMs: 30 });
    try {
      // A subscriber of another type gets none of them.
      await api.subscribe('commandRsp', slow.url('/subscribed'));
      const deviceId = await api.register();
      sim.setDeviceOnline(deviceId, true);
      sim.clearRecords();
      const created = await api.call('POST', COMMANDS, {
        deviceId,
        command: { serviceId: 'Light', method: 'SWITCH', paras: { on: true } },
        callbackUrl: slow.url('/cmd'),
      });
      assert.equal(created.status, 201, created.text);
      assert.equal(created.json.status, 'SENT');
      const { commandId } = created.json;
      sim.acknowledgeCommand(commandId, 'DELIVERED');
      sim.acknowledgeCommand(commandId, 'SUCCESSFUL', { level: 3 });
      const deliveries = await waitForPushes(sim, 3);
      assert.deepEqual(deliveries.map((d) => [d.notifyType, d.url, d.outcome]), Array(3).fill(['commandStatus', slow.url('/cmd'), 'delivered']));
      const got = slow.at('/cmd');
      assert.deepEqual(got.map((r) => r.json), [
        { deviceId, commandId, result: { resultCode: 'SENT', resultDetail: null } },
        { deviceId, commandId, result: { resultCode: 'DELIVERED', resultDetail: null } },
        { deviceId, commandId, result: { resultCode: 'SUCCESSFUL', resultDetail: { level: 3 } } },
      ]);
      for (const r of got) assertCompact(r.text);
      // Each went out only once the one before was answered.
      for (let i = 1; i < got.length; i++) assert.ok(got[i]!.arrived >= got[i - 1]!.answered, `push ${i} overtook the one before`);
      assert.deepEqual(slow.at('/subscribed'), []);
    } finally {
      await slow.close();
    }
  });

  test('subscribing an illegal callback URL answers 400 / 100222 on every subscription route', async () => {
    const illegal = ['https://app.example.com/no-port', 'ftp://app.example.com:21/p', `https://app.example.com:8443/${'x'.repeat(1024)}`, 'not a url', ''];
    for (const url of illegal) {
      for (const [path, body, status] of [
        [SUBS, { notifyType: 'deviceAdded', callbackUrl: url }, 201],
        [LEGACY, { notifyType: 'deviceAdded', callbackurl: url }, 200],
        [MANAGEMENT, { notifyType: 'swUpgradeResultNotify', callbackurl: url }, 200],
        [MANAGEMENT, { notifyType: 'swUpgradeResultNotify', callbackUrl: url }, 200],
      ] as const) {
        const reply = await api.call('POST', path, body);
        assert.equal(reply.status, 400, `${path} ${url}: ${reply.text}`);
        assert.deepEqual(reply.json, ILLEGAL_URL);
        // The same request with a legal URL is accepted.
        const legal = Object.fromEntries(Object.entries(body).map(([k, v]) => [k, k.toLowerCase() === 'callbackurl' ? 'https://app.example.com:8443/ok' : v]));
        assert.equal((await api.call('POST', path, legal)).status, status, path);
      }
    }
  });
});

describe('push delivery: retries, failures, TLS and stop', () => {
  const app = { appId: 'pushRetryApp', secret: 'pushRetrySecret' };
  const servers: Receiver[] = [];
  const simulators: Simulator[] = [];
  const clients: TestClient[] = [];

  async function setup(options: SimulatorOptions['push'], receiverOptions?: ReceiverOptions) {
    const sim = await startSimulator({ apps: [app], push: options });
    simulators.push(sim);
    const api = await connect(sim, app);
    clients.push(api.client);
    const receiver = receiverOptions ? await startReceiver(receiverOptions) : undefined;
    if (receiver) servers.push(receiver);
    return { sim, api, receiver };
  }

  after(async () => {
    for (const client of clients) client.close();
    await Promise.all(simulators.map((sim) => sim.stop()));
    await Promise.all(servers.map((server) => server.close()));
  });

  test('a receiver answering 500 twice, then 200: delivered after 3 attempts, with growing gaps', async () => {
    const { sim, api, receiver } = await setup({ retries: 3, backoffMs: 40 }, { status: (n) => (n < 2 ? 500 : 200) });
    await api.subscribe('deviceAdded', receiver!.url('/flaky'));
    const deviceId = await api.register();
    const [delivery] = await waitForPushes(sim, 1);
    assert.equal(delivery?.outcome, 'delivered');
    assert.deepEqual(delivery.attempts.map((a) => a.status), [500, 500, 200]);
    // The waits before the retries are at least the backoff, then twice it (timers never fire early; a busy
    // machine can only make the gaps longer).
    const [a, b, c] = delivery.attempts.map((x) => x.time) as [number, number, number];
    assert.ok(b - a >= 40 - 1 && c - b >= 80 - 1, `gaps ${b - a} ms, then ${c - b} ms`);
    assert.deepEqual(receiver!.at('/flaky').map((r) => r.json.deviceId), [deviceId, deviceId, deviceId]);
    assert.equal(lastEvent(sim.events(), 'push-failed'), undefined);
  });

  test('a 400 answer fails at once; a closed port fails after retries + 1 attempts; both are push-failed events', async () => {
    const { sim, api, receiver } = await setup({ retries: 2, backoffMs: 10 }, { status: () => 400 });
    const port = await closedPort();
    await api.subscribe('deviceAdded', receiver!.url('/refusing'));
    await api.subscribe('deviceAdded', `http://127.0.0.1:${port}/nobody`);
    // The API call that caused the pushes succeeds whatever happens to them.
    await api.register();
    const deliveries = await waitForPushes(sim, 2);
    const refused = deliveries.find((d) => d.url.endsWith('/refusing'));
    const unreachable = deliveries.find((d) => d.url.endsWith('/nobody'));
    assert.equal(refused?.outcome, 'failed');
    assert.deepEqual(refused.attempts.map((a) => a.status), [400]);
    assert.equal(unreachable?.outcome, 'failed');
    assert.equal(unreachable.attempts.length, 3);
    assert.ok(unreachable.attempts.every((a) => a.status === undefined && /ECONNREFUSED/.test(a.error ?? '')), JSON.stringify(unreachable.attempts));
    const failures = sim.events().filter((e) => e.type === 'push-failed');
    assert.deepEqual(failures.map((e) => [e.appId, e.status]).sort(), [[app.appId, 400], [app.appId, undefined]].sort());
    assert.ok(failures.some((e) => e.detail?.includes(`127.0.0.1:${port}/nobody`) && e.detail.includes('3 attempt')), JSON.stringify(failures));

    // A command's callbackUrl is not checked like a subscription's: one that is no http(s) URL fails without retries.
    const deviceId = await api.register();
    sim.setDeviceOnline(deviceId, true);
    sim.clearRecords();
    const command = await api.call('POST', COMMANDS, { deviceId, command: { serviceId: 'S', method: 'M' }, callbackUrl: 'ftp://127.0.0.1:21/cmd' });
    assert.equal(command.status, 201, command.text);
    const [ftp] = await waitForPushes(sim, 1, (d) => d.notifyType === 'commandStatus');
    assert.equal(ftp?.outcome, 'failed');
    assert.deepEqual(ftp.attempts.map((a) => a.error), ['not an http(s) URL']);
    // (The new device's deviceAdded pushes fail too, meanwhile.)
    assert.ok(
      sim.events().some((e) => e.type === 'push-failed' && e.detail === 'commandStatus to ftp://127.0.0.1:21/cmd failed after 1 attempt(s): not an http(s) URL'),
      JSON.stringify(sim.events()),
    );

    sim.clearRecords();
    assert.deepEqual(sim.pushDeliveries(), []);
  });

  test('stop() returns at once, cancelling a delivery waiting for its retry and one waiting for an answer', async () => {
    const failing = await startReceiver({ status: () => 503 });
    const hanging = await startReceiver({ hang: true });
    servers.push(failing, hanging);
    const sim = await startSimulator({ apps: [app], push: { retries: 5, backoffMs: 600_000, timeoutMs: 600_000 } });
    const api = await connect(sim, app);
    clients.push(api.client);
    await api.subscribe('deviceAdded', failing.url('/retry-later'));
    await api.subscribe('deviceAdded', hanging.url('/no-answer'));
    await api.register();
    await api.register();
    // The first delivery to each URL has made its attempt; the second waits behind it.
    await waitFor(() => sim.pushDeliveries().filter((d) => d.attempts.length === 1).length === 2 && hanging.received.length === 1);
    await waitFor(() => sim.pushDeliveries().some((d) => d.attempts[0]?.status === 503));
    await sim.stop();
    const deliveries = sim.pushDeliveries();
    assert.equal(deliveries.length, 4);
    assert.ok(deliveries.every((d) => d.outcome === 'cancelled'), JSON.stringify(deliveries));
    const retrying = deliveries.find((d) => d.url.endsWith('/retry-later') && d.attempts.length === 1);
    assert.deepEqual(retrying?.attempts.map((a) => a.status), [503]);
    const waiting = deliveries.find((d) => d.url.endsWith('/no-answer') && d.attempts.length === 1);
    assert.match(waiting?.attempts[0]?.error ?? '', /cancelled/);
    assert.equal(deliveries.filter((d) => d.attempts.length === 0).length, 2);
    assert.equal(lastEvent(sim.events(), 'push-failed'), undefined);
  });

  test('HTTPS receivers: one with a certificate from issueServerCertificate is trusted; another CA only when given in push.ca', async () => {
    const foreignCa = createCertificateAuthority();
    const foreignCert = issueServerCertificate(foreignCa, '127.0.0.1');
    const { sim, api } = await setup({ retries: 0 });
    const trusted = await startReceiver({ tls: sim.issueServerCertificate() });
    const foreign = await startReceiver({ tls: foreignCert });
    servers.push(trusted, foreign);
    await api.subscribe('deviceAdded', trusted.url('/secure'));
    await api.subscribe('deviceAdded', foreign.url('/foreign'));
    const deviceId = await api.register();
    const deliveries = await waitForPushes(sim, 2);
    assert.equal(deliveries.find((d) => d.url === trusted.url('/secure'))?.outcome, 'delivered');
    const refused = deliveries.find((d) => d.url === foreign.url('/foreign'));
    assert.equal(refused?.outcome, 'failed');
    assert.match(refused.attempts[0]?.error ?? '', /certificate/i);
    assert.equal(trusted.at('/secure')[0]?.json.deviceId, deviceId);
    assert.deepEqual(foreign.received, []);

    const { sim: trusting, api: trustingApi } = await setup({ retries: 0, ca: foreignCa.certPem });
    await trustingApi.subscribe('deviceAdded', foreign.url('/foreign'));
    const other = await trustingApi.register();
    const [delivered] = await waitForPushes(trusting, 1);
    assert.equal(delivered?.outcome, 'delivered');
    assert.equal(foreign.at('/foreign')[0]?.json.deviceId, other);
    // A client can trust the receiver through the simulator CA.
    const check = new TestClient({ url: trusted.url(''), ca: sim.ca, protocol: 'https' });
    clients.push(check);
    assert.equal((await check.request('POST', '/direct', { json: {} })).status, 200);
  });

  test('a callback URL with a password or a query shows neither in the records', async () => {
    const { sim, api } = await setup({ retries: 0, backoffMs: 1 });
    const port = await closedPort();
    await api.subscribe('deviceAdded', `http://app:hunter2@127.0.0.1:${port}/hook?token=s3cret&x=1`);
    await api.register();
    const [delivery] = await waitForPushes(sim, 1);
    assert.equal(delivery?.url, `http://app:***@127.0.0.1:${port}/hook?token=***&x=***`);
    const failed = lastEvent(sim.events(), 'push-failed');
    assert.ok(failed && !JSON.stringify(failed).includes('hunter2') && !JSON.stringify(failed).includes('s3cret'), JSON.stringify(failed));
    assert.equal(recordedUrl('https://a.example.com:1/p'), 'https://a.example.com:1/p');
  });

  test('push options are checked like the other options; records are bounded by maxRecordedRequests', async () => {
    await assert.rejects(startSimulator({ push: { retries: -1 } }), { name: 'TypeError', message: /push\.retries/ });
    await assert.rejects(startSimulator({ push: { retries: 1.5 } }), /push\.retries/);
    await assert.rejects(startSimulator({ push: { backoffMs: 'soon' as never } }), /push\.backoffMs/);
    await assert.rejects(startSimulator({ push: { timeoutMs: 0 } }), /push\.timeoutMs/);
    await assert.rejects(startSimulator({ push: { ca: 'not a certificate' } }), { name: 'TypeError', message: /push\.ca/ });
    await assert.rejects(startSimulator({ push: { ca: [5 as never] } }), /push\.ca/);
    await assert.rejects(startSimulator({ push: 'fast' as never }), /push must be an object/);

    const receiver = await startReceiver();
    servers.push(receiver);
    const sim = await startSimulator({ apps: [app], maxRecordedRequests: 2, protocol: 'http' });
    simulators.push(sim);
    const api = await connect(sim, app);
    clients.push(api.client);
    assert.throws(() => sim.issueServerCertificate(), /https/);
    await api.subscribe('deviceAdded', receiver.url('/bounded'));
    const ids = [await api.register(), await api.register(), await api.register()];
    await waitFor(() => receiver.at('/bounded').length === 3);
    await waitForPushes(sim, 2);
    assert.deepEqual(sim.pushDeliveries().map((d) => JSON.parse(d.body).deviceId), ids.slice(1));
  });
});

describe('push options of a simulator in a child process', () => {
  test('retries, backoffMs and timeoutMs travel as flags; ca is refused', () => {
    const args = childArgs({ push: { retries: 1, backoffMs: 10, timeoutMs: 250 } }, '/tmp/ca.pem');
    assert.deepEqual(parseCliArgs(args).options.push, { retries: 1, backoffMs: 10, timeoutMs: 250 });
    assert.equal(parseCliArgs(childArgs({}, '/tmp/ca.pem')).options.push, undefined);
    assert.throws(() => childArgs({ push: { ca: 'pem' } }, '/tmp/ca.pem'), { name: 'TypeError', message: /push\.ca/ });
    assert.throws(() => parseCliArgs(['--push-retries=-1']), /--push-retries/);
    assert.throws(() => parseCliArgs(['--push-timeout-ms=0']), /--push-timeout-ms/);
  });
});

describe('push notifications of a simulator in a child process', () => {
  const app = { appId: 'pushRemoteApp', secret: 'pushRemoteSecret' };
  let remote: RemoteSimulator;
  let receiver: Receiver;
  let api: Awaited<ReturnType<typeof connect>>;

  before(async () => {
    [remote, receiver] = await Promise.all([startSimulatorProcess({ apps: [app], push: { retries: 1, backoffMs: 10 } }), startReceiver()]);
    api = await connect(remote, app);
  });
  after(async () => {
    api.client.close();
    await remote.stop();
    await receiver.close();
  });

  test('reportDeviceDatas and pushDeliveries work through the admin API', async () => {
    await api.subscribe('deviceDatasChanged', receiver.url('/remote-datas'));
    const deviceId = await api.register();
    await remote.clearRecords();
    await remote.reportDeviceDatas(deviceId, [
      { serviceId: 'Meter', data: { volume: 1 }, eventTime: '20240303T030303Z' },
      { serviceId: 'Valve', data: { open: false }, eventTime: '20240303T030304Z' },
    ]);
    const [delivery] = await waitForPushes(remote, 1);
    assert.equal(delivery?.outcome, 'delivered');
    assert.equal(delivery.notifyType, 'deviceDatasChanged');
    assert.equal(delivery.url, receiver.url('/remote-datas'));
    const [got] = receiver.at('/remote-datas');
    assert.equal(got?.text, delivery.body);
    assert.deepEqual(got.json.services, [
      { serviceId: 'Meter', serviceType: 'Meter', data: { volume: 1 }, eventTime: '20240303T030303Z' },
      { serviceId: 'Valve', serviceType: 'Valve', data: { open: false }, eventTime: '20240303T030304Z' },
    ]);
    await assert.rejects(remote.reportDeviceDatas(deviceId, []), /answered 400.*non-empty array/);
    await assert.rejects(remote.reportDeviceDatas(deviceId, [{ serviceId: 'A', data: 'x' as never }]), /answered 400.*services\[0\]\.data/);
    await assert.rejects(remote.reportDeviceDatas('no-such-device', [{ serviceId: 'A', data: {} }]), /answered 404.*100403/);
    await assert.rejects(remote.reportDeviceDatas(deviceId, 'Meter' as never), /answered 400.*services must be a non-empty array/);
    assert.equal((await remote.pushDeliveries()).length, 1);
    await remote.clearRecords();
    assert.deepEqual(await remote.pushDeliveries(), []);
  });
});
