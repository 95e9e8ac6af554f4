import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import type { SimulatorState } from '../../src/simulator/state.js';
import { TestClient } from './helpers.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const COMMANDS = '/iocm/app/cmd/v1.4.0/deviceCommands';
const TASKS = '/iocm/app/batchtask/v1.1.0/tasks';
const TASK_DETAILS = '/iocm/app/batchtask/v1.1.0/taskDetails';
/** More than a task's timeout of 10 minutes. */
const ELEVEN_MINUTES = 11 * 60_000;

describe('batch task outcomes once the deadline has passed', () => {
  let sim: Simulator;
  let state: SimulatorState;
  let client: TestClient;
  let headers: Record<string, string>;
  const app = { appId: 'batchOutcomeApp', secret: 'batchOutcomeSecret' };
  let names = 0;

  const call = (method: string, path: string, json?: unknown) => client.request(method, path, { headers, ...(json === undefined ? {} : { json }) });

  async function register(): Promise<string> {
    const reply = await call('POST', REG, { nodeId: `batch-${Math.random().toString(16).slice(2)}` });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.deviceId;
  }

  /** A task of 10 minutes sending one command to each device (offline devices: the commands stay PENDING). */
  async function createTask(deviceList: string[]): Promise<string> {
    const reply = await call('POST', TASKS, {
      appId: app.appId,
      timeout: 10,
      taskName: `task${(names += 1)}`,
      taskType: 'DeviceCmd',
      param: { type: 'DeviceList', deviceList, command: { serviceId: 'Light', method: 'SWITCH' } },
    });
    assert.equal(reply.status, 200, reply.text);
    return reply.json.taskID;
  }

  /** Moves the task and its commands eleven minutes into the past: its deadline has passed. */
  function age(taskId: string): void {
    const { batchTasks, commands } = state.requireApp(app.appId);
    const task = batchTasks.get(taskId)!;
    task.createTime -= ELEVEN_MINUTES;
    for (const item of task.items) commands.get(item.commandId!)!.creationTime -= ELEVEN_MINUTES;
  }

  async function outcomes(taskId: string): Promise<Array<[string, string, string | undefined]>> {
    const reply = await call('GET', `${TASK_DETAILS}?taskId=${taskId}`);
    assert.equal(reply.status, 200, reply.text);
    return reply.json.taskDetails.map((d: { status: string; error?: string; param: { deviceId: string } }) => [d.param.deviceId, d.status, d.error]);
  }

  function commandOf(taskId: string, deviceId: string): string {
    return state.requireApp(app.appId).batchTasks.get(taskId)!.items.find((item) => item.deviceId === deviceId)!.commandId!;
  }

  before(async () => {
    sim = await startSimulator({ apps: [app] });
    state = (sim as unknown as { state: SimulatorState }).state;
    client = new TestClient(sim);
    headers = TestClient.auth(app.appId, (await client.login(app.appId, app.secret)).accessToken);
  });
  after(async () => {
    client.close();
    await sim.stop();
  });

  test('a command cancelled before the deadline fails the device; cancelled after it, the device stays timed out', async () => {
    const early = await register();
    const late = await register();
    const first = await createTask([early]);
    assert.equal((await call('PUT', `${COMMANDS}/${commandOf(first, early)}`, { status: 'CANCELED' })).status, 200);
    assert.deepEqual(await outcomes(first), [[early, 'Fail', 'The command was canceled.']]);

    const second = await createTask([late]);
    age(second);
    const timedOut: Array<[string, string, string | undefined]> = [[late, 'Timeout', 'The task timed out before the device executed the command.']];
    assert.deepEqual(await outcomes(second), timedOut);
    assert.equal((await call('GET', `${TASKS}/${second}`)).json.status, 'Timeout');
    assert.equal((await call('PUT', `${COMMANDS}/${commandOf(second, late)}`, { status: 'CANCELED' })).status, 200);
    assert.deepEqual(await outcomes(second), timedOut);
    const task = (await call('GET', `${TASKS}/${second}`)).json;
    assert.deepEqual([task.status, task.timeoutCnt, task.failCnt], ['Timeout', 1, 0]);
  });

  test('a command acknowledged after the deadline leaves the device timed out', async () => {
    const device = await register();
    const taskId = await createTask([device]);
    age(taskId);
    sim.setDeviceOnline(device, true);
    sim.acknowledgeCommand(commandOf(taskId, device), 'SUCCESSFUL');
    assert.deepEqual((await outcomes(taskId)).map(([, status]) => status), ['Timeout']);
  });

  test('a deleted device keeps the outcome it had: an open command fails, a timed-out one stays timed out', async () => {
    const deleted = await register();
    const waiting = await register();
    const taskId = await createTask([deleted, waiting]);
    assert.equal((await call('DELETE', `${DM}/${deleted}`)).status, 204);
    assert.deepEqual(await outcomes(taskId), [
      [deleted, 'Fail', 'The device was deleted before it executed the command.'],
      [waiting, 'WaitResult', undefined],
    ]);
    // The deadline passes: the deleted device's outcome does not change.
    state.requireApp(app.appId).batchTasks.get(taskId)!.createTime -= ELEVEN_MINUTES;
    assert.deepEqual((await outcomes(taskId)).map(([, status]) => status), ['Fail', 'Timeout']);

    const late = await register();
    const other = await createTask([late]);
    age(other);
    assert.equal((await call('DELETE', `${DM}/${late}`)).status, 204);
    assert.deepEqual(await outcomes(other), [[late, 'Timeout', 'The task timed out before the device executed the command.']]);
    assert.equal((await call('GET', `${TASKS}/${other}`)).json.status, 'Timeout');
  });
});
