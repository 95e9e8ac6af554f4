import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DataCollection, DeviceServiceInvocation, SignalDelivery } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'dcOwnerApp', secret: 'ownerSecret1', grants: ['dcPartnerApp'] };
const PARTNER = { appId: 'dcPartnerApp', secret: 'partnerSecret2' };
const DEVICES = '/iocm/app/dm/v1.4.0/devices';
const DATA_HISTORY = '/iocm/app/data/v1.2.0/deviceDataHistory';
const DESIRED_HISTORY = '/iocm/app/shadow/v1.5.0/deviceDesiredHistory';
const CAPABILITIES = '/iocm/app/data/v1.1.0/deviceCapabilities';
const PLATFORM_TIME = /^\d{8}T\d{6}Z$/;

describe('DataCollection through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let dc: DataCollection;
  const api = DataCollection.api;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER] });
    sdk = sdkFor(sim, PARTNER);
    dc = sdk.container.resolve(DataCollection);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  async function newDevice(appId: string | null, extra: { imsi?: string; deviceType?: string } = {}): Promise<string> {
    const { deviceId } = await sdk.devices.regDirectDevice(
      { nodeId: randomNodeId(), ...(extra.imsi ? { imsi: extra.imsi } : {}), deviceInfo: { deviceType: extra.deviceType ?? 'WaterMeter', manufacturerName: 'Acme' } },
      appId,
      null,
    );
    sim.clearRecords();
    return deviceId;
  }

  test('querySingleDeviceInfo: information, reported services, imsi only with select=imsi', async () => {
    const deviceId = await newDevice(OWNER.appId, { imsi: '460111234567890' });
    const plain = await dc.querySingleDeviceInfo(deviceId, null, OWNER.appId, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.querySingleDeviceInfo.method);
    assert.equal(request.path, `${DEVICES}/${deviceId}`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(request.body, '');
    assert.equal(request.status, api.querySingleDeviceInfo.status);
    assert.equal(plain.deviceId, deviceId);
    assert.equal(plain.gatewayId, deviceId);
    assert.equal(plain.nodeType, 'ENDPOINT');
    assert.match(plain.createTime ?? '', PLATFORM_TIME);
    assert.equal(plain.deviceInfo?.deviceType, 'WaterMeter');
    assert.equal(plain.deviceInfo?.manufacturerName, 'Acme');
    assert.equal(plain.deviceInfo?.status, 'INACTIVE');
    assert.equal(plain.deviceInfo?.['imsi'], undefined);
    assert.deepEqual(plain.services, []);

    sim.reportDeviceData(deviceId, 'WaterMeter', { reading: 12.5, valve: 'OPEN' }, { serviceType: 'Meter', eventTime: '20240301T080000Z' });
    const withImsi = await dc.querySingleDeviceInfo(deviceId, 'imsi', OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { select: 'imsi', appId: OWNER.appId });
    assert.equal(withImsi.deviceInfo?.['imsi'], '460111234567890');
    assert.equal(withImsi.deviceInfo?.status, 'ONLINE');
    assert.deepEqual(withImsi.services, [{ serviceId: 'WaterMeter', serviceType: 'Meter', data: { reading: 12.5, valve: 'OPEN' }, eventTime: '20240301T080000Z' }]);

    await rejectsWith(dc.querySingleDeviceInfo(deviceId, 'name', OWNER.appId, null), '100405', 400);
    await rejectsWith(dc.querySingleDeviceInfo('no-such-device', null, OWNER.appId, null), '100403', 404);
    // The owner's device is not one of the partner's own.
    await rejectsWith(dc.querySingleDeviceInfo(deviceId, null, null, null), '100403', 404);
    sim.clearRecords();
  });

  test('queryBatchDevicesInfo: filters, sort by registration time, pages, and the gatewayId/pageNo rule', async () => {
    const ids = [await newDevice(null, { deviceType: 'Lamp' }), await newDevice(null, { deviceType: 'Lamp' }), await newDevice(null, { deviceType: 'Meter' })];
    const asc = await dc.queryBatchDevicesInfo({ pageNo: 0, pageSize: 2, sort: 'ASC', deviceType: 'Lamp' }, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryBatchDevicesInfo.method);
    assert.equal(request.path, DEVICES);
    assert.deepEqual(request.query, { deviceType: 'Lamp', pageNo: '0', pageSize: '2', sort: 'ASC' });
    assert.equal(request.status, api.queryBatchDevicesInfo.status);
    assert.deepEqual({ totalCount: asc.totalCount, pageNo: asc.pageNo, pageSize: asc.pageSize }, { totalCount: 2, pageNo: 0, pageSize: 2 });
    assert.deepEqual(asc.devices.map((d) => d.deviceId), [ids[0], ids[1]]);

    const desc = await dc.queryBatchDevicesInfo({ pageNo: 0 }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { pageNo: '0' });
    assert.equal(desc.pageSize, 25);
    assert.equal(desc.totalCount, 3);
    assert.deepEqual(desc.devices.map((d) => d.deviceId), [ids[2], ids[1], ids[0]]);

    const secondPage = await dc.queryBatchDevicesInfo({ pageNo: 1, pageSize: 2, sort: 'DESC' }, null);
    assert.deepEqual(secondPage.devices.map((d) => d.deviceId), [ids[0]]);
    sim.setDeviceOnline(ids[1]!, true);
    const online = await dc.queryBatchDevicesInfo({ pageNo: 0, status: 'ONLINE' }, null);
    assert.deepEqual(online.devices.map((d) => d.deviceId), [ids[1]]);
    // gatewayId without pageNo is enough: for a directly connected device it is the device itself.
    const ofGateway = await dc.queryBatchDevicesInfo({ gatewayId: ids[2] }, null);
    assert.deepEqual(ofGateway.devices.map((d) => d.deviceId), [ids[2]]);
    const registeredLater = await dc.queryBatchDevicesInfo({ pageNo: 0, startTime: '20991231T000000Z' }, null);
    assert.equal(registeredLater.totalCount, 0);
    assert.equal((await dc.queryBatchDevicesInfo({ pageNo: 0, nodeType: 'GATEWAY' }, null)).totalCount, 0);
    sim.clearRecords();

    // Neither gatewayId nor pageNo: the SDK refuses it before sending (see the bad-input cases); the simulator, asked
    // directly, answers the platform's 400 / 100218, also when gatewayId is sent empty.
    for (const query of ['?deviceType=Lamp', '?gatewayId=&deviceType=Lamp']) {
      const raw = await rawBusinessCall(sim, PARTNER.appId, 'GET', `${DEVICES}${query}`);
      assert.equal(raw.status, 400, query);
      const body = raw.body as { error_code?: string; error_desc?: string };
      assert.equal(body.error_code, '100218', query);
      assert.match(body.error_desc ?? '', /gatewayId and pageNo/);
    }
    await rejectsWith(dc.queryBatchDevicesInfo({ pageNo: 0, select: 'name' }, null), '100405', 400);
    await rejectsWith(dc.queryBatchDevicesInfo({ pageNo: 0, startTime: '2024-01-01' }, null), '100405', 400);

    // The authorised app's devices, with appId taken from the DTO.
    const ownerDevice = await newDevice(OWNER.appId, { imsi: '460001' });
    const ofOwner = await dc.queryBatchDevicesInfo({ appId: OWNER.appId, pageNo: 0, select: 'imsi' }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { appId: OWNER.appId, pageNo: '0', select: 'imsi' });
    assert.ok(ofOwner.devices.some((d) => d.deviceId === ownerDevice && d.deviceInfo?.['imsi'] === '460001'));
    assert.ok(ofOwner.devices.every((d) => !ids.includes(d.deviceId)));
  });

  test('queryDeviceDataHistory: reports newest first, filters, default pageSize 1, unknown device or gateway 404/100418', async () => {
    const deviceId = await newDevice(OWNER.appId);
    sim.reportDeviceData(deviceId, 'Meter', { reading: 1 }, { eventTime: '20240101T000000Z' });
    sim.reportDeviceData(deviceId, 'Meter', { reading: 2, battery: 90 }, { eventTime: '20240102T000000Z' });
    sim.reportDeviceData(deviceId, 'Valve', { open: true }, { eventTime: Date.UTC(2024, 0, 3) });
    const all = await dc.queryDeviceDataHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, pageNo: 0, pageSize: 10 }, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceDataHistory.method);
    assert.equal(request.path, DATA_HISTORY);
    assert.deepEqual(request.query, { appId: OWNER.appId, deviceId, gatewayId: deviceId, pageNo: '0', pageSize: '10' });
    assert.equal(request.status, api.queryDeviceDataHistory.status);
    assert.deepEqual({ totalCount: all.totalCount, pageNo: all.pageNo, pageSize: all.pageSize }, { totalCount: 3, pageNo: 0, pageSize: 10 });
    assert.deepEqual(all.deviceDataHistoryDTOs, [
      { deviceId, gatewayId: deviceId, appId: OWNER.appId, serviceId: 'Valve', data: { open: true }, timestamp: '20240103T000000Z' },
      { deviceId, gatewayId: deviceId, appId: OWNER.appId, serviceId: 'Meter', data: { reading: 2, battery: 90 }, timestamp: '20240102T000000Z' },
      { deviceId, gatewayId: deviceId, appId: OWNER.appId, serviceId: 'Meter', data: { reading: 1 }, timestamp: '20240101T000000Z' },
    ]);

    const latest = await dc.queryDeviceDataHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId }, null);
    assert.equal(latest.pageSize, 1);
    assert.equal(latest.totalCount, 3);
    assert.deepEqual(latest.deviceDataHistoryDTOs.map((r) => r.timestamp), ['20240103T000000Z']);
    const battery = await dc.queryDeviceDataHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, serviceId: 'Meter', property: 'battery', pageSize: 10 }, null);
    assert.deepEqual(battery.deviceDataHistoryDTOs.map((r) => r.data), [{ reading: 2, battery: 90 }]);
    const window = await dc.queryDeviceDataHistory(
      { deviceId, gatewayId: deviceId, appId: OWNER.appId, startTime: '20240101T120000Z', endTime: '20240102T000000Z', pageSize: 10 },
      null,
    );
    assert.deepEqual(window.deviceDataHistoryDTOs.map((r) => r.timestamp), ['20240102T000000Z']);
    sim.clearRecords();

    await rejectsWith(dc.queryDeviceDataHistory({ deviceId, gatewayId: 'other-gateway', appId: OWNER.appId }, null), '100418', 404);
    await rejectsWith(dc.queryDeviceDataHistory({ deviceId: 'no-such-device', gatewayId: 'no-such-device', appId: OWNER.appId }, null), '100418', 404);
    await rejectsWith(dc.queryDeviceDataHistory({ deviceId, gatewayId: deviceId }, null), '100418', 404);
    await rejectsWith(dc.queryDeviceDataHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, startTime: 'yesterday' }, null), '100022', 400);

    const own = await newDevice(null);
    sim.reportDeviceData(own, 'Meter', { reading: 7 });
    const ownHistory = await dc.queryDeviceDataHistory({ deviceId: own, gatewayId: own }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { deviceId: own, gatewayId: own });
    assert.deepEqual(ownHistory.deviceDataHistoryDTOs.map((r) => [r.appId, r.data]), [[PARTNER.appId, { reading: 7 }]]);
  });

  test('queryDeviceDesiredHistory: every modifyDeviceShadow change, newest first', async () => {
    const deviceId = await newDevice(OWNER.appId);
    await sdk.devices.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 100 } }] }, deviceId, OWNER.appId, null);
    await sdk.devices.modifyDeviceShadow(
      { serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 40 } }, { serviceId: 'Color', desired: { rgb: '00ff00' } }] },
      deviceId,
      OWNER.appId,
      null,
    );
    sim.clearRecords();
    const history = await dc.queryDeviceDesiredHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, pageNo: 0, pageSize: 50 }, null);
    const request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceDesiredHistory.method);
    assert.equal(request.path, DESIRED_HISTORY);
    assert.deepEqual(request.query, { appId: OWNER.appId, deviceId, gatewayId: deviceId, pageNo: '0', pageSize: '50' });
    assert.equal(request.status, api.queryDeviceDesiredHistory.status);
    assert.equal(history.totalCount, 3);
    assert.deepEqual(
      history.deviceDesiredHistory.map((r) => [r.serviceId, r.desired, r.appId, r.gatewayId]),
      [
        ['Color', { rgb: '00ff00' }, OWNER.appId, deviceId],
        ['Brightness', { brightness: 40 }, OWNER.appId, deviceId],
        ['Brightness', { brightness: 100 }, OWNER.appId, deviceId],
      ],
    );
    assert.ok(history.deviceDesiredHistory.every((r) => PLATFORM_TIME.test(r.timestamp)));
    const brightness = await dc.queryDeviceDesiredHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, serviceId: 'Brightness', pageNo: 1, pageSize: 1 }, null);
    assert.deepEqual(brightness.deviceDesiredHistory.map((r) => r.desired), [{ brightness: 100 }]);
    assert.equal(brightness.totalCount, 2);
    const rgb = await dc.queryDeviceDesiredHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, property: 'rgb' }, null);
    assert.deepEqual(rgb.deviceDesiredHistory.map((r) => r.serviceId), ['Color']);
    sim.clearRecords();
    await rejectsWith(dc.queryDeviceDesiredHistory({ deviceId, gatewayId: deviceId, appId: OWNER.appId, endTime: '20241301T000000Z' }, null), '100022', 400);
    await rejectsWith(dc.queryDeviceDesiredHistory({ deviceId: 'no-such-device', gatewayId: 'x', appId: OWNER.appId }, null), '100418', 404);
    await rejectsWith(dc.queryDeviceDesiredHistory({ deviceId, gatewayId: deviceId, appId: 'nobodyApp' }, null), '100203', 403);
  });

  test('queryDeviceCapabilities: services derived from reported data, desired properties and commands', async () => {
    const deviceId = await newDevice(OWNER.appId);
    sim.reportDeviceData(deviceId, 'Meter', { reading: 12, voltage: 3.3, label: 'north' });
    await sdk.devices.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 'Meter', desired: { reading: 0, interval: 60 } }] }, deviceId, OWNER.appId, null);
    await sdk.container.resolve(SignalDelivery).postDeviceCommand({ deviceId, command: { serviceId: 'Valve', method: 'SET_STATE', paras: { open: true } } }, OWNER.appId, null);
    await sdk.container.resolve(DeviceServiceInvocation).invokeDeviceService(deviceId, 'Discovery', { header: { mode: 'ACK', method: 'DISCOVERY' }, body: { cmdBody: 'x' } }, OWNER.appId, null);
    sim.clearRecords();

    const result = await dc.queryDeviceCapabilities({ deviceId, appId: OWNER.appId }, null);
    const request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceCapabilities.method);
    assert.equal(request.path, CAPABILITIES);
    assert.deepEqual(request.query, { deviceId, appId: OWNER.appId });
    assert.equal(request.status, api.queryDeviceCapabilities.status);
    assert.equal(result.deviceCapabilities.length, 1);
    const [device] = result.deviceCapabilities;
    assert.equal(device!.deviceId, deviceId);
    const byService = new Map(device!.serviceCapabilities.map((s) => [s.serviceId, s]));
    assert.deepEqual([...byService.keys()].sort(), ['Discovery', 'Meter', 'Valve']);
    assert.deepEqual(
      byService.get('Meter')!.properties?.map((p) => [p.propertyName, p.dataType, p.method]),
      [
        ['reading', 'int', 'RW'],
        ['voltage', 'decimal', 'R'],
        ['label', 'string', 'R'],
        ['interval', 'int', 'W'],
      ],
    );
    assert.deepEqual(byService.get('Meter')!.commands, []);
    assert.deepEqual(byService.get('Valve')!.commands?.map((c) => [c.commandName, c.paras?.map((p) => [p.paraName, p.dataType])]), [['SET_STATE', [['open', 'bool']]]]);
    assert.deepEqual(byService.get('Discovery')!.commands?.map((c) => [c.commandName, c.paras?.map((p) => p.paraName)]), [['DISCOVERY', ['cmdBody']]]);

    // By gateway, and for the partner's own devices (none with data): no appId in the query.
    const byGateway = await dc.queryDeviceCapabilities({ gatewayId: deviceId, appId: OWNER.appId }, null);
    assert.deepEqual(byGateway.deviceCapabilities.map((d) => d.deviceId), [deviceId]);
    sim.clearRecords();
    const own = await newDevice(null);
    const ownCaps = await dc.queryDeviceCapabilities({ deviceId: own }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { deviceId: own });
    assert.deepEqual(ownCaps.deviceCapabilities, [{ deviceId: own, serviceCapabilities: [] }]);
    await rejectsWith(dc.queryDeviceCapabilities({ deviceId: 'no-such-device' }, null), '100418', 404);
    await rejectsWith(dc.queryDeviceCapabilities({ deviceId, gatewayId: 'other' , appId: OWNER.appId }, null), '100418', 404);
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const history = { deviceId: 'd1', gatewayId: 'd1' };
    const cases: [string, () => Promise<unknown>][] = [
      ['deviceId', () => dc.querySingleDeviceInfo('', null, null, null)],
      ['select', () => dc.querySingleDeviceInfo('d1', 1 as never, null, null)],
      ['appId', () => dc.querySingleDeviceInfo('d1', null, 7 as never, null)],
      ['qbdiInDTO', () => dc.queryBatchDevicesInfo(null as never, null)],
      ['qbdiInDTO.pageNo', () => dc.queryBatchDevicesInfo({ pageNo: -1 }, null)],
      ['qbdiInDTO.pageSize', () => dc.queryBatchDevicesInfo({ pageNo: 0, pageSize: 251 }, null)],
      ['qbdiInDTO.sort', () => dc.queryBatchDevicesInfo({ pageNo: 0, sort: 'UP' as never }, null)],
      ['qbdiInDTO.status', () => dc.queryBatchDevicesInfo({ pageNo: 0, status: 1 as never }, null)],
      ['qbdiInDTO.gatewayId', () => dc.queryBatchDevicesInfo({ gatewayId: {} as never }, null)],
      ['qbdiInDTO.gatewayId', () => dc.queryBatchDevicesInfo({ gatewayId: '', pageNo: 0 }, null)],
      ['qbdiInDTO.gatewayId', () => dc.queryBatchDevicesInfo({ deviceType: 'Lamp' }, null)],
      ['qbdiInDTO.pageNo', () => dc.queryBatchDevicesInfo({ deviceType: 'Lamp' }, null)],
      ['qbdiInDTO.pageNo', () => dc.queryBatchDevicesInfo({ gatewayId: null as never, pageNo: null as never }, null)],
      ['qbdiInDTO.appId', () => dc.queryBatchDevicesInfo({ appId: 5 as never, pageNo: 0 }, null)],
      ['qbdiInDTO.appId', () => dc.queryBatchDevicesInfo({ appId: '  ', pageNo: 0 }, null)],
      ['qddhInDTO', () => dc.queryDeviceDataHistory(undefined as never, null)],
      ['qddhInDTO.deviceId', () => dc.queryDeviceDataHistory({ gatewayId: 'g' } as never, null)],
      ['qddhInDTO.gatewayId', () => dc.queryDeviceDataHistory({ deviceId: 'd1', gatewayId: '' }, null)],
      ['qddhInDTO.pageSize', () => dc.queryDeviceDataHistory({ ...history, pageSize: 2001 }, null)],
      ['qddhInDTO.property', () => dc.queryDeviceDataHistory({ ...history, property: 3 as never }, null)],
      ['qddhInDTO.appId', () => dc.queryDeviceDataHistory({ ...history, appId: [] as never }, null)],
      ['qddhInDTO.deviceId', () => dc.queryDeviceDesiredHistory({ deviceId: '', gatewayId: 'g' }, null)],
      ['qddhInDTO.gatewayId', () => dc.queryDeviceDesiredHistory({ deviceId: 'd1' } as never, null)],
      ['qddhInDTO.pageNo', () => dc.queryDeviceDesiredHistory({ ...history, pageNo: 0.5 }, null)],
      ['qddhInDTO.startTime', () => dc.queryDeviceDesiredHistory({ ...history, startTime: 20240101 as never }, null)],
      ['qdcInDTO', () => dc.queryDeviceCapabilities(null as never, null)],
      ['qdcInDTO.deviceId', () => dc.queryDeviceCapabilities({ deviceId: 1 as never }, null)],
      ['qdcInDTO.deviceId', () => dc.queryDeviceCapabilities({ deviceId: '' }, null)],
      ['qdcInDTO.gatewayId', () => dc.queryDeviceCapabilities({ gatewayId: false as never }, null)],
      ['qdcInDTO.gatewayId', () => dc.queryDeviceCapabilities({ deviceId: 'd1', gatewayId: '' }, null)],
      ['qdcInDTO.appId', () => dc.queryDeviceCapabilities({ appId: 2 as never }, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });
});
