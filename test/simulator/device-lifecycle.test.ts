import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { DeviceChange, SimulatorChange, SimulatorState } from '../../src/simulator/state.js';
import { sleep, TestClient, type Reply } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const SHADOW = '/iocm/app/shadow/v1.5.0/devices';
const COMMANDS = '/iocm/app/cmd/v1.4.0/deviceCommands';
const CANCEL_TASKS = '/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks';
const NOT_EXIST = { error_code: '100403', error_desc: 'The device is not existed.' };
const NO_COMMAND = { error_code: '100434', error_desc: 'The device command is not existed.' };

function sendCommandPath(deviceId: string, serviceId: string): string {
  return `/iocm/app/signaltrans/v1.1.0/devices/${deviceId}/services/${serviceId}/sendCommand`;
}

function assertError(reply: Reply, status: number, body: Record<string, string>): void {
  assert.equal(reply.status, status, reply.text);
  assert.deepEqual(reply.json, body);
}

describe('device lifecycle: deletion, registration timeout, change announcements', () => {
  let sim: Simulator;
  let state: SimulatorState;
  let client: TestClient;
  let headers: Record<string, string>;
  const app = { appId: 'lifecycleApp', secret: 'lifecycleSecret' };
  const changes: SimulatorChange[] = [];

  const call = (method: string, path: string, json?: unknown) => client.request(method, path, { headers, ...(json === undefined ? {} : { json }) });

  async function register(body: Record<string, unknown> = {}): Promise<string> {
    const reply = await call('POST', REG, { nodeId: `life-${Math.random().toString(16).slice(2)}`, ...body });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.deviceId;
  }

  async function command(deviceId: string): Promise<{ commandId: string; status: string }> {
    const reply = await call('POST', COMMANDS, { deviceId, command: { serviceId: 'Light', method: 'SWITCH', paras: { on: true } } });
    assert.equal(reply.status, 201, reply.text);
    return reply.json;
  }

  async function commandIds(query = ''): Promise<string[]> {
    const reply = await call('GET', `${COMMANDS}${query}`);
    assert.equal(reply.status, 200, reply.text);
    return reply.json.data.map((c: { commandId: string }) => c.commandId);
  }

  before(async () => {
    sim = await startSimulator({ apps: [app] });
    state = (sim as unknown as { state: SimulatorState }).state;
    state.changes.on('change', (change: SimulatorChange) => changes.push(change));
    client = new TestClient(sim);
    headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('deleting a device deletes its commands, cancel tasks, sendCommand requests and history', async () => {
    const doomed = await register();
    const survivor = await register();
    const cancelled = await command(doomed);
    const cancelTask = await call('POST', CANCEL_TASKS, { deviceId: doomed });
    assert.equal(cancelTask.status, 201, cancelTask.text);
    assert.equal(cancelTask.json.totalCount, 1);
    const sent = await command(doomed);
    sim.reportDeviceData(doomed, 'Light', { on: true }); // online: `sent` goes out
    const invocation = await call('POST', sendCommandPath(doomed, 'Light'), { header: { mode: 'ACK', method: 'BLINK' } });
    assert.equal(invocation.status, 202, invocation.text);
    assert.equal((await call('PUT', `${SHADOW}/${doomed}`, { serviceDesireds: [{ serviceId: 'Light', desired: { on: false } }] })).status, 200);
    sim.setDeviceOnline(doomed, false);
    const pending = await command(doomed);
    assert.equal(pending.status, 'PENDING');
    const kept = await command(survivor);
    sim.reportDeviceData(survivor, 'Light', { on: true });

    const { commands, deviceData } = state.requireApp(app.appId);
    assert.equal(commands.invocationList(doomed).length, 1);
    assert.equal(deviceData.dataOf(doomed).length, 1);
    assert.equal(deviceData.desiredOf(doomed).length, 1);
    assert.deepEqual(new Set(await commandIds(`?deviceId=${doomed}`)), new Set([cancelled.commandId, sent.commandId, pending.commandId]));

    assert.equal((await call('DELETE', `${DM}/${doomed}`)).status, 204);

    // Commands: not listed, not cancellable, not acknowledgeable; the survivor's command stays.
    assert.deepEqual(await commandIds(`?deviceId=${doomed}`), []);
    assert.deepEqual(await commandIds(), [kept.commandId]);
    assertError(await call('PUT', `${COMMANDS}/${pending.commandId}`, { status: 'CANCELED' }), 200, NO_COMMAND);
    assert.throws(() => sim.acknowledgeCommand(sent.commandId, 'DELIVERED'), /unknown commandId/);
    // Cancel tasks.
    const tasks = await call('GET', CANCEL_TASKS);
    assert.equal(tasks.status, 200, tasks.text);
    assert.deepEqual(tasks.json.data.map((t: { taskId: string }) => t.taskId).filter((id: string) => id === cancelTask.json.taskId), []);
    assert.equal((await call('GET', `${CANCEL_TASKS}?deviceId=${doomed}`)).json.pagination.totalSize, 0);
    // sendCommand requests and both histories.
    assert.deepEqual(commands.invocationList(doomed), []);
    assert.deepEqual(deviceData.dataOf(doomed), []);
    assert.deepEqual(deviceData.desiredOf(doomed), []);
    assert.equal(deviceData.dataOf(survivor).length, 1);
    assert.throws(() => sim.serviceInvocations(doomed), /unknown deviceId/);
  });

  test('a registration that runs out before the device connects deletes the device; refreshDeviceKey restarts the window', async () => {
    const expiring = await register({ timeout: 1 });
    const pending = await command(expiring);
    assert.equal((await call('PUT', `${SHADOW}/${expiring}`, { serviceDesireds: [{ serviceId: 'Light', desired: { on: true } }] })).status, 200);
    const nodeId = (await call('GET', `${SHADOW}/${expiring}`)).json.deviceInfo.nodeId;
    const expiringToo = await register({ timeout: 1 });
    const connected = await register({ timeout: 1 });
    sim.setDeviceOnline(connected, true);
    sim.setDeviceOnline(connected, false);
    const never = await register({ timeout: 0 });
    const shortened = await register({ timeout: 0 });
    assert.equal((await call('PUT', `${REG}/${shortened}`, { timeout: 1 })).status, 200);
    const extended = await register({ timeout: 1 });
    assert.equal((await call('PUT', `${REG}/${extended}`, { timeout: 0 })).status, 200);

    await sleep(1200);

    // A device-side call sees no device.
    assert.throws(() => sim.setDeviceOnline(expiringToo, true), /unknown deviceId/);
    // Nor does any route.
    assertError(await call('GET', `${REG}/${expiring}`), 404, NOT_EXIST);
    assertError(await call('GET', `${DM}/${expiring}`), 404, NOT_EXIST);
    assertError(await call('GET', `${SHADOW}/${expiring}`), 404, NOT_EXIST);
    assertError(await call('GET', `${REG}/${shortened}`), 404, NOT_EXIST);
    assert.deepEqual(await commandIds(`?deviceId=${expiring}`), []);
    assertError(await call('PUT', `${COMMANDS}/${pending.commandId}`, { status: 'CANCELED' }), 200, NO_COMMAND);
    assert.deepEqual(state.requireApp(app.appId).deviceData.desiredOf(expiring), []);
    // Its nodeId is free again.
    assert.equal((await call('POST', REG, { nodeId })).status, 200);
    // Devices that connected in time, or whose timeout is 0, stay.
    for (const id of [connected, never, extended]) assert.equal((await call('GET', `${REG}/${id}`)).status, 200, id);

    const expired = sim.events().filter((e) => e.type === 'device-expired').map((e) => e.detail ?? '');
    for (const id of [expiring, expiringToo, shortened]) assert.ok(expired.some((detail) => detail.includes(id)), id);
    assert.equal(expired.length, 3);
  });

  test('setDeviceOnline announces a status change only when the status changes', async () => {
    const id = await register();
    // The change carries the live record: note its status when it is announced.
    const statuses: string[] = [];
    const note = (change: SimulatorChange): void => {
      if (change.type === 'deviceStatusChanged') statuses.push(change.device.status);
    };
    state.changes.on('change', note);
    try {
      sim.setDeviceOnline(id, false); // INACTIVE stays INACTIVE
      sim.setDeviceOnline(id, true);
      sim.setDeviceOnline(id, true);
      sim.setDeviceOnline(id, false);
      sim.setDeviceOnline(id, false);
    } finally {
      state.changes.off('change', note);
    }
    assert.deepEqual(statuses, ['ONLINE', 'OFFLINE']);
  });

  test('refreshDeviceKey announces deviceInfoChanged; modifyDeviceInfo with nothing to change announces nothing', async () => {
    const id = await register();
    changes.length = 0;
    assert.equal((await call('PUT', `${REG}/${id}`, { nodeId: 'refreshed-node' })).status, 200);
    assert.deepEqual(changes.map((c) => c.type), ['deviceInfoChanged']);
    const change = changes[0] as DeviceChange;
    assert.deepEqual([change.device.deviceId, change.device.nodeId, change.device.verifyCode], [id, 'refreshed-node', 'refreshed-node']);

    changes.length = 0;
    const before = (await call('GET', `${SHADOW}/${id}`)).json.lastModifiedTime;
    assert.equal((await call('PUT', `${DM}/${id}`, {})).status, 204);
    assert.equal((await call('PUT', `${DM}/${id}`, { name: null })).status, 204);
    assert.equal(changes.length, 0);
    assert.equal((await call('GET', `${SHADOW}/${id}`)).json.lastModifiedTime, before);
    assert.equal((await call('PUT', `${DM}/${id}`, { name: 'renamed' })).status, 204);
    assert.deepEqual(changes.map((c) => c.type), ['deviceInfoChanged']);
  });

  test('a change listener that throws or rejects does not fail the request; the failure is logged as an event', async () => {
    const seen: string[] = [];
    const throwing = (): void => {
      throw new Error('listener broke');
    };
    const rejecting = async (): Promise<void> => {
      throw new Error('async listener broke');
    };
    const recording = (change: SimulatorChange): void => {
      seen.push(change.type);
    };
    state.changes.on('change', throwing);
    state.changes.on('change', rejecting);
    state.changes.on('change', recording);
    try {
      const reply = await call('POST', REG, { nodeId: 'listener-victim' });
      assert.equal(reply.status, 200, reply.text);
      const { deviceId } = reply.json;
      assert.equal((await call('GET', `${REG}/${deviceId}`)).status, 200);
      // The device side too: the change is applied, nothing is thrown.
      sim.setDeviceOnline(deviceId, true);
      assert.equal((await call('GET', `${SHADOW}/${deviceId}`)).json.deviceInfo.status, 'ONLINE');
      assert.deepEqual(seen, ['deviceAdded', 'deviceStatusChanged']);
      await sleep(10);
      const failures = sim.events().filter((e) => e.type === 'change-listener-failed');
      assert.deepEqual(
        failures.map((e) => [e.appId, e.detail]).sort(),
        [
          [app.appId, 'deviceAdded: Error: async listener broke'],
          [app.appId, 'deviceAdded: Error: listener broke'],
          [app.appId, 'deviceStatusChanged: Error: async listener broke'],
          [app.appId, 'deviceStatusChanged: Error: listener broke'],
        ],
      );
    } finally {
      state.changes.off('change', throwing);
      state.changes.off('change', rejecting);
      state.changes.off('change', recording);
    }
  });

  test('a listener added with once is called once', async () => {
    let calls = 0;
    state.changes.once('change', () => {
      calls += 1;
    });
    await register();
    await register();
    assert.equal(calls, 1);
  });
});
