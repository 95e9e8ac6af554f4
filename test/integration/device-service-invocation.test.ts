import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeviceServiceInvocation } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'dsiOwnerApp', secret: 'ownerSecret1', grants: ['dsiPartnerApp'] };
const PARTNER = { appId: 'dsiPartnerApp', secret: 'partnerSecret2' };
const PLATFORM_TIME = /^\d{8}T\d{6}Z$/;

function sendCommandPath(deviceId: string, serviceId: string): string {
  return `/iocm/app/signaltrans/v1.1.0/devices/${deviceId}/services/${serviceId}/sendCommand`;
}

describe('DeviceServiceInvocation through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let dsi: DeviceServiceInvocation;
  const api = DeviceServiceInvocation.api;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER] });
    sdk = sdkFor(sim, PARTNER);
    dsi = sdk.container.resolve(DeviceServiceInvocation);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  async function onlineDevice(appId: string | null): Promise<string> {
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, appId, null);
    sim.setDeviceOnline(deviceId, true);
    sim.clearRecords();
    return deviceId;
  }

  test('invokeDeviceService: the command reaches the online gateway; appId of the authorising app is sent', async () => {
    const deviceId = await onlineDevice(OWNER.appId);
    const command = {
      header: { mode: 'ACK', method: 'DISCOVERY', toType: 'GATEWAY', callbackURL: 'http://server:8080/na/iocm/message/confirm', from: undefined },
      body: { cmdBody: 'discover indirect device cmd body content.' },
    };
    const result = await dsi.invokeDeviceService(deviceId, 'Discovery', command, OWNER.appId, null);
    const request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.invokeDeviceService.method);
    assert.equal(request.path, sendCommandPath(deviceId, 'Discovery'));
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(jsonBody(request), {
      header: { mode: 'ACK', method: 'DISCOVERY', toType: 'GATEWAY', callbackURL: 'http://server:8080/na/iocm/message/confirm' },
      body: { cmdBody: 'discover indirect device cmd body content.' },
    });
    assert.equal(request.status, api.invokeDeviceService.status);
    assert.match(result.requestId, /^[0-9a-f]{32}$/);
    assert.equal(result.status, 'SENT');
    assert.match(result.timeStamp, PLATFORM_TIME);

    // The device received it.
    const received = sim.serviceInvocations(deviceId);
    assert.equal(received.length, 1);
    assert.deepEqual(received[0], {
      requestId: result.requestId,
      appId: OWNER.appId,
      deviceId,
      serviceId: 'Discovery',
      header: { mode: 'ACK', method: 'DISCOVERY', toType: 'GATEWAY', callbackURL: 'http://server:8080/na/iocm/message/confirm' },
      body: { cmdBody: 'discover indirect device cmd body content.' },
      status: 'SENT',
      timeStamp: result.timeStamp,
    });
  });

  test('own device: no appId in the query; a given requestId is kept; path segments are encoded', async () => {
    const deviceId = await onlineDevice(null);
    const result = await dsi.invokeDeviceService(deviceId, 'Light Control', { header: { mode: 'NOACK', method: 'PUT', requestId: 'req-0001' }, body: { brightness: 80 } }, null, null);
    const request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.path, sendCommandPath(deviceId, 'Light%20Control'));
    assert.deepEqual(request.query, {});
    assert.deepEqual(jsonBody(request), { header: { mode: 'NOACK', method: 'PUT', requestId: 'req-0001' }, body: { brightness: 80 } });
    assert.equal(result.requestId, 'req-0001');
    assert.deepEqual(sim.serviceInvocations(deviceId).map((r) => [r.serviceId, r.requestId, r.body]), [['Light Control', 'req-0001', { brightness: 80 }]]);
    // Without a body.
    await dsi.invokeDeviceService(deviceId, 'Remover', { header: { mode: 'ACK', method: 'REMOVE' } }, null, null);
    assert.deepEqual(jsonBody(onlyRequest(sim, PARTNER.appId)), { header: { mode: 'ACK', method: 'REMOVE' } });
  });

  test('documented errors: unknown device, offline device, muted commands, bad mode', async () => {
    const command = { header: { mode: 'ACK', method: 'PUT' }, body: { value: 1 } };
    await rejectsWith(dsi.invokeDeviceService('no-such-device', 'S', command, OWNER.appId, null), '100418', 200);
    const deviceId = await onlineDevice(OWNER.appId);
    // The owner's device is not one of the partner's own.
    await rejectsWith(dsi.invokeDeviceService(deviceId, 'S', command, null, null), '100418', 200);
    sim.setDeviceOnline(deviceId, false);
    await rejectsWith(dsi.invokeDeviceService(deviceId, 'S', command, OWNER.appId, null), '100428', 200, /The device is not online/);
    sim.setDeviceOnline(deviceId, true);
    await sdk.devices.modifyDeviceInfo({ mute: 'TRUE' }, deviceId, OWNER.appId, null);
    await rejectsWith(dsi.invokeDeviceService(deviceId, 'S', command, OWNER.appId, null), '100432', 200);
    await sdk.devices.modifyDeviceInfo({ mute: 'FALSE' }, deviceId, OWNER.appId, null);
    // A mode other than ACK / NOACK is refused by the SDK before sending; the simulator refuses it too, when asked directly.
    const badMode = await rawBusinessCall(sim, PARTNER.appId, 'POST', `${sendCommandPath(deviceId, 'S')}?appId=${OWNER.appId}`, { header: { mode: 'SOMETIMES', method: 'PUT' } });
    assert.equal(badMode.status, 400);
    assert.equal((badMode.body as { error_code?: string }).error_code, '100022');
    await rejectsWith(dsi.invokeDeviceService(deviceId, 'S', command, 'nobodyApp', null), '100203', 403);
    assert.equal((await dsi.invokeDeviceService(deviceId, 'S', command, OWNER.appId, null)).status, 'SENT');
    // Only the accepted one reached the device.
    assert.equal(sim.serviceInvocations(deviceId).length, 1);
    sim.clearRecords();
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const header = { mode: 'ACK', method: 'PUT' };
    const cases: [string, () => Promise<unknown>][] = [
      ['deviceId', () => dsi.invokeDeviceService('', 'S', { header }, null, null)],
      ['deviceId', () => dsi.invokeDeviceService(null as never, 'S', { header }, null, null)],
      ['serviceId', () => dsi.invokeDeviceService('d1', '', { header }, null, null)],
      ['serviceId', () => dsi.invokeDeviceService('d1', 5 as never, { header }, null, null)],
      ['commandDTO', () => dsi.invokeDeviceService('d1', 'S', null as never, null, null)],
      ['commandDTO.header', () => dsi.invokeDeviceService('d1', 'S', { body: {} } as never, null, null)],
      ['commandDTO.header.mode', () => dsi.invokeDeviceService('d1', 'S', { header: { method: 'PUT' } } as never, null, null)],
      ['commandDTO.header.mode', () => dsi.invokeDeviceService('d1', 'S', { header: { mode: 'SOMETIMES', method: 'PUT' } }, null, null)],
      ['commandDTO.header.mode', () => dsi.invokeDeviceService('d1', 'S', { header: { mode: 'ack', method: 'PUT' } }, null, null)],
      ['commandDTO.header.method', () => dsi.invokeDeviceService('d1', 'S', { header: { mode: 'ACK', method: 3 } } as never, null, null)],
      ['commandDTO.header.callbackURL', () => dsi.invokeDeviceService('d1', 'S', { header: { ...header, callbackURL: 9 as never } }, null, null)],
      ['commandDTO.header.requestId', () => dsi.invokeDeviceService('d1', 'S', { header: { ...header, requestId: [] as never } }, null, null)],
      ['commandDTO.body', () => dsi.invokeDeviceService('d1', 'S', { header, body: 'on' as never }, null, null)],
      ['appId', () => dsi.invokeDeviceService('d1', 'S', { header }, {} as never, null)],
      ['appId', () => dsi.invokeDeviceService('d1', 'S', { header }, ' ', null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });
});
