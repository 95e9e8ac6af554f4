import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, startSimulatorProcess, type RemoteSimulator, type Simulator } from '../../src/simulator/index.js';
import type { SimulatorChange, SimulatorState } from '../../src/simulator/state.js';
import { TestClient, type Reply } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const COMMANDS = '/iocm/app/cmd/v1.4.0/deviceCommands';
const CANCEL_TASKS = '/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks';
const DATA_HISTORY = '/iocm/app/data/v1.2.0/deviceDataHistory';
const DESIRED_HISTORY = '/iocm/app/shadow/v1.5.0/deviceDesiredHistory';
const CAPABILITIES = '/iocm/app/data/v1.1.0/deviceCapabilities';
const INVALID_INPUT = { error_code: '100022', error_desc: 'The input is invalid.' };
const INVALID_PARAMETER = { error_code: '100405', error_desc: 'The request parameter is invalid.' };

function sendCommandPath(deviceId: string, serviceId: string): string {
  return `/iocm/app/signaltrans/v1.1.0/devices/${deviceId}/services/${serviceId}/sendCommand`;
}

function assertError(reply: Reply, status: number, body: Record<string, string>): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.deepEqual(reply.json, body);
}

/** A logged-in raw client of one app, with helpers for the calls the tests repeat. */
async function connect(sim: Pick<Simulator, 'url' | 'ca' | 'protocol'>, app: { appId: string; secret: string }) {
  const client = new TestClient(sim);
  const pair = await client.login(app.appId, app.secret);
  const headers = TestClient.auth(app.appId, pair.accessToken);
  const call = (method: string, path: string, json?: unknown) => client.request(method, path, { headers, ...(json === undefined ? {} : { json }) });
  const register = async (): Promise<string> => {
    const reply = await call('POST', REG, { nodeId: `node-${Math.random().toString(16).slice(2)}` });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.deviceId;
  };
  const command = async (deviceId: string, extra: Record<string, unknown> = {}): Promise<Reply> =>
    call('POST', COMMANDS, { deviceId, command: { serviceId: 'Light', method: 'SWITCH', paras: { on: true } }, ...extra });
  const commandStatus = async (deviceId: string, commandId: string): Promise<Record<string, unknown>> => {
    const reply = await call('GET', `${COMMANDS}?deviceId=${deviceId}`);
    assert.equal(reply.status, 200, reply.text);
    return reply.json.data.find((c: { commandId: string }) => c.commandId === commandId);
  };
  return { client, call, register, command, commandStatus };
}

describe('device side of the in-process simulator', () => {
  let sim: Simulator;
  let api: Awaited<ReturnType<typeof connect>>;
  const app = { appId: 'deviceSideApp', secret: 'deviceSideSecret' };
  const changes: SimulatorChange[] = [];

  before(async () => {
    sim = await startSimulator({ apps: [app] });
    api = await connect(sim, app);
    (sim as unknown as { state: SimulatorState }).state.changes.on('change', (change: SimulatorChange) => changes.push(change));
  });
  after(async () => {
    api.client.close();
    await sim.stop();
  });

  test('reportDeviceData: the device is online, its shadow and history hold the data, deviceDataChanged is announced, pending commands go out', async () => {
    const deviceId = await api.register();
    const pending = await api.command(deviceId, { callbackUrl: 'https://app.example.com/cmd' });
    assert.equal(pending.status, 201);
    assert.equal(pending.json.status, 'PENDING');
    changes.length = 0;

    sim.reportDeviceData(deviceId, 'Light', { on: true, level: 3 }, { serviceType: 'LightControl', eventTime: '20240505T101010Z' });
    const device = await api.call('GET', `${DM}/${deviceId}`);
    assert.equal(device.json.deviceInfo.status, 'ONLINE');
    assert.deepEqual(device.json.services, [{ serviceId: 'Light', serviceType: 'LightControl', data: { on: true, level: 3 }, eventTime: '20240505T101010Z' }]);
    const shadow = await api.call('GET', `/iocm/app/shadow/v1.5.0/devices/${deviceId}`);
    assert.deepEqual(shadow.json.services[0].reportedProps, { on: true, level: 3 });
    const history = await api.call('GET', `${DATA_HISTORY}?deviceId=${deviceId}&gatewayId=${deviceId}`);
    assert.equal(history.json.totalCount, 1);
    assert.equal(history.json.deviceDataHistoryDTOs[0].timestamp, '20240505T101010Z');
    assert.equal((await api.commandStatus(deviceId, pending.json.commandId)).status, 'SENT');

    assert.deepEqual(
      changes.map((c) => c.type),
      ['deviceStatusChanged', 'commandStatusChanged', 'deviceDataChanged'],
    );
    const commandChange = changes[1] as Extract<SimulatorChange, { type: 'commandStatusChanged' }>;
    assert.deepEqual(
      { commandId: commandChange.commandId, status: commandChange.status, callbackUrl: commandChange.callbackUrl, appId: commandChange.appId, deviceId: commandChange.deviceId },
      { commandId: pending.json.commandId, status: 'SENT', callbackUrl: 'https://app.example.com/cmd', appId: app.appId, deviceId },
    );
    const dataChange = changes[2] as Extract<SimulatorChange, { type: 'deviceDataChanged' }>;
    assert.deepEqual(dataChange.service, { serviceId: 'Light', serviceType: 'LightControl', data: { on: true, level: 3 }, eventTime: '20240505T101010Z' });
    assert.equal(dataChange.device.deviceId, deviceId);

    // A second report merges into the reported data; an online device announces no status change.
    changes.length = 0;
    sim.reportDeviceData(deviceId, 'Light', { level: 4 });
    assert.deepEqual(changes.map((c) => c.type), ['deviceDataChanged']);
    assert.deepEqual((await api.call('GET', `${DM}/${deviceId}`)).json.services[0].data, { on: true, level: 4 });
  });

  test('reportDeviceData refuses an unknown device and bad input with TypeError', () => {
    assert.throws(() => sim.reportDeviceData('no-such-device', 'S', { a: 1 }), TypeError);
    const deviceId = (sim as unknown as { state: SimulatorState }).state.requireApp(app.appId).devices.list()[0]!.deviceId;
    assert.throws(() => sim.reportDeviceData(deviceId, '', { a: 1 }), /serviceId/);
    assert.throws(() => sim.reportDeviceData(deviceId, 'S', [1] as never), /data/);
    assert.throws(() => sim.reportDeviceData(deviceId, 'S', { a: 1 }, { eventTime: '2024-01-01' }), /eventTime/);
    assert.throws(() => sim.reportDeviceData(deviceId, 'S', { a: 1 }, { serviceType: 5 as never }), /serviceType/);
  });

  test('bad device-side input is a TypeError thrown before anything changes, as the admin API refuses it', async () => {
    const deviceId = await api.register();
    const history = () => (sim as unknown as { state: SimulatorState }).state.requireApp(app.appId).deviceData.dataOf(deviceId);
    const status = async () => (await api.call('GET', `${DM}/${deviceId}`)).json.deviceInfo.status;
    changes.length = 0;
    assert.throws(() => sim.setDeviceOnline(deviceId, 'false' as never), { name: 'TypeError', message: /online must be a boolean/ });
    assert.throws(() => sim.setDeviceOnline(deviceId, 1 as never), TypeError);
    for (const eventTime of [1e20, 8.64e15 + 1, 253402300800000, '20240230T120000Z', '20241231T240000Z']) {
      assert.throws(() => sim.reportDeviceData(deviceId, 'S', { a: 1 }, { eventTime }), { name: 'TypeError', message: /eventTime/ }, String(eventTime));
    }
    assert.throws(() => sim.reportDeviceData(deviceId, 'S', { callback: () => 1 }), { name: 'TypeError', message: /data must be plain data/ });
    assert.throws(() => sim.reportDeviceData(deviceId, 'S', { nested: { tag: Symbol('s') } }), TypeError);
    assert.equal(await status(), 'INACTIVE');
    assert.deepEqual(history(), []);
    assert.equal(changes.length, 0);
    // The latest time a platform time can show is accepted, as is a year written with leading zeros.
    sim.reportDeviceData(deviceId, 'S', { a: 1 }, { eventTime: 253402300799999 });
    sim.reportDeviceData(deviceId, 'S', { a: 2 }, { eventTime: '00500101T000000Z' });
    assert.deepEqual(history().map((r) => r.timestamp), [253402300799999, new Date('0050-01-01T00:00:00Z').getTime()]);
  });

  test('a __proto__ key in reported data is kept as data', async () => {
    const deviceId = await api.register();
    sim.reportDeviceData(deviceId, 'Meter', JSON.parse('{"__proto__":{"polluted":true},"level":1}'));
    const shadow = await api.call('GET', `/iocm/app/shadow/v1.5.0/devices/${deviceId}`);
    const reported = shadow.json.services[0].reportedProps;
    assert.ok(Object.hasOwn(reported, '__proto__'), shadow.text);
    assert.deepEqual(reported['__proto__'], { polluted: true });
    assert.equal(reported.level, 1);
    const device = await api.call('GET', `${DM}/${deviceId}`);
    assert.ok(Object.hasOwn(device.json.services[0].data, '__proto__'), device.text);
    const history = await api.call('GET', `${DATA_HISTORY}?deviceId=${deviceId}&gatewayId=${deviceId}&property=__proto__`);
    assert.equal(history.json.totalCount, 1, history.text);
  });

  test('acknowledgeCommand: SENT -> DELIVERED -> SUCCESSFUL/FAILED; any other transition is a TypeError', async () => {
    const deviceId = await api.register();
    sim.setDeviceOnline(deviceId, true);
    const sent = (await api.command(deviceId, { callbackUrl: 'https://app.example.com/cmd' })).json;
    assert.equal(sent.status, 'SENT');
    changes.length = 0;
    sim.acknowledgeCommand(sent.commandId, 'DELIVERED');
    let view = await api.commandStatus(deviceId, sent.commandId);
    assert.equal(view.status, 'DELIVERED');
    assert.deepEqual(view.result, { resultCode: 'DELIVERED' });
    assert.equal(view.executeTime, undefined);
    sim.acknowledgeCommand(sent.commandId, 'SUCCESSFUL', { level: 3 });
    view = await api.commandStatus(deviceId, sent.commandId);
    assert.equal(view.status, 'SUCCESSFUL');
    assert.deepEqual(view.result, { resultCode: 'SUCCESSFUL', resultDetail: { level: 3 } });
    assert.match(String(view.executeTime), /^\d{8}T\d{6}Z$/);
    assert.deepEqual(
      changes.map((c) => (c.type === 'commandStatusChanged' ? [c.status, c.callbackUrl, c.result?.resultCode] : c.type)),
      [
        ['DELIVERED', 'https://app.example.com/cmd', 'DELIVERED'],
        ['SUCCESSFUL', 'https://app.example.com/cmd', 'SUCCESSFUL'],
      ],
    );

    assert.throws(() => sim.acknowledgeCommand(sent.commandId, 'FAILED'), TypeError);
    assert.throws(() => sim.acknowledgeCommand(sent.commandId, 'DELIVERED'), TypeError);
    assert.throws(() => sim.acknowledgeCommand('no-such-command', 'DELIVERED'), /unknown commandId/);
    assert.throws(() => sim.acknowledgeCommand(sent.commandId, 'DONE' as never), /status must be/);
    // Straight to FAILED from SENT is allowed.
    const other = (await api.command(deviceId)).json;
    sim.acknowledgeCommand(other.commandId, 'FAILED');
    assert.equal((await api.commandStatus(deviceId, other.commandId)).status, 'FAILED');
    // A PENDING command has not reached the device.
    sim.setDeviceOnline(deviceId, false);
    const pending = (await api.command(deviceId)).json;
    assert.equal(pending.status, 'PENDING');
    assert.throws(() => sim.acknowledgeCommand(pending.commandId, 'DELIVERED'), /is PENDING/);
  });

  test('setDeviceOnline issues the still-valid PENDING commands, oldest first; cancelled ones stay cancelled', async () => {
    const deviceId = await api.register();
    const first = (await api.command(deviceId)).json;
    const second = (await api.command(deviceId)).json;
    const cancelled = (await api.command(deviceId)).json;
    assert.equal((await api.call('PUT', `${COMMANDS}/${cancelled.commandId}`, { status: 'CANCELED' })).status, 200);
    changes.length = 0;
    sim.setDeviceOnline(deviceId, true);
    assert.deepEqual(
      changes.filter((c) => c.type === 'commandStatusChanged').map((c) => (c as { commandId: string }).commandId),
      [first.commandId, second.commandId],
    );
    assert.equal((await api.commandStatus(deviceId, first.commandId)).issuedTimes, 1);
    assert.equal((await api.commandStatus(deviceId, cancelled.commandId)).status, 'CANCELED');
  });

  test('bad paging, times and bodies of the command and data routes answer the documented 400, never 500', async () => {
    const deviceId = await api.register();
    for (const query of ['pageNo=-1', 'pageNo=abc', 'pageSize=0', 'pageSize=1001', 'pageSize=2.5', 'startTime=2024', 'endTime=20241301T000000Z']) {
      assertError(await api.call('GET', `${COMMANDS}?${query}`), 400, INVALID_INPUT);
      assertError(await api.call('GET', `${CANCEL_TASKS}?${query}`), 400, INVALID_INPUT);
    }
    for (const query of ['pageNo=x', 'pageNo=0&pageSize=251', 'pageNo=0&pageSize=0', 'pageNo=0&sort=UP', 'pageNo=0&select=name', 'pageNo=0&startTime=yesterday']) {
      assertError(await api.call('GET', `${DM}?${query}`), 400, INVALID_PARAMETER);
    }
    assertError(await api.call('GET', `${DM}?status=ONLINE`), 400, { error_code: '100218', error_desc: "The gatewayId and pageNo can't be both null." });
    for (const path of [DATA_HISTORY, DESIRED_HISTORY]) {
      assertError(await api.call('GET', `${path}?deviceId=${deviceId}`), 400, INVALID_INPUT);
      assertError(await api.call('GET', `${path}?deviceId=${deviceId}&gatewayId=${deviceId}&pageSize=2001`), 400, INVALID_INPUT);
      assertError(await api.call('GET', `${path}?deviceId=${deviceId}&gatewayId=${deviceId}&pageNo=-3`), 400, INVALID_INPUT);
    }
    // Command bodies.
    assertError(await api.call('POST', COMMANDS, { deviceId, command: { serviceId: 'S' } }), 400, INVALID_INPUT);
    assertError(await api.call('POST', COMMANDS, { deviceId, command: { serviceId: 'S', method: 'M' }, maxRetransmit: 4 }), 400, INVALID_INPUT);
    assertError(await api.call('POST', COMMANDS, { deviceId, command: { serviceId: 'S', method: 'M' }, expireTime: -5 }), 400, INVALID_INPUT);
    assertError(await api.call('POST', COMMANDS, { deviceId, command: { serviceId: 'S', method: 'M', paras: 'x' } }), 400, INVALID_INPUT);
    assertError(await api.call('POST', COMMANDS, { command: { serviceId: 'S', method: 'M' } }), 400, INVALID_INPUT);
    const pending = (await api.command(deviceId)).json;
    assertError(await api.call('PUT', `${COMMANDS}/${pending.commandId}`, { status: 'CANCELED', expireTime: 5 }), 400, INVALID_INPUT);
    assertError(await api.call('PUT', `${COMMANDS}/${pending.commandId}`, {}), 400, INVALID_INPUT);
    assertError(await api.call('POST', CANCEL_TASKS, {}), 400, INVALID_INPUT);
    assertError(await api.call('POST', sendCommandPath(deviceId, 'S'), { header: { mode: 'ACK' } }), 400, INVALID_INPUT);
    assertError(await api.call('POST', sendCommandPath(deviceId, 'S'), { header: { mode: 'ACK', method: 'PUT' }, body: [1] }), 400, INVALID_INPUT);
    assertError(await api.call('GET', `${CAPABILITIES}?deviceId=missing`), 404, { error_code: '100418', error_desc: 'The deviceData is not existed.' });
    // Documented errors sent with HTTP 200.
    const unknown = await api.call('PUT', `${COMMANDS}/missing`, { status: 'CANCELED' });
    assertError(unknown, 200, { error_code: '100434', error_desc: 'The device command is not existed.' });
    assertError(await api.command('missing'), 200, { error_code: '100418', error_desc: 'The deviceData is not existed.' });
  });

  test('serviceInvocations lists what sendCommand delivered to a device; unknown device is a TypeError', async () => {
    const deviceId = await api.register();
    assert.deepEqual(sim.serviceInvocations(deviceId), []);
    sim.setDeviceOnline(deviceId, true);
    const reply = await api.call('POST', sendCommandPath(deviceId, 'Gateway'), { header: { mode: 'NOACK', method: 'REBOOT', requestId: 'r-1' } });
    assert.equal(reply.status, 202, reply.text);
    assert.deepEqual(reply.json.requestId, 'r-1');
    assert.deepEqual(
      sim.serviceInvocations(deviceId).map((r) => [r.requestId, r.serviceId, r.header['method'], r.body]),
      [['r-1', 'Gateway', 'REBOOT', undefined]],
    );
    assert.throws(() => sim.serviceInvocations('no-such-device'), TypeError);
  });
});

describe('device side of a simulator in a child process (RemoteSimulator, admin API)', () => {
  let remote: RemoteSimulator;
  let api: Awaited<ReturnType<typeof connect>>;
  const app = { appId: 'remoteDeviceApp', secret: 'remoteDeviceSecret' };

  before(async () => {
    remote = await startSimulatorProcess({ apps: [app] });
    api = await connect(remote, app);
  });
  after(async () => {
    api.client.close();
    await remote.stop();
  });

  test('reportDeviceData, acknowledgeCommand and serviceInvocations work through the admin API', async () => {
    const deviceId = await api.register();
    const pending = (await api.command(deviceId)).json;
    assert.equal(pending.status, 'PENDING');

    await remote.reportDeviceData(deviceId, 'Light', { on: false }, { eventTime: '20240606T060606Z' });
    const device = await api.call('GET', `${DM}/${deviceId}`);
    assert.equal(device.json.deviceInfo.status, 'ONLINE');
    assert.deepEqual(device.json.services, [{ serviceId: 'Light', serviceType: 'Light', data: { on: false }, eventTime: '20240606T060606Z' }]);
    assert.equal((await api.commandStatus(deviceId, pending.commandId)).status, 'SENT');

    await remote.acknowledgeCommand(pending.commandId, 'DELIVERED');
    await remote.acknowledgeCommand(pending.commandId, 'FAILED', { reason: 'bulb broken' });
    const view = await api.commandStatus(deviceId, pending.commandId);
    assert.equal(view.status, 'FAILED');
    assert.deepEqual(view.result, { resultCode: 'FAILED', resultDetail: { reason: 'bulb broken' } });

    const reply = await api.call('POST', sendCommandPath(deviceId, 'Light'), { header: { mode: 'ACK', method: 'BLINK' }, body: { times: 3 } });
    assert.equal(reply.status, 202, reply.text);
    const received = await remote.serviceInvocations(deviceId);
    assert.deepEqual(received.map((r) => [r.requestId, r.serviceId, r.body, r.status]), [[reply.json.requestId, 'Light', { times: 3 }, 'SENT']]);
  });

  test('the admin API answers 400 for an illegal transition or bad input and 404 for unknown ids', async () => {
    const deviceId = await api.register();
    const pending = (await api.command(deviceId)).json;
    await assert.rejects(remote.acknowledgeCommand(pending.commandId, 'SUCCESSFUL'), /answered 400.*PENDING/);
    await assert.rejects(remote.acknowledgeCommand(pending.commandId, 'DONE' as never), /answered 400/);
    await assert.rejects(remote.acknowledgeCommand('no-such-command', 'DELIVERED'), /answered 404.*100434/);
    await assert.rejects(remote.reportDeviceData('no-such-device', 'S', { a: 1 }), /answered 404.*100403/);
    await assert.rejects(remote.reportDeviceData(deviceId, 'S', 'text' as never), /answered 400.*data must be an object/);
    await assert.rejects(remote.reportDeviceData(deviceId, 'S', { a: 1 }, { eventTime: 'soon' }), /answered 400.*eventTime/);
    await assert.rejects(remote.serviceInvocations('no-such-device'), /answered 404/);
    // Nothing changed on the device.
    assert.equal((await api.commandStatus(deviceId, pending.commandId)).status, 'PENDING');
    assert.equal((await api.call('GET', `${DM}/${deviceId}`)).json.deviceInfo.status, 'INACTIVE');
  });
});
