import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { NorthApiException } from '../../src/index.js';
import { startSimulator, startSimulatorProcess, type RemoteSimulator, type Simulator } from '../../src/simulator/index.js';
import { refresherRegistry } from '../../src/auth/refresher-registry.js';
import { blockMainThread, describeFailures, randomNodeId, runCallers, sdkFor, sleep } from '../helpers/sdk.js';

describe('main thread blocked longer than a token lives (simulator in another process)', () => {
  let sim: RemoteSimulator;
  before(async () => {
    sim = await startSimulatorProcess({ tokenLifetimeSeconds: 2 });
  });
  after(async () => {
    await sim.stop();
  });

  test('the worker refreshes during a 3 s busy loop; calls right after it succeed', async () => {
    const { auth, devices, client } = sdkFor(sim);
    await auth.startRefreshTokenTimer();
    try {
      const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      await sim.clearRecords();
      const blockStart = Date.now();
      blockMainThread(3000);
      const blockEnd = Date.now();
      // Calls issued the moment the loop is free again, before anything else had a chance to run.
      const results = await Promise.allSettled(Array.from({ length: 20 }, () => devices.queryDeviceStatus(deviceId, null, null)));
      const refreshesDuringBlock = (await sim.events()).filter((e) => (e.type === 'refresh' || e.type === 'login') && e.time >= blockStart && e.time <= blockEnd);
      console.log(`blocked 3 s: ${refreshesDuringBlock.length} refresh(es) during the block; ${results.filter((r) => r.status === 'fulfilled').length}/20 calls after it succeeded`);
      assert.ok(refreshesDuringBlock.length >= 1, 'the simulator saw a refresh while the main thread was blocked');
      const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
      assert.equal(failed.length, 0, describeFailures(failed));
    } finally {
      await auth.stopRefreshTokenTimer();
      client.close();
    }
  });
});

describe('token lifecycle faults (simulator in this process)', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      tokenLifetimeSeconds: 2,
      apps: [
        { appId: 'lifecycleApp', secret: 'lifecycleSecret1' },
        { appId: 'otherApp', secret: 'otherSecret22' },
      ],
    });
  });
  after(async () => {
    await sim.stop();
  });

  test('a login from elsewhere voids the token mid-run: calls recover, no error reaches a caller', async () => {
    const { auth, devices, client } = sdkFor(sim);
    await auth.startRefreshTokenTimer();
    try {
      const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      sim.clearRecords();
      const foreign = (async () => {
        for (const delay of [700, 900, 1100]) {
          await sleep(delay);
          sim.loginFromElsewhere(sim.apps[0]!.appId);
        }
      })();
      const run = await runCallers({ callers: 5, intervalMs: 20, durationMs: 4000, call: () => devices.queryDeviceStatus(deviceId, null, null) });
      await foreign;
      const stats = sim.stats(sim.apps[0]!.appId);
      console.log(`foreign logins: ${run.calls} calls, ${run.failures.length} failed, ${stats.rejectedTokens} rejected and replayed, ${stats.logins} logins, ${stats.refreshes} refreshes`);
      assert.equal(run.failures.length, 0, describeFailures(run.failures));
      assert.ok(stats.rejectedTokens >= 1, 'the foreign logins did void our token');
      // Each foreign login also voided our refresh token: the refresher had to log in again (rule 2).
      assert.ok(stats.logins >= 3, `our logins: ${stats.logins}`);
    } finally {
      await auth.stopRefreshTokenTimer();
      client.close();
    }
  });

  test('the refresh endpoint answering 503 three times inside the margin: no failed call', async () => {
    const { auth, devices, client } = sdkFor(sim);
    const failures: string[] = [];
    auth.on('refreshFailed', (event) => failures.push(event.error.errorCode));
    await auth.startRefreshTokenTimer();
    try {
      const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      sim.clearRecords();
      sim.addFault({ path: '/iocm/app/sec/v1.1.0/refreshToken', kind: 'status', status: 503, times: 3 });
      const run = await runCallers({ callers: 5, intervalMs: 20, durationMs: 4000, call: () => devices.queryDeviceShadow(deviceId, null, null) });
      const stats = sim.stats();
      console.log(`refresh 5xx: ${run.calls} calls, ${run.failures.length} failed, ${stats.faults} faults injected, ${stats.refreshes} good refreshes`);
      assert.equal(stats.faults, 3);
      assert.equal(run.failures.length, 0, describeFailures(run.failures));
      assert.ok(stats.refreshes >= 1);
      assert.deepEqual(failures, ['50252', '50252', '50252']);
    } finally {
      sim.clearFaults();
      await auth.stopRefreshTokenTimer();
      client.close();
    }
  });

  test('a wrong secret: NorthApiException 100208 at start, one login attempt, no retry storm', async () => {
    const { auth, devices, client } = sdkFor(sim, { appId: sim.apps[0]!.appId, secret: 'notTheSecret' });
    sim.clearRecords();
    await assert.rejects(auth.startRefreshTokenTimer(), (error: NorthApiException) => error instanceof NorthApiException && error.errorCode === '100208' && error.httpStatusCode === 401);
    assert.equal(auth.isRefreshTokenTimerRunning(), false);
    await sleep(2500);
    assert.equal(sim.stats().loginFailures, 1);
    assert.equal(refresherRegistry.handles().length, 0, 'no refresher left running');
    await assert.rejects(devices.queryDeviceStatus('x', null, null), (error: NorthApiException) => error.errorCode === '1009');
    client.close();
  });

  test('worker killed mid-run: waiting calls get a typed error, none hangs; later calls succeed', async () => {
    const { auth, devices, client } = sdkFor(sim);
    await auth.startRefreshTokenTimer();
    try {
      const { deviceId } = await devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      const firstThread = (await auth.getRefresherInfo())?.threadId;
      // Make renewals slow, then void the token: every call now waits on the worker for a new token.
      sim.addFault({ path: '/iocm/app/sec/v1.1.0/*', kind: 'latency', latencyMs: 1500 });
      sim.loginFromElsewhere(sim.apps[0]!.appId);
      const waiting = Array.from({ length: 10 }, () => devices.queryDeviceStatus(deviceId, null, null));
      await sleep(300);
      await refresherRegistry.handles()[0]!.client.killWorkerForTesting();
      const deadline = sleep(20_000).then(() => 'hung');
      const outcomes = await Promise.all(waiting.map((call) => Promise.race([call.then(() => 'ok', (error: unknown) => error), deadline])));
      assert.ok(!outcomes.includes('hung'), 'no call hangs');
      for (const outcome of outcomes) {
        assert.ok(outcome instanceof NorthApiException, `typed error: ${String(outcome)}`);
        assert.equal(outcome.errorCode, '1014');
      }
      sim.clearFaults();
      // The worker restarts by itself; calls succeed again.
      let recovered = false;
      for (let i = 0; i < 100 && !recovered; i++) {
        recovered = await devices.queryDeviceStatus(deviceId, null, null).then(() => true, () => false);
        if (!recovered) await sleep(100);
      }
      assert.ok(recovered, 'calls succeed after the restart');
      const run = await runCallers({ callers: 3, intervalMs: 20, durationMs: 1500, call: () => devices.queryDeviceStatus(deviceId, null, null) });
      assert.equal(run.failures.length, 0, describeFailures(run.failures));
      const info = await auth.getRefresherInfo();
      assert.notEqual(info?.threadId, firstThread, 'a new worker thread serves the timer');
    } finally {
      sim.clearFaults();
      await auth.stopRefreshTokenTimer();
      client.close();
    }
  });

  test('two appIds refresh independently; two Authentications of one appId share one worker', async () => {
    const a1 = sdkFor(sim, sim.apps[0]);
    const a2 = sdkFor(sim, sim.apps[0]);
    const b = sdkFor(sim, sim.apps[1]);
    sim.clearRecords();
    await Promise.all([a1.auth.startRefreshTokenTimer(), a2.auth.startRefreshTokenTimer(), b.auth.startRefreshTokenTimer()]);
    try {
      const [infoA1, infoA2, infoB] = await Promise.all([a1.auth.getRefresherInfo(), a2.auth.getRefresherInfo(), b.auth.getRefresherInfo()]);
      assert.equal(infoA1?.threadId, infoA2?.threadId);
      assert.equal(infoA1?.sharedBy, 2);
      assert.notEqual(infoA1?.threadId, infoB?.threadId);
      assert.equal(sim.stats(sim.apps[0]!.appId).logins, 1, 'one login for the shared app');
      assert.equal(sim.stats(sim.apps[1]!.appId).logins, 1);
      const [devA, devB] = await Promise.all([
        a1.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null),
        b.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null),
      ]);
      const run = await runCallers({
        callers: 6,
        intervalMs: 20,
        durationMs: 4000,
        call: (i) => (i % 3 === 0 ? a1.devices.queryDeviceStatus(devA.deviceId, null, null) : i % 3 === 1 ? a2.devices.queryDeviceStatus(devA.deviceId, null, null) : b.devices.queryDeviceStatus(devB.deviceId, null, null)),
      });
      assert.equal(run.failures.length, 0, describeFailures(run.failures));
      for (const app of sim.apps) assert.ok(sim.stats(app.appId).refreshes >= 2, `${app.appId} refreshed on its own`);
      // Leaving the shared refresher keeps it running for the other user.
      await a1.auth.stopRefreshTokenTimer();
      assert.equal((await a2.auth.getRefresherInfo())?.sharedBy, 1);
      await a2.devices.queryDeviceStatus(devA.deviceId, null, null);
      await assert.rejects(a1.devices.queryDeviceStatus(devA.deviceId, null, null), (error: NorthApiException) => error.errorCode === '1009');
    } finally {
      await Promise.all([a1.auth.stopRefreshTokenTimer(), a2.auth.stopRefreshTokenTimer(), b.auth.stopRefreshTokenTimer()]);
      for (const sdk of [a1, a2, b]) sdk.client.close();
    }
    assert.equal(refresherRegistry.handles().length, 0);
  });
});
