import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { TestClient, type Reply } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const LOCATION = '/iocm/app/location/v1.1.0/queryDeviceRealtimeLocation';
const SHADOW = '/iocm/app/shadow/v1.5.0/devices';
const PLATFORM_TIME = /^\d{8}T\d{6}Z$/;

const NOT_EXIST = { error_code: '100403', error_desc: 'The device is not existed.' };

function assertError(reply: Reply, status: number, body: Record<string, string>): void {
  assert.equal(reply.status, status, reply.text);
  assert.equal(reply.headers['content-type'], 'application/json');
  assert.deepEqual(reply.json, body);
}

describe('DeviceManagement routes', () => {
  let sim: Simulator;
  let client: TestClient;
  const app = { appId: 'dmApp', secret: 'dmSecret' };
  let headers: Record<string, string>;

  const call = (method: string, path: string, json?: unknown) =>
    client.request(method, path, { headers, ...(json === undefined ? {} : { json }) });

  async function register(body: Record<string, unknown>): Promise<string> {
    const reply = await call('POST', REG, body);
    assert.equal(reply.status, 200, reply.text);
    return reply.json.deviceId;
  }

  before(async () => {
    sim = await startSimulator({ apps: [app] });
    client = new TestClient(sim);
    const pair = await client.login(app.appId, app.secret);
    headers = TestClient.auth(app.appId, pair.accessToken);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  describe('register (POST deviceCredentials)', () => {
    test('defaults: verifyCode = nodeId, timeout 180, generated 32-hex psk', async () => {
      const reply = await call('POST', REG, { nodeId: 'IMEI-0001' });
      assert.equal(reply.status, 200);
      assert.deepEqual(Object.keys(reply.json).sort(), ['deviceId', 'psk', 'timeout', 'verifyCode']);
      assert.match(reply.json.deviceId, /^[0-9a-f-]{36}$/);
      assert.equal(reply.json.verifyCode, 'IMEI-0001');
      assert.equal(reply.json.timeout, 180);
      assert.match(reply.json.psk, /^[0-9a-f]{32}$/);
    });

    test('echoes the given verifyCode, timeout and psk', async () => {
      const reply = await call('POST', REG, { nodeId: 'IMEI-0002', verifyCode: 'VC2', timeout: 0, psk: 'abcdef0123456789' });
      assert.equal(reply.status, 200);
      assert.equal(reply.json.verifyCode, 'VC2');
      assert.equal(reply.json.timeout, 0);
      assert.equal(reply.json.psk, 'abcdef0123456789');
    });

    test('a missing nodeId answers 400 / 100007', async () => {
      assertError(await call('POST', REG, { verifyCode: 'x' }), 400, {
        error_code: '100007',
        error_desc: 'Bad request message.',
      });
    });

    test('a duplicated nodeId answers 400 / 100426', async () => {
      await register({ nodeId: 'IMEI-DUP' });
      assertError(await call('POST', REG, { nodeId: 'IMEI-DUP' }), 400, {
        error_code: '100426',
        error_desc: 'The nodeId is duplicated.',
      });
    });
  });

  describe('queryDeviceStatus (GET deviceCredentials/{id})', () => {
    test('activated is false until the device first comes online', async () => {
      const id = await register({ nodeId: 'IMEI-STATUS', deviceInfo: { name: 'meter-1' } });
      const first = await call('GET', `${REG}/${id}`);
      assert.equal(first.status, 200);
      assert.deepEqual(first.json, { deviceId: id, activated: false, name: 'meter-1' });
      sim.setDeviceOnline(id, true);
      assert.equal((await call('GET', `${REG}/${id}`)).json.activated, true);
      sim.setDeviceOnline(id, false);
      assert.equal((await call('GET', `${REG}/${id}`)).json.activated, true);
    });

    test('an unknown device answers 404 / 100403', async () => {
      assertError(await call('GET', `${REG}/00000000-0000-0000-0000-000000000000`), 404, NOT_EXIST);
    });
  });

  describe('refreshDeviceKey (PUT deviceCredentials/{id})', () => {
    test('answers verifyCode and timeout', async () => {
      const id = await register({ nodeId: 'IMEI-KEY' });
      const reply = await call('PUT', `${REG}/${id}`, { verifyCode: 'NEWCODE', timeout: 3600 });
      assert.equal(reply.status, 200);
      assert.deepEqual(reply.json, { verifyCode: 'NEWCODE', timeout: 3600 });
      const defaults = await call('PUT', `${REG}/${id}`, { nodeId: 'IMEI-KEY-2' });
      assert.deepEqual(defaults.json, { verifyCode: 'IMEI-KEY-2', timeout: 180 });
      const shadow = await call('GET', `${SHADOW}/${id}`);
      assert.equal(shadow.json.deviceInfo.nodeId, 'IMEI-KEY-2');
    });

    test('an online device answers 400 / 100611', async () => {
      const id = await register({ nodeId: 'IMEI-ONLINE' });
      sim.setDeviceOnline(id, true);
      assertError(await call('PUT', `${REG}/${id}`, { verifyCode: 'x' }), 400, {
        error_code: '100611',
        error_desc: 'Device is online.',
      });
      sim.setDeviceOnline(id, false);
      assert.equal((await call('PUT', `${REG}/${id}`, { verifyCode: 'x' })).status, 200);
    });

    test('an unknown device answers 404 / 100403', async () => {
      assertError(await call('PUT', `${REG}/missing-device`, { verifyCode: 'x' }), 404, NOT_EXIST);
    });
  });

  describe('modifyDeviceInfo (PUT dm/v1.4.0/devices/{id})', () => {
    test('answers 204 without a body and updates deviceInfo', async () => {
      const id = await register({ nodeId: 'IMEI-MOD' });
      const reply = await call('PUT', `${DM}/${id}`, {
        name: 'Street light 7',
        manufacturerId: 'Huawei',
        manufacturerName: 'Huawei',
        deviceType: 'StreetLight',
        model: 'SL-100',
        protocolType: 'CoAP',
        region: 'Shenzhen',
        customFields: [{ fieldName: 'pole', fieldType: 'STRING', fieldValue: 'P7' }],
        deviceConfig: { dataConfig: { dataAgingTime: 30 } },
      });
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      const shadow = await call('GET', `${SHADOW}/${id}`);
      const info = shadow.json.deviceInfo;
      assert.equal(info.name, 'Street light 7');
      assert.equal(info.model, 'SL-100');
      assert.equal(info.protocolType, 'CoAP');
      assert.equal(info.region, 'Shenzhen');
      assert.deepEqual(info.deviceConfig, { dataConfig: { dataAgingTime: 30 } });
      assert.equal((await call('GET', `${REG}/${id}`)).json.name, 'Street light 7');
    });

    test('an unknown device answers 404 / 100403', async () => {
      assertError(await call('PUT', `${DM}/missing-device`, { name: 'x' }), 404, NOT_EXIST);
    });
  });

  describe('deleteDevice (DELETE dm/v1.4.0/devices/{id})', () => {
    test('answers 204 and the device is gone', async () => {
      const id = await register({ nodeId: 'IMEI-DEL' });
      const reply = await call('DELETE', `${DM}/${id}?cascade=true`);
      assert.equal(reply.status, 204);
      assert.equal(reply.text, '');
      assertError(await call('GET', `${REG}/${id}`), 404, NOT_EXIST);
      // The nodeId may be registered again.
      await register({ nodeId: 'IMEI-DEL' });
    });

    test('an unknown device answers 404 / 100403', async () => {
      assertError(await call('DELETE', `${DM}/missing-device?cascade=false`), 404, NOT_EXIST);
    });
  });

  describe('queryDeviceRealtimeLocation', () => {
    test('answers a deterministic position', async () => {
      const id = await register({ nodeId: 'IMEI-LOC' });
      const reply = await call('POST', LOCATION, { deviceId: id, horAcc: 1000 });
      assert.equal(reply.status, 200);
      assert.equal(reply.json.deviceId, id);
      assert.deepEqual(Object.keys(reply.json.pd).sort(), ['X', 'Y', 'radius', 'srsName', 'time', 'utcOff']);
      assert.deepEqual(Object.keys(reply.json.poserr).sort(), ['add_info', 'resid', 'time']);
      assert.match(reply.json.pd.time, PLATFORM_TIME);
      assert.match(reply.json.poserr.time, PLATFORM_TIME);
      assert.ok(Number.isFinite(Number(reply.json.pd.X)) && Number.isFinite(Number(reply.json.pd.Y)));
      const again = await call('POST', LOCATION, { deviceId: id, horAcc: 1000 });
      assert.equal(again.json.pd.X, reply.json.pd.X);
      assert.equal(again.json.pd.Y, reply.json.pd.Y);
    });

    test('a missing deviceId answers 400 / 100405; an unknown one 404 / 100403', async () => {
      assertError(await call('POST', LOCATION, { horAcc: 1000 }), 400, {
        error_code: '100405',
        error_desc: 'The request parameter is invalid.',
      });
      assertError(await call('POST', LOCATION, { deviceId: 'missing-device', horAcc: 1000 }), 404, NOT_EXIST);
    });
  });

  describe('device shadow', () => {
    test('GET answers the shadow with status INACTIVE, then ONLINE / OFFLINE', async () => {
      const id = await register({
        nodeId: 'IMEI-SHADOW',
        deviceInfo: { manufacturerId: 'Huawei', manufacturerName: 'Huawei', deviceType: 'Meter', model: 'M1', protocolType: 'CoAP', name: 'meter' },
      });
      const reply = await call('GET', `${SHADOW}/${id}`);
      assert.equal(reply.status, 200);
      const shadow = reply.json;
      assert.equal(shadow.deviceId, id);
      assert.equal(shadow.gatewayId, id);
      assert.equal(shadow.nodeType, 'ENDPOINT');
      assert.match(shadow.createTime, PLATFORM_TIME);
      assert.match(shadow.lastModifiedTime, PLATFORM_TIME);
      assert.deepEqual(shadow.services, []);
      const info = shadow.deviceInfo;
      assert.equal(info.nodeId, 'IMEI-SHADOW');
      assert.equal(info.name, 'meter');
      assert.equal(info.manufacturerId, 'Huawei');
      assert.equal(info.manufacturerName, 'Huawei');
      assert.equal(info.deviceType, 'Meter');
      assert.equal(info.model, 'M1');
      assert.equal(info.protocolType, 'CoAP');
      assert.equal(info.status, 'INACTIVE');
      sim.setDeviceOnline(id, true);
      assert.equal((await call('GET', `${SHADOW}/${id}`)).json.deviceInfo.status, 'ONLINE');
      sim.setDeviceOnline(id, false);
      assert.equal((await call('GET', `${SHADOW}/${id}`)).json.deviceInfo.status, 'OFFLINE');
    });

    test('PUT stores desired properties per service and answers 200 with an empty body', async () => {
      const id = await register({ nodeId: 'IMEI-DESIRED' });
      const reply = await call('PUT', `${SHADOW}/${id}`, {
        serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 100 } }],
      });
      assert.equal(reply.status, 200);
      assert.equal(reply.text, '');
      await call('PUT', `${SHADOW}/${id}`, {
        serviceDesireds: [
          { serviceId: 'Brightness', desired: { mode: 'auto' } },
          { serviceId: 'Temperature', desired: { target: 21.5 } },
        ],
      });
      const shadow = (await call('GET', `${SHADOW}/${id}`)).json;
      const byId = Object.fromEntries(shadow.services.map((s: { serviceId: string }) => [s.serviceId, s]));
      assert.deepEqual(byId.Brightness.desiredProps, { brightness: 100, mode: 'auto' });
      assert.deepEqual(byId.Temperature.desiredProps, { target: 21.5 });
      assert.equal(byId.Temperature.serviceType, 'Temperature');
      assert.match(byId.Temperature.eventTime, PLATFORM_TIME);
    });

    test('missing or invalid serviceDesireds answer 400 / 100405', async () => {
      const id = await register({ nodeId: 'IMEI-BADSHADOW' });
      const invalid = { error_code: '100405', error_desc: 'The request parameter is invalid.' };
      assertError(await call('PUT', `${SHADOW}/${id}`, {}), 400, invalid);
      assertError(await call('PUT', `${SHADOW}/${id}`, { serviceDesireds: 'x' }), 400, invalid);
      assertError(await call('PUT', `${SHADOW}/${id}`, { serviceDesireds: [{ serviceId: 'S' }] }), 400, invalid);
    });

    test('an unknown device answers 404 / 100403 (GET and PUT)', async () => {
      assertError(await call('GET', `${SHADOW}/missing-device`), 404, NOT_EXIST);
      assertError(
        await call('PUT', `${SHADOW}/missing-device`, { serviceDesireds: [{ serviceId: 'S', desired: { a: 1 } }] }),
        404,
        NOT_EXIST,
      );
    });
  });

  test('a __proto__ key in deviceInfo or desired properties is kept as data', async () => {
    const id = await register(JSON.parse('{"nodeId":"IMEI-PROTO","deviceInfo":{"name":"proto","__proto__":{"polluted":true}}}'));
    const desired = await call('PUT', `${SHADOW}/${id}`, JSON.parse('{"serviceDesireds":[{"serviceId":"S","desired":{"__proto__":{"x":1},"level":2}}]}'));
    assert.equal(desired.status, 200, desired.text);
    const shadow = await call('GET', `${SHADOW}/${id}`);
    const { deviceInfo, services } = shadow.json;
    assert.ok(Object.hasOwn(deviceInfo, '__proto__'), shadow.text);
    assert.deepEqual(deviceInfo['__proto__'], { polluted: true });
    assert.equal(deviceInfo.name, 'proto');
    assert.ok(Object.hasOwn(services[0].desiredProps, '__proto__'), shadow.text);
    assert.deepEqual(services[0].desiredProps['__proto__'], { x: 1 });
    assert.equal(services[0].desiredProps.level, 2);
    const history = await call('GET', `/iocm/app/shadow/v1.5.0/deviceDesiredHistory?deviceId=${id}&gatewayId=${id}`);
    assert.ok(Object.hasOwn(history.json.deviceDesiredHistory[0].desired, '__proto__'), history.text);
  });

  test('every business call is counted and logged as a call event', () => {
    const stats = sim.stats(app.appId);
    assert.ok(stats.calls > 20);
    const calls = sim.events().filter((e) => e.type === 'call');
    assert.equal(calls.length, stats.calls);
    assert.ok(calls.every((e) => e.appId === app.appId && typeof e.status === 'number' && e.method && e.path));
  });

  test('setDeviceOnline rejects an unknown device', () => {
    assert.throws(() => sim.setDeviceOnline('missing-device', true), /unknown deviceId/);
  });
});
