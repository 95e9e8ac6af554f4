import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DataCollection } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { sdkFor } from '../helpers/sdk.js';
import { rejectsWith } from '../helpers/wire.js';

let sim: Simulator;
let sdk: ReturnType<typeof sdkFor>;

before(async () => {
  sim = await startSimulator({ tokenLifetimeSeconds: 60 });
  sdk = sdkFor(sim, sim.apps[0], { http: { timeoutMs: 300 } });
  await sdk.auth.startRefreshTokenTimer();
});
after(async () => {
  await sdk.auth.stopRefreshTokenTimer();
  sdk.client.close();
  await sim.stop();
});

test('http.timeoutMs: calls to a hanging platform fail with 1012 each, and calls after it work again', async () => {
  const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: `timeout-${Date.now()}` }, null, null);
  const data = sdk.container.resolve(DataCollection);
  const faultId = sim.addFault({ path: '/iocm/app/dm/v1.4.0/devices/*', kind: 'hang' });
  // Several calls at once, then more started one after the other (some late in a shared timer's slot): each fails with
  // 1012, and none before its own timeoutMs has passed (a busy machine can only make them later).
  const timed = async (): Promise<number> => {
    const started = performance.now();
    await rejectsWith(data.querySingleDeviceInfo(deviceId, null, null, null), '1012');
    return performance.now() - started;
  };
  const elapsed = await Promise.all([timed(), timed(), timed()]);
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10 + i * 9));
    elapsed.push(await timed());
  }
  for (const ms of elapsed) assert.ok(ms >= 300 - 2, `a call timed out after ${ms.toFixed(1)} ms, before its 300 ms`);
  sim.removeFault(faultId);
  const device = await data.querySingleDeviceInfo(deviceId, null, null, null);
  assert.equal(device.deviceId, deviceId);
});
