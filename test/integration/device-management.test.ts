import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import forge from 'node-forge';
import { Authentication, createNorthApiContainer, DeviceManagement, NorthApiClient, NorthApiException, type SSLConfig } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';

const OWNER = { appId: 'ownerApp', secret: 'ownerSecret1', grants: ['partnerApp'] };
const PARTNER = { appId: 'partnerApp', secret: 'partnerSecret2' };

describe('DeviceManagement through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER] });
    sdk = sdkFor(sim, PARTNER);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** The one request the simulator received since the last clear. */
  function lastRequest() {
    const requests = sim.requests();
    assert.equal(requests.length, 1, `requests: ${requests.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    const request = requests[0]!;
    assert.equal(request.headers.app_key, PARTNER.appId);
    assert.equal(request.headers.authorization, `Bearer ${sim.currentAccessToken(PARTNER.appId)}`);
    sim.clearRecords();
    return request;
  }

  test('the device life cycle, each request checked on the wire, with appId of the authorising app sent every time', async () => {
    const dm = sdk.devices;
    const nodeId = randomNodeId();
    sim.clearRecords();
    const registered = await dm.regDirectDevice({ nodeId, verifyCode: nodeId, timeout: 0, endUserId: undefined }, OWNER.appId, null);
    let request = lastRequest();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/iocm/app/reg/v1.1.0/deviceCredentials');
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(JSON.parse(request.body), { nodeId, verifyCode: nodeId, timeout: 0 }); // undefined fields are not sent
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(registered.verifyCode, nodeId);
    assert.equal(registered.timeout, 0);
    assert.match(registered.psk, /^[0-9a-f]{32}$/i);
    const { deviceId } = registered;

    const status = await dm.queryDeviceStatus(deviceId, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'GET');
    assert.equal(request.path, `/iocm/app/reg/v1.1.0/deviceCredentials/${deviceId}`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(request.body, '');
    assert.deepEqual({ deviceId: status.deviceId, activated: status.activated }, { deviceId, activated: false });

    await dm.modifyDeviceInfo({ name: 'meter-1', manufacturerName: 'Acme', deviceConfig: { dataConfig: { dataAgingTime: 30 } } }, deviceId, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, `/iocm/app/dm/v1.4.0/devices/${deviceId}`);
    assert.equal(request.status, 204);
    assert.deepEqual(JSON.parse(request.body), { name: 'meter-1', manufacturerName: 'Acme', deviceConfig: { dataConfig: { dataAgingTime: 30 } } });

    assert.equal((await dm.queryDeviceStatus(deviceId, OWNER.appId, null)).name, 'meter-1');
    sim.clearRecords();

    const location = await dm.queryDeviceRealtimeLocation({ deviceId, horAcc: 500 }, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'POST');
    assert.equal(request.path, '/iocm/app/location/v1.1.0/queryDeviceRealtimeLocation');
    assert.deepEqual(JSON.parse(request.body), { deviceId, horAcc: 500 });
    assert.equal(location.deviceId, deviceId);
    assert.ok(location.pd && typeof location.pd.X === 'string');

    await dm.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 100 } }] }, deviceId, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, `/iocm/app/shadow/v1.5.0/devices/${deviceId}`);
    assert.equal(request.status, 200);
    assert.deepEqual(JSON.parse(request.body), { serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 100 } }] });

    const shadow = await dm.queryDeviceShadow(deviceId, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'GET');
    assert.equal(request.path, `/iocm/app/shadow/v1.5.0/devices/${deviceId}`);
    assert.equal(shadow.deviceId, deviceId);
    assert.equal(shadow.deviceInfo?.name, 'meter-1');
    assert.deepEqual(shadow.services?.find((s) => s.serviceId === 'Brightness')?.desiredProps, { brightness: 100 });

    const refreshed = await dm.refreshDeviceKey({ verifyCode: 'NEWCODE1', timeout: 3600 }, deviceId, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'PUT');
    assert.equal(request.path, `/iocm/app/reg/v1.1.0/deviceCredentials/${deviceId}`);
    assert.deepEqual(JSON.parse(request.body), { verifyCode: 'NEWCODE1', timeout: 3600 });
    assert.deepEqual(refreshed, { verifyCode: 'NEWCODE1', timeout: 3600 });

    sim.setDeviceOnline(deviceId, true);
    assert.equal((await dm.queryDeviceStatus(deviceId, OWNER.appId, null)).activated, true);
    await assert.rejects(dm.refreshDeviceKey({}, deviceId, OWNER.appId, null), (e: NorthApiException) => e.errorCode === '100611' && e.httpStatusCode === 400);
    sim.clearRecords();

    await dm.deleteDirectDevice(deviceId, true, OWNER.appId, null);
    request = lastRequest();
    assert.equal(request.method, 'DELETE');
    assert.equal(request.path, `/iocm/app/dm/v1.4.0/devices/${deviceId}`);
    assert.deepEqual(request.query, { cascade: 'true', appId: OWNER.appId });
    assert.equal(request.status, 204);
    await assert.rejects(dm.queryDeviceStatus(deviceId, OWNER.appId, null), (e: NorthApiException) => e.errorCode === '100403' && e.httpStatusCode === 404);
  });

  test('null and undefined fields are left out of the JSON bodies at every depth; shadow entries carry serviceId and desired only', async () => {
    const dm = sdk.devices;
    const nodeId = randomNodeId();
    sim.clearRecords();
    const { deviceId } = await dm.regDirectDevice(
      { nodeId, timeout: null as never, deviceInfo: { deviceType: 'Lamp', model: null as never, manufacturerName: undefined, name: 'lamp-1' } },
      null,
      null,
    );
    assert.deepEqual(JSON.parse(lastRequest().body), { nodeId, deviceInfo: { deviceType: 'Lamp', name: 'lamp-1' } });

    await dm.modifyDeviceInfo(
      {
        name: 'lamp-2',
        region: null as never,
        deviceConfig: { dataConfig: { dataAgingTime: null as never } },
        customFields: [{ fieldName: 'site', fieldType: 'string', fieldValue: 'north', note: null } as never, null as never],
      },
      deviceId,
      null,
      null,
    );
    assert.deepEqual(JSON.parse(lastRequest().body), {
      name: 'lamp-2',
      deviceConfig: { dataConfig: {} },
      customFields: [{ fieldName: 'site', fieldType: 'string', fieldValue: 'north' }],
    });

    await dm.queryDeviceRealtimeLocation({ deviceId, geoInfo: { identifier: { code: '4326', codeSpace: null as never, edition: undefined } } }, null, null);
    assert.deepEqual(JSON.parse(lastRequest().body), { deviceId, horAcc: 1000, geoInfo: { identifier: { code: '4326' } } });

    await dm.modifyDeviceShadow(
      { serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 10, colour: null }, eventTime: '20240101T000000Z', extra: null } as never] },
      deviceId,
      null,
      null,
    );
    assert.deepEqual(JSON.parse(lastRequest().body), { serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 10 } }] });
    await dm.deleteDirectDevice(deviceId, null, null, null);
    sim.clearRecords();
  });

  test('appId left out when null; platform errors come back typed', async () => {
    const dm = sdk.devices;
    const nodeId = randomNodeId();
    sim.clearRecords();
    const { deviceId } = await dm.regDirectDevice({ nodeId }, null, null);
    assert.deepEqual(lastRequest().query, {});
    await assert.rejects(dm.regDirectDevice({ nodeId }, null, null), (e: NorthApiException) => e.errorCode === '100426' && e.httpStatusCode === 400);
    await assert.rejects(dm.queryDeviceStatus(deviceId, 'nobodyApp', null), (e: NorthApiException) => e.errorCode === '100203');
    await assert.rejects(dm.queryDeviceShadow('unknown-device', null, null), (e: NorthApiException) => e.errorCode === '100403' && e.message === '404 100403: The device is not existed.');
    await dm.deleteDirectDevice(deviceId, null, null, null);
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const dm = sdk.devices;
    sim.clearRecords();
    const cases: [string, () => Promise<unknown>][] = [
      ['rddInDto.nodeId', () => dm.regDirectDevice({} as never, null, null)],
      ['rddInDto.psk', () => dm.regDirectDevice({ nodeId: 'n1', psk: 'xyz' }, null, null)],
      ['rddInDto.timeout', () => dm.regDirectDevice({ nodeId: 'n1', timeout: -1 }, null, null)],
      ['rddInDto', () => dm.regDirectDevice(null as never, null, null)],
      ['deviceId', () => dm.queryDeviceStatus('', null, null)],
      ['deviceId', () => dm.queryDeviceShadow(undefined as never, null, null)],
      ['rdkInDTO.timeout', () => dm.refreshDeviceKey({ timeout: 'soon' as never }, 'd1', null, null)],
      ['mdiInDto.name', () => dm.modifyDeviceInfo({ name: 5 as never }, 'd1', null, null)],
      ['cascade', () => dm.deleteDirectDevice('d1', 'yes' as never, null, null)],
      ['qdrlInDTO.deviceId', () => dm.queryDeviceRealtimeLocation({ horAcc: 5 } as never, null, null)],
      ['mdsInDTO.serviceDesireds', () => dm.modifyDeviceShadow({ serviceDesireds: [] }, 'd1', null, null)],
      ['mdsInDTO.serviceDesireds[0].desired', () => dm.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 's' } as never] }, 'd1', null, null)],
      ['appId', () => dm.queryDeviceStatus('d1', 42 as never, null)],
      ['appId', () => dm.queryDeviceStatus('d1', '   ', null)],
      ['mdsInDTO.serviceDesireds[1].serviceId', () => dm.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 's', desired: {} }, { serviceId: '', desired: {} }] }, 'd1', null, null)],
      ['rddInDto.nodeId', () => dm.regDirectDevice({ nodeId: 7 as never }, null, null)],
      ['rdkInDTO', () => dm.refreshDeviceKey(null as never, 'd1', null, null)],
      ['deviceId', () => dm.refreshDeviceKey({}, '', null, null)],
      ['mdiInDto', () => dm.modifyDeviceInfo(undefined as never, 'd1', null, null)],
      ['deviceId', () => dm.modifyDeviceInfo({ name: 'n' }, '', null, null)],
      ['deviceId', () => dm.deleteDirectDevice('', true, null, null)],
      ['deviceId', () => dm.deleteDirectDevice(undefined as never, null, null, null)],
      ['deviceId', () => dm.queryDeviceStatus(42 as never, null, null)],
      ['qdrlInDTO', () => dm.queryDeviceRealtimeLocation(null as never, null, null)],
      ['qdrlInDTO.horAcc', () => dm.queryDeviceRealtimeLocation({ deviceId: 'd1', horAcc: 'far' as never }, null, null)],
      ['qdrlInDTO.deviceId', () => dm.queryDeviceRealtimeLocation({ deviceId: '' }, null, null)],
      ['deviceId', () => dm.queryDeviceShadow('', null, null)],
      ['mdsInDTO', () => dm.modifyDeviceShadow(null as never, 'd1', null, null)],
      ['deviceId', () => dm.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 's', desired: {} }] }, '', null, null)],
    ];
    for (const [field, call] of cases) {
      await assert.rejects(call(), (e: NorthApiException) => e.errorCode === '1007' && e.httpStatusCode === -1 && e.errorDesc.includes(field), field);
    }
    await assert.rejects(dm.queryDeviceStatus('d1', null, '' as never), (e: NorthApiException) => e.errorCode === '1009');
    assert.equal(sim.requests().length, 0);
  });
});

describe('TLS: verification on, foreign CA refused, mutual TLS, Java-style certificate files', () => {
  let sim: Simulator;
  let other: Simulator;
  let dir: string;
  before(async () => {
    sim = await startSimulator({ requireClientCertificate: true });
    other = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), 'oc-tls-'));
  });
  after(async () => {
    await Promise.all([sim.stop(), other.stop()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function clientFor(target: Simulator, ssl: SSLConfig) {
    const app = target.apps[0]!;
    const container = createNorthApiContainer({ clientInfo: { platformIp: target.host, platformPort: target.port, appId: app.appId, secret: app.secret }, ssl });
    return { client: container.resolve(NorthApiClient), dm: container.resolve(DeviceManagement) };
  }

  test('a client certificate signed by the platform CA is accepted; none, or an untrusted server, is refused', async () => {
    const { cert, key } = sim.issueClientCertificate('sdk-test');
    const good = clientFor(sim, { ca: sim.ca, cert, key });
    const registered = await good.dm.regDirectDevice({ nodeId: randomNodeId() }, null, await tokenFor(sim, { ca: sim.ca, cert, key }));
    assert.ok(registered.deviceId);
    good.client.close();

    const noCert = clientFor(sim, { ca: sim.ca });
    await assert.rejects(noCert.dm.queryDeviceStatus('d', null, 'tok3nValue'), (e: NorthApiException) => e.errorCode === '1003');
    noCert.client.close();

    const foreign = clientFor(other, { ca: sim.ca }); // trusts the wrong CA
    await assert.rejects(foreign.dm.queryDeviceStatus('d', null, 'tok3nValue'), (e: NorthApiException) => e.errorCode === '1003');
    const defaults = clientFor(other, {}); // Node's trust store knows no simulator CA
    await assert.rejects(defaults.dm.queryDeviceStatus('d', null, 'tok3nValue'), (e: NorthApiException) => e.errorCode === '1003');
    foreign.client.close();
    defaults.client.close();
  });

  test('trustCAPath (PEM file) and selfCertPath/selfCertPwd (PKCS#12 file) work like the Java SDK', async () => {
    const { cert, key } = sim.issueClientCertificate('java-style');
    const p12 = forge.pkcs12.toPkcs12Asn1(forge.pki.privateKeyFromPem(key), [forge.pki.certificateFromPem(cert)], 'p12-Passw0rd', { algorithm: '3des' });
    const p12File = join(dir, 'client.p12');
    const caFile = join(dir, 'ca.pem');
    writeFileSync(p12File, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
    writeFileSync(caFile, sim.ca);
    const ssl: SSLConfig = { trustCAPath: caFile, selfCertPath: p12File, selfCertPwd: 'p12-Passw0rd' };
    const token = await tokenFor(sim, ssl);
    const { client, dm } = clientFor(sim, ssl);
    assert.ok((await dm.regDirectDevice({ nodeId: randomNodeId() }, null, token)).deviceId);
    client.close();
  });
});

async function tokenFor(target: Simulator, ssl: SSLConfig): Promise<string> {
  const app = target.apps[0]!;
  const client = new NorthApiClient({ clientInfo: { platformIp: target.host, platformPort: target.port, appId: app.appId, secret: app.secret }, ssl });
  try {
    return (await new Authentication(client).getAuthToken()).accessToken;
  } finally {
    client.close();
  }
}
