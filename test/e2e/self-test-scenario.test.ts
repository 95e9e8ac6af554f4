/**
 * The flow of the official Java SDK's sample tests, replayed through this SDK against the simulator: authentication,
 * a device's life cycle with explicit tokens, then a command's life cycle with the refresh timer supplying the token.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { SignalDelivery } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { rejectsWith } from '../helpers/wire.js';

const APP = { appId: 'selfTestApp', secret: 'selfTestSecret' };

let sim: Simulator;
let sdk: ReturnType<typeof sdkFor>;

before(async () => {
  sim = await startSimulator({ apps: [APP] });
  sdk = sdkFor(sim, APP);
});
after(async () => {
  await sdk.auth.stopRefreshTokenTimer();
  sdk.client.close();
  await sim.stop();
});

test('login, refresh, then a device from registration to deletion, with the refreshed token passed explicitly', async () => {
  const { auth, devices } = sdk;
  const login = await auth.getAuthToken();
  assert.equal(login.scope, 'default');
  assert.ok(login.expiresIn > 0);
  const refreshed = await auth.refreshAuthToken({ appId: APP.appId, secret: APP.secret, refreshToken: login.refreshToken });
  assert.notEqual(refreshed.accessToken, login.accessToken);
  const token = refreshed.accessToken;
  await rejectsWith(devices.queryDeviceStatus('any', null, login.accessToken), '1010005', 403); // the refresh voided it

  const nodeId = randomNodeId();
  const registered = await devices.regDirectDevice({ nodeId, verifyCode: nodeId, timeout: 0 }, null, token);
  const { deviceId } = registered;
  assert.equal(registered.verifyCode, nodeId);

  await devices.modifyDeviceInfo({ name: 'self-test-device', manufacturerName: 'Huawei', deviceType: 'Bulb', model: 'M1', protocolType: 'CoAP' }, deviceId, null, token);
  const status = await devices.queryDeviceStatus(deviceId, null, token);
  assert.deepEqual({ deviceId: status.deviceId, activated: status.activated, name: status.name }, { deviceId, activated: false, name: 'self-test-device' });

  let shadow = await devices.queryDeviceShadow(deviceId, null, token);
  assert.equal(shadow.deviceId, deviceId);
  assert.equal(shadow.deviceInfo?.model, 'M1');
  await devices.modifyDeviceShadow({ serviceDesireds: [{ serviceId: 'Brightness', desired: { brightness: 100 } }] }, deviceId, null, token);
  shadow = await devices.queryDeviceShadow(deviceId, null, token);
  assert.deepEqual(shadow.services?.find((s) => s.serviceId === 'Brightness')?.desiredProps, { brightness: 100 });

  const newNodeId = randomNodeId();
  const key = await devices.refreshDeviceKey({ verifyCode: newNodeId, nodeId: newNodeId, timeout: 3600 }, deviceId, null, token);
  assert.deepEqual(key, { verifyCode: newNodeId, timeout: 3600 });

  await devices.deleteDirectDevice(deviceId, true, null, token);
  await rejectsWith(devices.queryDeviceStatus(deviceId, null, token), '100403', 404);
});

test('a command created, queried, cancelled, and a cancel task for the rest, with null tokens while the timer runs', async () => {
  await sdk.auth.startRefreshTokenTimer();
  const commands = sdk.container.resolve(SignalDelivery);
  const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
  const command = { serviceId: 'Brightness', method: 'PUT', paras: { brightness: 50 } };

  const created = await commands.postDeviceCommand({ deviceId, command, expireTime: 3600 }, null, null);
  assert.equal(created.deviceId, deviceId);
  assert.equal(created.status, 'PENDING', 'the device has never connected, so the command waits');
  assert.deepEqual(created.command, command);

  const page = await commands.queryDeviceCommand({ deviceId, pageNo: 0, pageSize: 10 }, null);
  assert.equal(page.pagination.totalSize, 1);
  assert.equal(page.data[0]?.commandId, created.commandId);

  const cancelled = await commands.updateDeviceCommand({ status: 'CANCELED' }, created.commandId, null, null);
  assert.equal(cancelled.status, 'CANCELED');
  await rejectsWith(commands.updateDeviceCommand({ status: 'CANCELED' }, created.commandId, null, null), '100435', 200);

  const waiting = [
    await commands.postDeviceCommand({ deviceId, command }, null, null),
    await commands.postDeviceCommand({ deviceId, command: { ...command, paras: { brightness: 10 } } }, null, null),
  ];
  const task = await commands.createDeviceCmdCancelTask({ deviceId }, null, null);
  assert.equal(task.deviceId, deviceId);
  assert.equal(task.totalCount, 2);
  assert.deepEqual(task.deviceCommands?.map((c) => c.commandId).sort(), waiting.map((c) => c.commandId).sort());

  const after = await commands.queryDeviceCommand({ deviceId }, null);
  assert.deepEqual(after.data.map((c) => c.status), ['CANCELED', 'CANCELED', 'CANCELED']);
  const tasks = await commands.queryDeviceCmdCancelTask({ deviceId }, null);
  assert.equal(tasks.data.length, 1);
  assert.equal(tasks.data[0]?.taskId, task.taskId);
});
