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
  // Several calls at once, and one later on: each gets its own timeout, whether or not the calls share a timer.
  const first = await Promise.allSettled([1, 2, 3].map(() => data.querySingleDeviceInfo(deviceId, null, null, null)));
  assert.deepEqual(first.map((r) => r.status), ['rejected', 'rejected', 'rejected']);
  for (const result of first) assert.equal((result as PromiseRejectedResult).reason.errorCode, '1012');
  await rejectsWith(data.querySingleDeviceInfo(deviceId, null, null, null), '1012');
  sim.removeFault(faultId);
  const device = await data.querySingleDeviceInfo(deviceId, null, null, null);
  assert.equal(device.deviceId, deviceId);
});
