import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeviceGroupManagement, DeviceUpgrade } from '../../src/index.js';
import type { CreateUpgradeTaskInDTO } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const APP = { appId: 'upgradeApp', secret: 'upgradeSecret1' };
const OTHER = { appId: 'otherUpgradeApp', secret: 'otherSecret2' };
const BASE = '/iodm/northbound/v1.5.0';
const PLATFORM_TIME = /^\d{8}T\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const METER = { deviceType: 'WaterMeter', model: 'WM-1', manufacturerName: 'Acme' };

describe('DeviceUpgrade through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let upgrades: DeviceUpgrade;
  const api = DeviceUpgrade.api;

  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [APP, OTHER] });
    sdk = sdkFor(sim, APP);
    upgrades = sdk.container.resolve(DeviceUpgrade);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** Registers a water meter of APP with the given software and firmware versions. */
  async function meter(online: boolean, extra: Record<string, string> = {}): Promise<string> {
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId(), deviceInfo: { ...METER, swVersion: 'sw-1.0', fwVersion: 'fw-1.0', ...extra } }, null, null);
    if (online) sim.setDeviceOnline(deviceId, true);
    return deviceId;
  }

  async function versions(deviceId: string): Promise<{ swVersion: unknown; fwVersion: unknown }> {
    const { deviceInfo } = await sdk.devices.queryDeviceShadow(deviceId, null, null);
    return { swVersion: deviceInfo?.swVersion, fwVersion: deviceInfo?.fwVersion };
  }

  test('packages: list with filters and pages, read one, delete one; every request checked on the wire', async () => {
    const first = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'meter-app', version: 'sw-2.0', ...METER, protocolType: 'CoAP', description: 'first', appId: APP.appId });
    const second = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'meter-app', version: 'sw-2.1', ...METER, appId: APP.appId });
    const firmware = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'meter-fw', version: 'fw-3.0', ...METER, date: '2024-05-01', appId: APP.appId });
    sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'elsewhere', version: 'x', ...METER, appId: OTHER.appId });
    sim.clearRecords();

    const page0 = await upgrades.queryUpgradePackageList({ fileType: 'softwarePackage', deviceType: METER.deviceType, version: undefined, pageNo: 0, pageSize: 1 }, null);
    let request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.queryUpgradePackageList.method);
    assert.equal(request.path, `${BASE}/category`);
    assert.deepEqual(request.query, { fileType: 'softwarePackage', deviceType: METER.deviceType, pageNo: '0', pageSize: '1' });
    assert.equal(request.body, '');
    assert.equal(request.status, api.queryUpgradePackageList.status);
    assert.deepEqual({ ...page0, data: undefined }, { pageNo: 0, pageSize: 1, totalCount: 2, data: undefined });
    assert.equal(page0.data.length, 1);
    const { uploadTime, ...rest } = page0.data[0]!;
    assert.match(uploadTime ?? '', PLATFORM_TIME);
    assert.deepEqual(rest, { fileId: first, name: 'meter-app', version: 'sw-2.0', fileType: 'softwarePackage', ...METER, protocolType: 'CoAP', description: 'first' });

    const page1 = await upgrades.queryUpgradePackageList({ fileType: 'softwarePackage', pageNo: 1, pageSize: 1 }, null);
    assert.deepEqual(onlyRequest(sim, APP.appId).query, { fileType: 'softwarePackage', pageNo: '1', pageSize: '1' });
    assert.deepEqual(page1.data.map((p) => [p.fileId, p.version]), [[second, 'sw-2.1']]);

    const all = await upgrades.queryUpgradePackageList({}, null);
    request = onlyRequest(sim, APP.appId);
    assert.deepEqual(request.query, {});
    assert.deepEqual({ pageNo: all.pageNo, pageSize: all.pageSize, totalCount: all.totalCount }, { pageNo: 0, pageSize: 10, totalCount: 3 });
    assert.deepEqual(all.data.map((p) => p.fileId), [first, second, firmware]);
    const byVersion = await upgrades.queryUpgradePackageList({ version: 'fw-3.0', model: METER.model, manufacturerName: METER.manufacturerName }, null);
    assert.deepEqual(onlyRequest(sim, APP.appId).query, { version: 'fw-3.0', model: METER.model, manufacturerName: METER.manufacturerName });
    assert.deepEqual(byVersion.data.map((p) => p.fileId), [firmware]);

    const one = await upgrades.queryUpgradePackage(firmware, null);
    request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.queryUpgradePackage.method);
    assert.equal(request.path, `${BASE}/category/${firmware}`);
    assert.deepEqual(request.query, {});
    assert.equal(request.status, api.queryUpgradePackage.status);
    assert.equal(one.fileId, firmware);
    assert.equal(one.fileType, 'firmwarePackage');
    assert.equal(one.version, 'fw-3.0');
    assert.equal(one.date, '2024-05-01');
    assert.equal(one.protocolType, undefined);

    const deleted = await upgrades.deleteUpgradePackage(second, null);
    request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.deleteUpgradePackage.method);
    assert.equal(request.path, `${BASE}/category/${second}`);
    assert.deepEqual(request.query, {});
    assert.equal(request.status, api.deleteUpgradePackage.status);
    assert.equal(deleted, undefined);
    await rejectsWith(upgrades.queryUpgradePackage(second, null), '123002', 404);
    assert.equal((await upgrades.queryUpgradePackageList({ fileType: 'softwarePackage' }, null)).totalCount, 1);
    sim.clearRecords();
  });

  test('a software task: online devices start at once, offline ones when they connect, devices report the result', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'meter-app', version: 'sw-9.0', ...METER, appId: APP.appId });
    const online = await meter(true);
    const offline = await meter(false);
    sim.clearRecords();

    const input: CreateUpgradeTaskInDTO = { fileId, targets: { devices: [online, offline], deviceType: undefined }, policy: undefined };
    const created = await upgrades.createSoftwareUpgradeTask(input, null);
    let request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.createSoftwareUpgradeTask.method);
    assert.equal(request.path, `${BASE}/operations/softwareUpgrade`);
    assert.deepEqual(request.query, {});
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(jsonBody(request), { fileId, targets: { devices: [online, offline] } });
    assert.equal(request.status, api.createSoftwareUpgradeTask.status);
    assert.match(created.operationId, UUID);
    const { operationId } = created;

    const task = await upgrades.queryUpgradeTask(operationId, null);
    request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.queryUpgradeTask.method);
    assert.equal(request.path, `${BASE}/operations/${operationId}`);
    assert.equal(request.status, api.queryUpgradeTask.status);
    assert.equal(task.operationId, operationId);
    assert.equal(task.operateType, 'softwareUpgrade');
    assert.deepEqual(task.targets, { devices: [online, offline] });
    assert.deepEqual(task.policy, { executeType: 'now', retryType: false });
    assert.equal(task.status, 'processing');
    assert.deepEqual(task.staResult, { total: 2, wait: 1, processing: 1, success: 0, fail: 0, stop: 0, timeout: 0 });
    assert.match(task.createTime, PLATFORM_TIME);
    assert.equal(task.startTime, task.createTime);
    assert.equal(task.stopTime, undefined);
    assert.deepEqual(task.extendPara, { fileId, fileVersion: 'sw-9.0' });

    const waiting = await upgrades.queryUpgradeSubTask({ subOperationStatus: 'wait', pageNo: undefined }, operationId, null);
    request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.queryUpgradeSubTask.method);
    assert.equal(request.path, `${BASE}/operations/${operationId}/subOperations`);
    assert.deepEqual(request.query, { subOperationStatus: 'wait' });
    assert.equal(request.status, api.queryUpgradeSubTask.status);
    assert.deepEqual({ pageNo: waiting.pageNo, pageSize: waiting.pageSize, totalCount: waiting.totalCount }, { pageNo: 0, pageSize: 10, totalCount: 1 });
    const [sub] = waiting.data;
    assert.equal(sub?.deviceId, offline);
    assert.equal(sub?.status, 'wait');
    assert.equal(sub?.operateType, 'softwareUpgrade');
    assert.match(sub?.subOperationId ?? '', UUID);
    assert.equal(sub?.startTime, undefined);
    assert.deepEqual(sub?.extendInfo, { sourceVersion: 'sw-1.0', targetVersion: 'sw-9.0' });

    sim.finishUpgrade(online, operationId, 'success');
    assert.deepEqual(await versions(online), { swVersion: 'sw-9.0', fwVersion: 'fw-1.0' });
    assert.throws(() => sim.finishUpgrade(offline, operationId, 'success'), /not under way/);

    sim.setDeviceOnline(offline, true);
    sim.clearRecords();
    const both = await upgrades.queryUpgradeSubTask({ pageNo: 0, pageSize: 5 }, operationId, null);
    assert.deepEqual(onlyRequest(sim, APP.appId).query, { pageNo: '0', pageSize: '5' });
    assert.deepEqual(both.data.map((s) => [s.deviceId, s.status]), [[online, 'success'], [offline, 'processing']]);
    assert.match(both.data[1]?.startTime ?? '', PLATFORM_TIME);

    sim.finishUpgrade(offline, operationId, 'fail');
    assert.deepEqual(await versions(offline), { swVersion: 'sw-1.0', fwVersion: 'fw-1.0' });
    const done = await upgrades.queryUpgradeTask(operationId, null);
    assert.equal(done.status, 'failed');
    assert.deepEqual(done.staResult, { total: 2, wait: 0, processing: 0, success: 1, fail: 1, stop: 0, timeout: 0 });
    assert.match(done.stopTime ?? '', PLATFORM_TIME);
    sim.clearRecords();

    const list = await upgrades.queryUpgradeTaskList({ operationType: 'software_upgrade', operationStatus: 'failed', deviceId: offline, pageNo: 0, pageSize: 5 }, null);
    request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.queryUpgradeTaskList.method);
    assert.equal(request.path, `${BASE}/operations`);
    assert.deepEqual(request.query, { operationType: 'software_upgrade', operationStatus: 'failed', deviceId: offline, pageNo: '0', pageSize: '5' });
    assert.equal(request.status, api.queryUpgradeTaskList.status);
    assert.deepEqual({ pageNo: list.pageNo, pageSize: list.pageSize, totalSize: list.totalSize }, { pageNo: 0, pageSize: 5, totalSize: 1 });
    assert.equal('totalCount' in list, false);
    assert.deepEqual(list.data.map((t) => [t.operationId, t.status]), [[operationId, 'failed']]);
    const none = await upgrades.queryUpgradeTaskList({ operationStatus: 'success', deviceId: offline }, null);
    assert.deepEqual(onlyRequest(sim, APP.appId).query, { operationStatus: 'success', deviceId: offline });
    assert.equal(none.totalSize, 0);
  });

  test('a firmware task over a device type, with retries; the task list filters by type and device type', async () => {
    const model = `fw-${randomNodeId()}`;
    const fileId = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'meter-fw', version: 'fw-5.0', ...METER, model, appId: APP.appId });
    const a = await meter(true, { model });
    const b = await meter(true, { model });
    await meter(true); // another model: not a target
    sim.clearRecords();

    const input: CreateUpgradeTaskInDTO = {
      fileId,
      targets: { ...METER, model },
      policy: { executeType: 'now', retryType: true, retryTimes: 1 },
    };
    const { operationId } = await upgrades.createFirmwareUpgradeTask(input, null);
    const request = onlyRequest(sim, APP.appId);
    assert.equal(request.method, api.createFirmwareUpgradeTask.method);
    assert.equal(request.path, `${BASE}/operations/firmwareUpgrade`);
    assert.deepEqual(jsonBody(request), input);
    assert.equal(request.status, api.createFirmwareUpgradeTask.status);

    let task = await upgrades.queryUpgradeTask(operationId, null);
    assert.equal(task.operateType, 'firmwareUpgrade');
    assert.deepEqual(task.policy, { executeType: 'now', retryType: true, retryTimes: 1 });
    assert.deepEqual(task.staResult, { total: 2, wait: 0, processing: 2, success: 0, fail: 0, stop: 0, timeout: 0 });

    sim.finishUpgrade(a, operationId, 'fail'); // retried once
    let subs = await upgrades.queryUpgradeSubTask({ subOperationStatus: 'processing' }, operationId, null);
    assert.deepEqual(subs.data.map((s) => s.deviceId).sort(), [a, b].sort());
    assert.equal(subs.data.find((s) => s.deviceId === a)?.extendInfo?.['retries'], 1);
    sim.finishUpgrade(a, operationId, 'success');
    sim.finishUpgrade(b, operationId, 'fail'); // retried
    sim.finishUpgrade(b, operationId, 'fail'); // no retry left
    assert.deepEqual(await versions(a), { swVersion: 'sw-1.0', fwVersion: 'fw-5.0' });
    assert.deepEqual(await versions(b), { swVersion: 'sw-1.0', fwVersion: 'fw-1.0' });
    task = await upgrades.queryUpgradeTask(operationId, null);
    assert.equal(task.status, 'failed');
    assert.deepEqual([task.staResult.success, task.staResult.fail], [1, 1]);
    subs = await upgrades.queryUpgradeSubTask({ subOperationStatus: 'fail' }, operationId, null);
    assert.deepEqual(subs.data.map((s) => s.deviceId), [b]);

    const byType = await upgrades.queryUpgradeTaskList({ operationType: 'firmware_upgrade', model }, null);
    assert.deepEqual(byType.data.map((t) => t.operationId), [operationId]);
    const software = await upgrades.queryUpgradeTaskList({ operationType: 'software_upgrade', model }, null);
    assert.equal(software.totalSize, 0);
  });

  test('a task over a device group takes the group members', async () => {
    const fileId = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'grouped', version: 'sw-7.0', ...METER, appId: APP.appId });
    const member = await meter(true);
    const group = await sdk.container.resolve(DeviceGroupManagement).createDeviceGroup({ name: `g${Date.now()}`, deviceIds: [member] }, null);
    const { operationId } = await upgrades.createSoftwareUpgradeTask({ fileId, targets: { deviceGroups: [group.id] } }, null);
    const subs = await upgrades.queryUpgradeSubTask({}, operationId, null);
    assert.deepEqual(subs.data.map((s) => [s.deviceId, s.status]), [[member, 'processing']]);
    assert.deepEqual((await upgrades.queryUpgradeTask(operationId, null)).targets, { deviceGroups: [group.id] });
    await rejectsWith(upgrades.createSoftwareUpgradeTask({ fileId, targets: { deviceGroups: ['no-such-group'] } }, null), '123002', 404);
  });

  test('the platform errors of the upgrade API come back typed', async () => {
    const software = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'p', version: '1', ...METER, appId: APP.appId });
    const firmware = sim.addUpgradePackage({ fileType: 'firmwarePackage', name: 'p', version: '1', ...METER, appId: APP.appId });
    const foreign = sim.addUpgradePackage({ fileType: 'softwarePackage', name: 'p', version: '1', ...METER, appId: OTHER.appId });
    const device = await meter(false);
    const { operationId } = await upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { devices: [device] } }, null);

    await rejectsWith(upgrades.queryUpgradePackage('no-such-file', null), '123002', 404, /Device or package file not found/);
    await rejectsWith(upgrades.queryUpgradePackage(foreign, null), '123002', 404);
    await rejectsWith(upgrades.deleteUpgradePackage('no-such-file', null), '123002', 404);
    await rejectsWith(upgrades.queryUpgradePackageList({ fileType: 'zipPackage' }, null), '120015', 400, /Bad request error/);
    await rejectsWith(upgrades.createFirmwareUpgradeTask({ fileId: 'no-such-file', targets: { devices: [device] } }, null), '123002', 404);
    await rejectsWith(upgrades.createSoftwareUpgradeTask({ fileId: firmware, targets: { devices: [device] } }, null), '120015', 400);
    await rejectsWith(upgrades.createFirmwareUpgradeTask({ fileId: software, targets: { devices: [device] } }, null), '120015', 400);
    await rejectsWith(upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { devices: [device, 'no-such-device'] } }, null), '123002', 404);
    await rejectsWith(upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { deviceType: 'NoSuchType' } }, null), '123002', 404);
    await rejectsWith(upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { devices: [device] }, policy: { executeType: 'someday' } }, null), '120015', 400);
    // Empty targets and a custom policy without its window are refused by the SDK before sending; the simulator
    // refuses them too, when asked directly.
    for (const body of [{ fileId: software, targets: {} }, { fileId: software, targets: { devices: [device] }, policy: { executeType: 'custom' } }]) {
      const raw = await rawBusinessCall(sim, APP.appId, 'POST', `${BASE}/operations/softwareUpgrade`, body);
      assert.equal(raw.status, 400, JSON.stringify(body));
      assert.equal((raw.body as { error_code?: string }).error_code, '120015');
    }
    // With its window, a custom policy goes through; so do targets naming only a product.
    const windowed = { executeType: 'custom', startTime: '20990101T000000Z', endTime: '20990102T000000Z' };
    assert.match((await upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { devices: [device] }, policy: windowed }, null)).operationId, UUID);
    assert.match((await upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { model: METER.model } }, null)).operationId, UUID);
    await rejectsWith(upgrades.createSoftwareUpgradeTask({ fileId: software, targets: { devices: [device] }, policy: { startTime: '2024-01-01' } }, null), '120015', 400);
    await rejectsWith(upgrades.queryUpgradeTask('no-such-task', null), '123009', 404, /The requested task does not exist/);
    await rejectsWith(upgrades.queryUpgradeSubTask({}, 'no-such-task', null), '123009', 404);
    await rejectsWith(upgrades.queryUpgradeSubTask({ subOperationStatus: 'sleeping' }, operationId, null), '120015', 400);
    await rejectsWith(upgrades.queryUpgradeTaskList({ operationStatus: 'sleeping' }, null), '120015', 400);
    await rejectsWith(upgrades.queryUpgradeTaskList({ operationType: 'reboot' }, null), '120015', 400);
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const tooMany = Array.from({ length: 257 }, (_, i) => `d${i}`);
    const task = (over: Record<string, unknown>) => ({ fileId: 'f1', targets: { devices: ['d1'] }, ...over }) as unknown as CreateUpgradeTaskInDTO;
    const cases: [string, () => Promise<unknown>][] = [
      ['quplInDTO', () => upgrades.queryUpgradePackageList(null as never, null)],
      ['quplInDTO.fileType', () => upgrades.queryUpgradePackageList({ fileType: 5 as never }, null)],
      ['quplInDTO.pageNo', () => upgrades.queryUpgradePackageList({ pageNo: -1 }, null)],
      ['quplInDTO.pageSize', () => upgrades.queryUpgradePackageList({ pageSize: 101 }, null)],
      ['quplInDTO.pageSize', () => upgrades.queryUpgradePackageList({ pageSize: '10' as never }, null)],
      ['fileId', () => upgrades.queryUpgradePackage('', null)],
      ['fileId', () => upgrades.queryUpgradePackage(undefined as never, null)],
      ['fileId', () => upgrades.deleteUpgradePackage('', null)],
      ['fileId', () => upgrades.deleteUpgradePackage(42 as never, null)],
      ['cutInDTO', () => upgrades.createSoftwareUpgradeTask(null as never, null)],
      ['cutInDTO.fileId', () => upgrades.createSoftwareUpgradeTask(task({ fileId: undefined }), null)],
      ['cutInDTO.targets', () => upgrades.createSoftwareUpgradeTask(task({ targets: undefined }), null)],
      ['cutInDTO.fileId', () => upgrades.createSoftwareUpgradeTask(task({ fileId: '' }), null)],
      ['cutInDTO.targets.devices', () => upgrades.createSoftwareUpgradeTask(task({ targets: { devices: 'd1' } }), null)],
      ['cutInDTO.targets.devices[1]', () => upgrades.createSoftwareUpgradeTask(task({ targets: { devices: ['d1', ''] } }), null)],
      ['cutInDTO.targets.devices', () => upgrades.createSoftwareUpgradeTask(task({ targets: { devices: tooMany } }), null)],
      ['cutInDTO.targets.model', () => upgrades.createSoftwareUpgradeTask(task({ targets: { model: 3 } }), null)],
      ['cutInDTO.targets', () => upgrades.createSoftwareUpgradeTask(task({ targets: {} }), null)],
      ['cutInDTO.targets', () => upgrades.createSoftwareUpgradeTask(task({ targets: { devices: [], deviceGroups: [] } }), null)],
      ['cutInDTO.targets', () => upgrades.createSoftwareUpgradeTask(task({ targets: { deviceType: '', model: null } }), null)],
      ['cutInDTO.targets.deviceGroups[0]', () => upgrades.createSoftwareUpgradeTask(task({ targets: { deviceGroups: [''] } }), null)],
      ['cutInDTO.policy.startTime', () => upgrades.createSoftwareUpgradeTask(task({ policy: { executeType: 'custom', endTime: '20990101T000000Z' } }), null)],
      ['cutInDTO.policy.endTime', () => upgrades.createSoftwareUpgradeTask(task({ policy: { executeType: 'custom', startTime: '20990101T000000Z' } }), null)],
      ['cutInDTO.policy.startTime', () => upgrades.createFirmwareUpgradeTask(task({ policy: { executeType: 'custom' } }), null)],
      ['cutInDTO.policy.retryType', () => upgrades.createSoftwareUpgradeTask(task({ policy: { retryType: 'yes' } }), null)],
      ['cutInDTO', () => upgrades.createFirmwareUpgradeTask('task' as never, null)],
      ['cutInDTO.fileId', () => upgrades.createFirmwareUpgradeTask(task({ fileId: '' }), null)],
      ['cutInDTO.targets', () => upgrades.createFirmwareUpgradeTask(task({ targets: ['d1'] }), null)],
      ['cutInDTO.fileId', () => upgrades.createFirmwareUpgradeTask(task({ fileId: 12 }), null)],
      ['cutInDTO.targets.deviceGroups', () => upgrades.createFirmwareUpgradeTask(task({ targets: { deviceGroups: tooMany } }), null)],
      ['cutInDTO.policy', () => upgrades.createFirmwareUpgradeTask(task({ policy: 'now' }), null)],
      ['cutInDTO.policy.retryTimes', () => upgrades.createFirmwareUpgradeTask(task({ policy: { retryTimes: 6 } }), null)],
      ['cutInDTO.policy.startTime', () => upgrades.createFirmwareUpgradeTask(task({ policy: { startTime: 20240101 } }), null)],
      ['operationId', () => upgrades.queryUpgradeTask('', null)],
      ['operationId', () => upgrades.queryUpgradeTask(null as never, null)],
      ['operationId', () => upgrades.queryUpgradeTask(5 as never, null)],
      ['qustInDTO', () => upgrades.queryUpgradeSubTask(undefined as never, 'op1', null)],
      ['qustInDTO.subOperationStatus', () => upgrades.queryUpgradeSubTask({ subOperationStatus: 1 as never }, 'op1', null)],
      ['qustInDTO.pageSize', () => upgrades.queryUpgradeSubTask({ pageSize: 0 }, 'op1', null)],
      ['operationId', () => upgrades.queryUpgradeSubTask({}, '', null)],
      ['qutlInDTO', () => upgrades.queryUpgradeTaskList(null as never, null)],
      ['qutlInDTO.deviceId', () => upgrades.queryUpgradeTaskList({ deviceId: 7 as never }, null)],
      ['qutlInDTO.deviceId', () => upgrades.queryUpgradeTaskList({ deviceId: '' }, null)],
      ['qutlInDTO.operationType', () => upgrades.queryUpgradeTaskList({ operationType: ['a'] as never }, null)],
      ['qutlInDTO.pageNo', () => upgrades.queryUpgradeTaskList({ pageNo: 1.5 }, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
    sim.clearRecords();
    await rejectsWith(upgrades.queryUpgradeTask('op1', '' as never), '1009', -1);
    assert.equal(sim.requests().length, 0);
  });
});
