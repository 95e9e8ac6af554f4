import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, startSimulatorProcess, type RemoteSimulator, type Simulator } from '../../src/simulator/index.js';
import type { DeviceChange, SimulatorChange, SimulatorState } from '../../src/simulator/state.js';
import type { UpgradeChange } from '../../src/simulator/upgrades.js';
import { TestClient, type Reply } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const BASE = '/iodm/northbound/v1.5.0';
const METER = { deviceType: 'GasMeter', model: 'GM-2', manufacturerName: 'Acme' };
const BAD_REQUEST = { error_code: '120015', error_desc: 'Bad request error.' };
const PAGE_LIMIT = { error_code: '123029', error_desc: 'pageNo or pageSize beyond the limit.' };
const NOT_FOUND = { error_code: '123002', error_desc: 'Device or package file not found.' };
const NO_TASK = { error_code: '123009', error_desc: 'The requested task does not exist.' };

function assertError(reply: Reply, status: number, body: Record<string, string>): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.deepEqual(reply.json, body);
}

describe('Upgrade routes and the device side of upgrades', () => {
  let sim: Simulator;
  let client: TestClient;
  let headers: Record<string, string>;
  const app = { appId: 'upgradeRoutesApp', secret: 'upgradeSecret' };
  const second = { appId: 'secondUpgradeApp', secret: 'secondSecret' };
  const changes: SimulatorChange[] = [];

  const call = (method: string, path: string, json?: unknown) => client.request(method, path, { headers, ...(json === undefined ? {} : { json }) });

  async function register(online: boolean): Promise<string> {
    const reply = await call('POST', REG, { nodeId: `n-${Math.random().toString(16).slice(2)}`, deviceInfo: { ...METER, swVersion: 'sw-1', fwVersion: 'fw-1' } });
    assert.equal(reply.status, 200, reply.text);
    if (online) sim.setDeviceOnline(reply.json.deviceId, true);
    return reply.json.deviceId;
  }

  async function create(kind: 'softwareUpgrade' | 'firmwareUpgrade', body: unknown): Promise<string> {
    const reply = await call('POST', `${BASE}/operations/${kind}`, body);
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(Object.keys(reply.json), ['operationId']);
    return reply.json.operationId;
  }

  before(async () => {
    sim = await startSimulator({ apps: [app, second] });
    (sim as unknown as { state: SimulatorState }).state.changes.on('change', (change: SimulatorChange) => changes.push(change));
    client = new TestClient(sim);
    const pair = await client.login(app.appId, app.secret);
    headers = TestClient.auth(app.appId, pair.accessToken);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('addUpgradePackage checks its input, defaults to the first app and keeps packages per app', async () => {
    assert.throws(() => sim.addUpgradePackage({ fileType: 'zip' as never, name: 'n', version: '1', ...METER }), /fileType/);
    assert.throws(() => sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'n', version: '', ...METER }), /version/);
    assert.throws(() => sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'n', version: '1', ...METER, description: 5 as never }), /description/);
    assert.throws(() => sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'n', version: '1', ...METER, appId: 'nobody' }), /unknown appId/);
    const mine = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'default-app', version: '1', ...METER });
    const theirs = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'second-app', version: '1', ...METER, appId: second.appId });
    assert.match(mine, /^[0-9a-f]{32}$/);
    const reply = await call('GET', `${BASE}/category/${mine}`);
    assert.equal(reply.status, 200);
    assert.deepEqual(Object.keys(reply.json).sort(), ['deviceType', 'fileId', 'fileType', 'manufacturerName', 'model', 'name', 'uploadTime', 'version']);
    assert.match(reply.json.uploadTime, /^\d{8}T\d{6}Z$/);
    assertError(await call('GET', `${BASE}/category/${theirs}`), 404, NOT_FOUND);
    assertError(await call('DELETE', `${BASE}/category/${theirs}`), 404, NOT_FOUND);
    const deleted = await call('DELETE', `${BASE}/category/${mine}`);
    assert.equal(deleted.status, 204);
    assert.equal(deleted.text, '');
    assertError(await call('DELETE', `${BASE}/category/${mine}`), 404, NOT_FOUND);
  });

  test('pageNo and pageSize out of range give 400 / 123029 on every list', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'p', version: '1', ...METER });
    const operationId = await create('softwareUpgrade', { fileId, targets: { devices: [await register(false)] } });
    for (const path of [`${BASE}/category`, `${BASE}/operations`, `${BASE}/operations/${operationId}/subOperations`]) {
      for (const query of ['pageNo=-1', 'pageNo=abc', 'pageNo=1.5', 'pageSize=0', 'pageSize=101', 'pageSize=ten']) {
        assertError(await call('GET', `${path}?${query}`), 400, PAGE_LIMIT);
      }
      const ok = await call('GET', `${path}?pageNo=3&pageSize=100`);
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual([ok.json.pageNo, ok.json.pageSize, ok.json.data], [3, 100, []]);
    }
    const list = await call('GET', `${BASE}/operations`);
    assert.deepEqual(Object.keys(list.json).sort(), ['data', 'pageNo', 'pageSize', 'totalSize']);
    const subs = await call('GET', `${BASE}/operations/${operationId}/subOperations`);
    assert.deepEqual(Object.keys(subs.json).sort(), ['data', 'pageNo', 'pageSize', 'totalCount']);
    assertError(await call('GET', `${BASE}/operations/nope/subOperations`), 404, NO_TASK);
    assertError(await call('GET', `${BASE}/operations/nope`), 404, NO_TASK);
  });

  test('malformed task requests give 400 / 120015, unknown packages and devices 404 / 123002', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'fw', version: '2', ...METER });
    const device = await register(true);
    const tooMany = Array.from({ length: 257 }, (_, i) => `id-${i}`);
    const bad: unknown[] = [
      { targets: { devices: [device] } },
      { fileId: 7, targets: { devices: [device] } },
      { fileId },
      { fileId, targets: [device] },
      { fileId, targets: { devices: tooMany } },
      { fileId, targets: { deviceGroups: tooMany } },
      { fileId, targets: { devices: [device, 5] } },
      { fileId, targets: { devices: [device] }, policy: 'now' },
      { fileId, targets: { devices: [device] }, policy: { retryType: 'true' } },
      { fileId, targets: { devices: [device] }, policy: { retryTimes: 0 } },
      { fileId, targets: { devices: [device] }, policy: { executeType: 'custom', startTime: '20300101T000000Z' } },
      { fileId, targets: { devices: [device] }, policy: { executeType: 'custom', startTime: '20300101T000000Z', endTime: '20300101T000000Z' } },
      { fileId, targets: { devices: [device] }, policy: { executeType: 'custom', startTime: '20301301T000000Z', endTime: '20301401T000000Z' } },
    ];
    for (const body of bad) assertError(await call('POST', `${BASE}/operations/firmwareUpgrade`, body), 400, BAD_REQUEST);
    assertError(await call('POST', `${BASE}/operations/softwareUpgrade`, { fileId, targets: { devices: [device] } }), 400, BAD_REQUEST);
    assertError(await call('POST', `${BASE}/operations/firmwareUpgrade`, { fileId: 'nope', targets: { devices: [device] } }), 404, NOT_FOUND);
    assertError(await call('POST', `${BASE}/operations/firmwareUpgrade`, { fileId, targets: { devices: ['nope'] } }), 404, NOT_FOUND);
    assertError(await call('POST', `${BASE}/operations/firmwareUpgrade`, { fileId, targets: { devices: [] } }), 404, NOT_FOUND);
    assertError(await call('GET', `${BASE}/category?fileType=zip`), 400, BAD_REQUEST);
    assertError(await call('GET', `${BASE}/operations?operationType=reboot`), 400, BAD_REQUEST);
    // Duplicates count once; the documented operationType and the task's own operateType both filter.
    const operationId = await create('firmwareUpgrade', { fileId, targets: { devices: [device, device] } });
    const task = await call('GET', `${BASE}/operations/${operationId}`);
    assert.equal(task.json.staResult.total, 1);
    for (const type of ['firmware_upgrade', 'firmwareUpgrade']) {
      const list = await call('GET', `${BASE}/operations?operationType=${type}&deviceId=${device}`);
      assert.deepEqual(list.json.data.map((t: { operationId: string }) => t.operationId), [operationId]);
    }
  });

  test('a custom policy runs only inside its window: before it devices wait, after it they time out', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'sw', version: '3', ...METER });
    const device = await register(true);
    const later = await create('softwareUpgrade', {
      fileId,
      targets: { devices: [device] },
      policy: { executeType: 'custom', startTime: '20990101T000000Z', endTime: '20990102T000000Z' },
    });
    const pending = (await call('GET', `${BASE}/operations/${later}`)).json;
    assert.equal(pending.status, 'wait');
    assert.equal(pending.startTime, undefined);
    assert.deepEqual(pending.policy, { executeType: 'custom', startTime: '20990101T000000Z', endTime: '20990102T000000Z', retryType: false });
    assert.throws(() => sim.finishUpgrade(device, later, 'success'), /not under way \(status wait\)/);

    const past = await create('softwareUpgrade', {
      fileId,
      targets: { devices: [device] },
      policy: { executeType: 'custom', startTime: '20200101T000000Z', endTime: '20200102T000000Z' },
    });
    const expired = (await call('GET', `${BASE}/operations/${past}`)).json;
    assert.equal(expired.status, 'failed');
    assert.deepEqual(expired.staResult, { total: 1, wait: 0, processing: 0, success: 0, fail: 0, stop: 0, timeout: 1 });
    assert.equal(expired.startTime, '20200101T000000Z');
    assert.equal(expired.stopTime, '20200102T000000Z');
    const sub = (await call('GET', `${BASE}/operations/${past}/subOperations?subOperationStatus=timeout`)).json.data[0];
    assert.equal(sub.deviceId, device);
    assert.equal(sub.stopTime, '20200102T000000Z');
  });

  test('a device deleted during its upgrade fails it; finishUpgrade refuses what it cannot finish', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'sw', version: '4', ...METER });
    const doomed = await register(true);
    const other = await register(true);
    const operationId = await create('softwareUpgrade', { fileId, targets: { devices: [doomed, other] } });
    assert.equal((await call('DELETE', `${DM}/${doomed}`)).status, 204);
    const subs = (await call('GET', `${BASE}/operations/${operationId}/subOperations`)).json.data;
    assert.deepEqual(subs.map((s: { deviceId: string; status: string }) => [s.deviceId, s.status]), [[doomed, 'fail'], [other, 'processing']]);
    assert.throws(() => sim.finishUpgrade(other, 'no-such-task', 'success'), /unknown operationId/);
    const stranger = await register(true);
    assert.throws(() => sim.finishUpgrade(stranger, operationId, 'success'), /not a target/);
    assert.throws(() => sim.finishUpgrade(other, operationId, 'done' as never), /result must be/);
    assert.throws(() => sim.finishUpgrade(doomed, operationId, 'success'), /not under way \(status fail\)/);
    sim.finishUpgrade(other, operationId, 'success');
    const task = (await call('GET', `${BASE}/operations/${operationId}`)).json;
    assert.equal(task.status, 'failed');
    assert.deepEqual([task.staResult.success, task.staResult.fail], [1, 1]);
  });

  test('a device that comes online starts its waiting upgrades, even when it goes offline again before the task is read', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'fw', version: 'fw-9', ...METER });
    const device = await register(false);
    const operationId = await create('firmwareUpgrade', { fileId, targets: { devices: [device] } });
    sim.setDeviceOnline(device, true);
    sim.setDeviceOnline(device, false);
    const task = (await call('GET', `${BASE}/operations/${operationId}`)).json;
    assert.equal(task.status, 'processing');
    const [sub] = (await call('GET', `${BASE}/operations/${operationId}/subOperations`)).json.data;
    assert.equal(sub.status, 'processing');
    assert.match(sub.startTime, /^\d{8}T\d{6}Z$/);
    sim.finishUpgrade(device, operationId, 'success');
    assert.equal((await call('GET', `${BASE}/operations/${operationId}`)).json.status, 'success');
    // reportDeviceData connects the device as well.
    const reporting = await register(false);
    const second = await create('firmwareUpgrade', { fileId, targets: { devices: [reporting] } });
    sim.reportDeviceData(reporting, 'Meter', { level: 1 });
    sim.setDeviceOnline(reporting, false);
    sim.finishUpgrade(reporting, second, 'fail');
    assert.equal((await call('GET', `${BASE}/operations/${second}`)).json.status, 'failed');
  });

  test('upgrade state and result changes are announced for the push notifications', async () => {
    const sw = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'sw', version: 'sw-5', ...METER });
    const fw = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'fw', version: 'fw-5', ...METER });
    const device = await register(false);
    changes.length = 0;
    const swTask = await create('softwareUpgrade', { fileId: sw, targets: { devices: [device] } });
    assert.equal(changes.length, 0); // offline: nothing starts
    sim.setDeviceOnline(device, true); // the device connects: the waiting upgrade starts now
    assert.deepEqual(changes.map((c) => c.type), ['deviceStatusChanged', 'swUpgradeStateChangeNotify']);
    const started = changes.slice(1) as UpgradeChange[];
    changes.length = 0;
    await call('GET', `${BASE}/operations/${swTask}`); // a read announces nothing more
    assert.equal(changes.length, 0);
    const subId = (await call('GET', `${BASE}/operations/${swTask}/subOperations`)).json.data[0].subOperationId;
    const base = { appId: app.appId, deviceId: device, operationId: swTask, subOperationId: subId, sourceVersion: 'sw-1', targetVersion: 'sw-5' };
    for (const change of started) assert.match(change.time, /^\d{8}T\d{6}Z$/);
    assert.deepEqual(started.map(({ time: _time, ...rest }) => rest), [{ type: 'swUpgradeStateChangeNotify', ...base, status: 'processing' }]);
    changes.length = 0;
    sim.finishUpgrade(device, swTask, 'success');
    assert.deepEqual(changes.map((c) => [c.type, 'status' in c ? c.status : undefined]), [['swUpgradeResultNotify', 'success'], ['deviceInfoChanged', undefined]]);
    const infoChange = changes[1] as DeviceChange;
    assert.equal(infoChange.device.info['swVersion'], 'sw-5');

    changes.length = 0;
    const fwTask = await create('firmwareUpgrade', { fileId: fw, targets: { devices: [device] } });
    sim.finishUpgrade(device, fwTask, 'fail');
    assert.deepEqual(changes.map((c) => [c.type, 'status' in c ? c.status : undefined]), [['fwUpgradeStateChangeNotify', 'processing'], ['fwUpgradeResultNotify', 'fail']]);
  });
});

describe('upgrades through the admin API of a simulator in another process', () => {
  let remote: RemoteSimulator;
  let client: TestClient;
  const app = { appId: 'remoteUpgradeApp', secret: 'remoteUpgradeSecret' };

  before(async () => {
    remote = await startSimulatorProcess({ apps: [app] });
    client = new TestClient(remote);
  });
  after(async () => {
    client.close();
    await remote.stop();
  });

  test('addUpgradePackage and finishUpgrade drive a task', async () => {
    const pair = await client.login(app.appId, app.secret);
    const headers = TestClient.auth(app.appId, pair.accessToken);
    const fileId = await remote.addUpgradePackage({ fileType: 'softwarePackage', name: 'remote', version: 'r-2', ...METER });
    const listed = await client.request('GET', `${BASE}/category?fileType=softwarePackage`, { headers });
    assert.deepEqual(listed.json.data.map((p: { fileId: string }) => p.fileId), [fileId]);
    await assert.rejects(remote.addUpgradePackage({ fileType: 'softwarePackage', name: '', version: '1', ...METER }), /400.*name/);

    const reg = await client.request('POST', REG, { headers, json: { nodeId: 'REMOTE-UPGRADE-1' } });
    const { deviceId } = reg.json;
    const created = await client.request('POST', `${BASE}/operations/softwareUpgrade`, { headers, json: { fileId, targets: { devices: [deviceId] } } });
    const { operationId } = created.json;
    await assert.rejects(remote.finishUpgrade(deviceId, operationId, 'success'), /400.*not under way/);
    await remote.setDeviceOnline(deviceId, true);
    await remote.finishUpgrade(deviceId, operationId, 'success');
    const task = await client.request('GET', `${BASE}/operations/${operationId}`, { headers });
    assert.equal(task.json.status, 'success');
    const device = await client.request('GET', `/iocm/app/shadow/v1.5.0/devices/${deviceId}`, { headers });
    assert.equal(device.json.deviceInfo.swVersion, 'r-2');
    await assert.rejects(remote.finishUpgrade(deviceId, 'no-such-task', 'success'), /answered 404.*123009/);
    await assert.rejects(remote.finishUpgrade('no-such-device', operationId, 'success'), /answered 404.*100403/);
    await assert.rejects(remote.finishUpgrade(deviceId, operationId, 'done' as never), /answered 400.*result must be/);
  });
});
