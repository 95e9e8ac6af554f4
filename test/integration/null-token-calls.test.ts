import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NorthApiException } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { describeFailures, randomNodeId, runCallers, sdkFor } from '../helpers/sdk.js';

describe('null-token calls against the simulator over TLS (real worker thread)', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 2 });
  });
  after(async () => {
    await sim.stop();
  });

  test('the quick start: 10 s of calls every 20 ms from 5 callers with 2 s tokens: no failure, at least 4 token cycles', async () => {
    const { auth, devices, client } = sdkFor(sim);
    const refreshed: number[] = [];
    auth.on('tokenRefreshed', (event) => refreshed.push(event.version));
    await auth.startRefreshTokenTimer();
    try {
      const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      const before = sim.stats();
      const workerCallsBefore = (await auth.getRefresherInfo())!.workerTokenRequests;
      const run = await runCallers({
        callers: 5,
        intervalMs: 20,
        durationMs: 10_000,
        call: (i) => (i % 2 === 0 ? devices.queryDeviceStatus(deviceId, null, null) : devices.queryDeviceShadow(deviceId, null, null)),
      });
      const stats = sim.stats();
      const workerCalls = (await auth.getRefresherInfo())!.workerTokenRequests - workerCallsBefore;
      const cycles = stats.refreshes + stats.logins - before.refreshes - before.logins;
      console.log(`quick start: ${run.calls} calls, ${run.failures.length} failed, ${cycles} token cycles, ${stats.rejectedTokens - before.rejectedTokens} replays, ${workerCalls} worker calls`);
      assert.equal(run.failures.length, 0, describeFailures(run.failures));
      assert.ok(run.calls > 500, `calls made: ${run.calls}`);
      assert.ok(cycles >= 4, `token cycles: ${cycles}`);
      // The token comes from the main-thread cache: only replays (a few per refresh) ever ask the worker.
      assert.ok(workerCalls <= cycles * 5, `worker calls: ${workerCalls} for ${run.calls} calls`);
      assert.ok(refreshed.length >= 4, `tokenRefreshed events: ${refreshed.length}`);
      assert.deepEqual(refreshed, [...refreshed].sort((a, b) => a - b));
      const status = await devices.queryDeviceStatus(deviceId, null, null);
      assert.equal(status.deviceId, deviceId);
      assert.equal(status.activated, false);
    } finally {
      await auth.stopRefreshTokenTimer();
      client.close();
    }
  });

  test('null token without the timer: 1009 and nothing is sent', async () => {
    const { devices, client } = sdkFor(sim);
    sim.clearRecords();
    await assert.rejects(devices.queryDeviceStatus('some-device', null, null), (error: NorthApiException) => error.errorCode === '1009' && error.httpStatusCode === -1);
    assert.equal(sim.requests().length, 0);
    client.close();
  });

  test('an explicit token argument always wins over the managed one', async () => {
    const { auth, devices, client } = sdkFor(sim);
    const grant = await auth.getAuthToken();
    const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, grant.accessToken);
    sim.clearRecords();
    await devices.queryDeviceStatus(deviceId, null, grant.accessToken);
    const [request] = sim.requests();
    assert.equal(request?.headers.authorization, `Bearer ${grant.accessToken}`);
    assert.equal(request?.headers.app_key, sim.apps[0]!.appId);
    client.close();
  });

  test('stopRefreshTokenTimer is idempotent, and after it null-token calls get 1009 again', async () => {
    const { auth, devices, client } = sdkFor(sim);
    await auth.startRefreshTokenTimer();
    await auth.startRefreshTokenTimer(); // no-op while running
    assert.equal(auth.isRefreshTokenTimerRunning(), true);
    await auth.stopRefreshTokenTimer();
    await auth.stopRefreshTokenTimer();
    assert.equal(auth.isRefreshTokenTimerRunning(), false);
    await assert.rejects(devices.queryDeviceStatus('x', null, null), (error: NorthApiException) => error.errorCode === '1009');
    client.close();
  });
});
