import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import { Authentication, NorthApiClient, NorthApiException } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { sdkFor } from '../helpers/sdk.js';

describe('Authentication without the timer: login, refresh, logout', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 60 });
  });
  after(async () => {
    await sim.stop();
  });

  test('getAuthToken logs in with a form body and returns the five fields; inspect hides the tokens', async () => {
    const { auth, client } = sdkFor(sim);
    sim.clearRecords();
    const grant = await auth.getAuthToken();
    const [request] = sim.requests();
    assert.equal(request?.path, '/iocm/app/sec/v1.1.0/login');
    assert.match(request?.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
    assert.equal(request?.headers.authorization, undefined);
    assert.equal(new URLSearchParams(request?.body).get('appId'), sim.apps[0]!.appId);
    assert.equal(grant.accessToken, sim.currentAccessToken(sim.apps[0]!.appId));
    assert.equal(grant.expiresIn, 60);
    assert.equal(grant.tokenType, 'bearer');
    assert.equal(grant.scope, 'default');
    assert.ok(grant.refreshToken.length > 0);
    assert.ok(!inspect(grant).includes(grant.accessToken) && !inspect(grant).includes(grant.refreshToken));
    assert.ok(inspect(grant).includes('[redacted]'));
    client.close();
  });

  test('refreshAuthToken rotates the pair and voids the previous access token; a used refresh token is refused', async () => {
    const { auth, devices, client } = sdkFor(sim);
    const app = sim.apps[0]!;
    const first = await auth.getAuthToken();
    const second = await auth.refreshAuthToken({ appId: app.appId, secret: app.secret, refreshToken: first.refreshToken });
    assert.notEqual(second.accessToken, first.accessToken);
    assert.notEqual(second.refreshToken, first.refreshToken);
    await assert.rejects(devices.queryDeviceStatus('d', null, first.accessToken), (e: NorthApiException) => e.errorCode === '1010005' && e.httpStatusCode === 403);
    await assert.rejects(auth.refreshAuthToken({ appId: app.appId, secret: app.secret, refreshToken: first.refreshToken }), (e: NorthApiException) => e.errorCode === '100208');
    await assert.rejects(auth.refreshAuthToken({ appId: app.appId, secret: '', refreshToken: 'x' }), (e: NorthApiException) => e.errorCode === '1007' && e.errorDesc.includes('arInDTO.secret'));
    await assert.rejects(auth.refreshAuthToken(null as never), (e: NorthApiException) => e.errorCode === '1007');
    client.close();
  });

  test('logoutAuthToken voids the token', async () => {
    const { auth, devices, client } = sdkFor(sim);
    const grant = await auth.getAuthToken();
    await auth.logoutAuthToken(grant.accessToken);
    await assert.rejects(devices.queryDeviceStatus('d', null, grant.accessToken), (e: NorthApiException) => e.errorCode === '1010005');
    client.close();
  });

  test('a missing ClientInfo is 1008 before any request', async () => {
    const auth = new Authentication(new NorthApiClient());
    sim.clearRecords();
    await assert.rejects(auth.getAuthToken(), (e: NorthApiException) => e.errorCode === '1008');
    await assert.rejects(auth.startRefreshTokenTimer(), (e: NorthApiException) => e.errorCode === '1008');
    assert.equal(sim.requests().length, 0);
  });
});
