/**
 * Every northbound example of the platform documentation (test/fixtures/doc-examples.json, with its sources), replayed
 * through the public API against the simulator: the request on the wire must be the documented one, and the answer
 * must parse into the documented result or error.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import { Authentication, createNorthApiContainer, DeviceManagement, NorthApiClient, NorthApiException } from '../../src/index.js';
import { decodeResponse } from '../../src/http/response-decoder.js';
import { startSimulator, type RecordedRequest, type Simulator } from '../../src/simulator/index.js';
import { assertMatchesDoc, assertRequestMatchesDoc, DOC_EXAMPLES, docExample, usedExamples, type DocExample } from '../helpers/doc-example.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { rejectsWith } from '../helpers/wire.js';

const APP = { appId: 'docExamplesApp', secret: 'docExamplesSecret' };

/** The one request recorded since the last clear. */
function single(sim: Simulator): RecordedRequest {
  const requests = sim.requests();
  assert.equal(requests.length, 1, requests.map((r) => `${r.method} ${r.path}`).join(', '));
  sim.clearRecords();
  return requests[0]!;
}

/** A documented success: the request as documented, the documented status, the result with the documented fields. */
function assertSuccess(sim: Simulator, example: DocExample, result: unknown, documentedBody: unknown = example.response.body): RecordedRequest {
  const request = single(sim);
  assertRequestMatchesDoc(request, example);
  if (typeof example.response.status === 'number') assert.equal(request.status, example.response.status, 'status');
  if (typeof documentedBody === 'string' && documentedBody.startsWith('(')) return request; // described, not shown
  if (documentedBody === null) assert.equal(result, undefined, 'an empty answer resolves to undefined');
  else assertMatchesDoc(result, documentedBody, 'result');
  return request;
}

/** A documented error: the request as documented, and a NorthApiException with the documented status, code and text. */
async function assertError(sim: Simulator, example: DocExample, call: Promise<unknown>): Promise<void> {
  const body = example.response.body as { error_code: string; error_desc: string };
  const error = await rejectsWith(call, body.error_code, example.response.status as number);
  assert.equal(error.errorDesc, body.error_desc);
  const request = sim.requests().at(-1)!;
  sim.clearRecords();
  assertRequestMatchesDoc(request, example);
}

describe('documented examples: authentication', () => {
  let sim: Simulator;
  let client: NorthApiClient;
  let auth: Authentication;
  before(async () => {
    sim = await startSimulator({ apps: [APP] });
    const container = createNorthApiContainer({ clientInfo: { platformIp: sim.host, platformPort: sim.port, ...APP }, ssl: { ca: sim.ca } });
    client = container.resolve(NorthApiClient);
    auth = container.resolve(Authentication);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('Authentication (login): form body, no auth headers, the documented answer', async () => {
    const example = docExample('Authentication (login)');
    sim.clearRecords();
    const result = await auth.getAuthToken();
    // The example writes tokenType as "Bearer " (with a space); the parameter table and real answers say "bearer".
    const documented = { ...(example.response.body as object), tokenType: 'bearer' };
    const request = assertSuccess(sim, example, result, documented);
    assert.equal(request.headers.app_key, undefined);
    assert.equal(request.headers.authorization, undefined);
    assert.equal(result.expiresIn, 3600);
  });

  test('Authentication (login) with a wrong secret: 401 / 100208', async () => {
    const example = docExample('Authentication (login) – wrong');
    const container = createNorthApiContainer({ clientInfo: { platformIp: sim.host, platformPort: sim.port, appId: APP.appId, secret: 'not-the-secret' }, ssl: { ca: sim.ca } });
    try {
      sim.clearRecords();
      await assertError(sim, example, container.resolve(Authentication).getAuthToken());
    } finally {
      container.resolve(NorthApiClient).close();
    }
  });

  test('Refreshing a Token: JSON body with appId, secret and refreshToken; a new token pair comes back', async () => {
    const example = docExample('Refreshing a Token');
    const first = await auth.getAuthToken();
    sim.clearRecords();
    const result = await auth.refreshAuthToken({ appId: APP.appId, secret: APP.secret, refreshToken: first.refreshToken });
    const request = assertSuccess(sim, example, result);
    assert.equal(request.headers.app_key, undefined);
    assert.equal(request.headers.authorization, undefined);
    assert.notEqual(result.refreshToken, first.refreshToken);
  });

  test('Logout (deprecated): JSON body with the access token', async () => {
    const example = docExample('Logout');
    const { accessToken } = await auth.getAuthToken();
    sim.clearRecords();
    await auth.logoutAuthToken(accessToken);
    const request = assertSuccess(sim, example, undefined);
    assert.equal(JSON.parse(request.body).accessToken, accessToken);
    assert.equal(sim.currentAccessToken(APP.appId), undefined, 'the token no longer works');
  });

  test('Any business API without app_key: 401 / 100025', async () => {
    const example = docExample('Any business API – missing app_key');
    const { accessToken } = await auth.getAuthToken();
    sim.clearRecords();
    const answer = await new Promise<{ status: number; statusText: string; contentType: string; body: string }>((resolve, reject) => {
      const req = https.request(`${sim.url}/iocm/app/reg/v1.1.0/deviceCredentials/some-device`, { ca: sim.ca, headers: { Authorization: `Bearer ${accessToken}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', contentType: String(res.headers['content-type'] ?? ''), body }));
      });
      req.on('error', reject);
      req.end();
    });
    const request = single(sim);
    assert.equal(request.headers.app_key, undefined);
    assert.match(request.headers.authorization ?? '', /^Bearer /);
    const documented = example.response.body as { error_code: string; error_desc: string };
    assert.throws(
      () => decodeResponse(answer),
      (e: NorthApiException) => e.errorCode === documented.error_code && e.httpStatusCode === example.response.status && e.errorDesc === documented.error_desc,
    );
  });

  test('Any business API over the flow-control limit: 403 / 1010009', async () => {
    const example = docExample('Any business API – flow control');
    const throttled = await startSimulator({ apps: [APP], throttle: { limit: 0, windowMs: 60_000 } });
    const sdk = sdkFor(throttled, APP);
    try {
      const { accessToken } = await sdk.auth.getAuthToken();
      throttled.clearRecords();
      const body = example.response.body as { error_code: string; error_desc: string };
      const error = await rejectsWith(sdk.devices.queryDeviceStatus('any-device', null, accessToken), body.error_code, example.response.status as number);
      assert.equal(error.errorDesc, body.error_desc);
    } finally {
      sdk.client.close();
      await throttled.stop();
    }
  });
});

describe('documented examples: device management', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let dm: DeviceManagement;
  before(async () => {
    sim = await startSimulator({ apps: [APP] });
    sdk = sdkFor(sim, APP);
    dm = sdk.devices;
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  test('Register device (verification-code mode)', async () => {
    const example = docExample('Register device (verification-code mode)');
    const body = example.request.body as { verifyCode: string; nodeId: string; timeout: number };
    sim.clearRecords();
    const result = await dm.regDirectDevice(body, null, null);
    assertSuccess(sim, example, result);
    assert.match(result.psk, /^[0-9a-f]{32}$/i);
  });

  test('Register device – already registered: 400 / 100416 once the device is bound', async () => {
    const example = docExample('Register device – already registered');
    const nodeId = randomNodeId();
    const { deviceId } = await dm.regDirectDevice({ nodeId, verifyCode: nodeId }, null, null);
    sim.setDeviceOnline(deviceId, true);
    sim.clearRecords();
    await assertError(sim, example, dm.regDirectDevice({ nodeId, verifyCode: nodeId }, null, null));
  });

  test('Refresh device key', async () => {
    const example = docExample('Refresh device key');
    const { deviceId } = await dm.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    const newNodeId = randomNodeId();
    sim.clearRecords();
    const result = await dm.refreshDeviceKey({ verifyCode: newNodeId, nodeId: newNodeId, timeout: 3600 }, deviceId, null, null);
    assertSuccess(sim, example, result);
    assert.deepEqual(result, { verifyCode: newNodeId, timeout: 3600 });
  });

  test('Query device activation status', async () => {
    const example = docExample('Query device activation status');
    const { deviceId } = await dm.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    sim.clearRecords();
    const result = await dm.queryDeviceStatus(deviceId, null, null);
    assertSuccess(sim, example, result);
    assert.equal(result.activated, false);
  });

  test('Modify device shadow: 200 with no body resolves to undefined', async () => {
    const example = docExample('Modify device shadow');
    const { deviceId } = await dm.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    sim.clearRecords();
    const result = await dm.modifyDeviceShadow(example.request.body as { serviceDesireds: [{ serviceId: string; desired: Record<string, unknown> }] }, deviceId, null, null);
    assertSuccess(sim, example, result);
  });

  test('Query device real-time location', async () => {
    const example = docExample('Query device real-time location');
    const { deviceId } = await dm.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    sim.clearRecords();
    const result = await dm.queryDeviceRealtimeLocation({ deviceId, horAcc: 1000 }, null, null);
    assertSuccess(sim, example, result);
    assert.equal(result.deviceId, deviceId);
  });
});

test('every documented northbound example was replayed above', () => {
  // Not a northbound call: the platform posts it to the application (the push notification tests replay it).
  const notNorthbound = (example: DocExample): boolean => example.method === 'POST' && example.path === '{callbackUrl}';
  const forgotten = DOC_EXAMPLES.filter((example) => !notNorthbound(example) && !usedExamples.has(example.api)).map((example) => example.api);
  assert.deepEqual(forgotten, []);
});
