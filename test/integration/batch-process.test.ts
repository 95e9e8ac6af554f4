import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { BatchProcess, DeviceGroupManagement } from '../../src/index.js';
import type { BatchTaskCreateInDTO2, DeviceCmd } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { taskDetails, taskView, type BatchTaskRecord } from '../../src/simulator/batch-tasks.js';
import { CommandStore, type CommandRecord } from '../../src/simulator/commands.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'batchOwnerApp', secret: 'ownerSecret1', grants: ['batchPartnerApp'] };
const PARTNER = { appId: 'batchPartnerApp', secret: 'partnerSecret2' };
const TASKS = '/iocm/app/batchtask/v1.1.0/tasks';
const DETAILS = '/iocm/app/batchtask/v1.1.0/taskDetails';
const COMMAND = { serviceId: 'Brightness', method: 'PUT', paras: { brightness: 80 } };

function taskName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/** The value as JSON, without undefined fields. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

describe('BatchProcess through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let batch: BatchProcess;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER] });
    sdk = sdkFor(sim, PARTNER);
    batch = sdk.container.resolve(BatchProcess);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** Registers a device (in the authorising app when `appId` is given) and returns its id and nodeId. */
  async function device(appId: string | null, info: Record<string, string> = {}): Promise<{ deviceId: string; nodeId: string }> {
    const nodeId = randomNodeId();
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId, deviceInfo: info }, appId, null);
    return { deviceId, nodeId };
  }

  test('a DeviceCmd task on the authorising app: creation, counters and details follow the commands', async () => {
    const api = BatchProcess.api;
    const d1 = await device(OWNER.appId);
    const d2 = await device(OWNER.appId);
    sim.setDeviceOnline(d1.deviceId, true);
    const param: DeviceCmd = { type: 'DeviceList', deviceList: [d1.deviceId, d2.deviceId, 'no-such-device', d1.deviceId], command: COMMAND, callbackUrl: undefined, maxRetransmit: 2 };
    const input: BatchTaskCreateInDTO2 = { appId: OWNER.appId, timeout: 300, taskName: taskName('lamps'), taskType: 'DeviceCmd', param, tags: [{ tagName: 'site', tagValue: 'north' }] };
    sim.clearRecords();

    const created = await batch.createBatchTask(input, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.createBatchTask.method);
    assert.equal(request.path, TASKS);
    assert.deepEqual(request.query, {}, 'the application is named in the body');
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    assert.deepEqual(jsonBody(request), wire(input));
    assert.equal(request.status, api.createBatchTask.status);
    assert.deepEqual(Object.keys(created), ['taskID']);
    const taskId = created.taskID;
    assert.match(taskId, /^[0-9a-f]{24}$/);

    const running = await batch.queryOneTask(taskId, null, OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'GET');
    assert.equal(request.path, `${TASKS}/${taskId}`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.equal(request.body, '');
    assert.equal(request.status, api.queryOneTask.status);
    assert.match(running.startTime, /^\d{8}T\d{6}Z$/);
    assert.deepEqual({ ...running, startTime: '' }, {
      taskId,
      taskName: input.taskName,
      appId: OWNER.appId,
      operator: PARTNER.appId,
      taskFrom: 'Northbound',
      taskType: 'DeviceCmd',
      status: 'Running',
      startTime: '',
      timeout: 300,
      progress: 33,
      totalCnt: 3,
      successCnt: 0,
      successRate: 0,
      failCnt: 1,
      timeoutCnt: 0,
      expiredCnt: 0,
      completeCnt: 1,
      param: wire(param),
    });

    const details = await batch.queryTaskDetails({ taskId, appId: OWNER.appId }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, 'GET');
    assert.equal(request.path, DETAILS);
    assert.deepEqual(request.query, { appId: OWNER.appId, taskId });
    assert.equal(request.status, api.queryTaskDetails.status);
    assert.deepEqual([details.totalCount, details.pageNo, details.pageSize], [3, 0, 25]);
    const [first, second, third] = details.taskDetails;
    assert.deepEqual(first && { ...first, param: { ...first.param, commandId: typeof first.param['commandId'] } }, { status: 'WaitResult', param: { deviceId: d1.deviceId, nodeId: d1.nodeId, commandId: 'string', index: 0 } });
    assert.deepEqual(second?.status, 'WaitResult');
    assert.deepEqual(second?.param, { deviceId: d2.deviceId, nodeId: d2.nodeId, commandId: second?.param['commandId'], index: 1 });
    assert.equal(third?.status, 'Fail');
    assert.match(third?.error ?? '', /^100418 /);
    assert.deepEqual(third?.param, { deviceId: 'no-such-device', index: 2 });
    const command1 = String(first?.param['commandId']);
    const command2 = String(second?.param['commandId']);
    assert.notEqual(command1, command2);

    // The devices answer: d1 succeeds; d2 comes online (its cached command is sent) and fails.
    sim.acknowledgeCommand(command1, 'SUCCESSFUL', { brightness: 80 });
    sim.setDeviceOnline(d2.deviceId, true);
    sim.acknowledgeCommand(command2, 'FAILED');
    sim.clearRecords();

    const done = await batch.queryOneTask(taskId, 'tag', OWNER.appId, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { select: 'tag', appId: OWNER.appId });
    assert.deepEqual(
      [done.status, done.totalCnt, done.successCnt, done.failCnt, done.timeoutCnt, done.expiredCnt, done.completeCnt, done.progress, done.successRate],
      ['Complete', 3, 1, 2, 0, 0, 3, 100, 33],
    );
    assert.deepEqual(done.tags, [{ tagName: 'site', tagValue: 'north' }]);

    const succeeded = await batch.queryTaskDetails({ taskId, appId: OWNER.appId, status: 'Success' }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { appId: OWNER.appId, taskId, status: 'Success' });
    assert.equal(succeeded.totalCount, 1);
    assert.deepEqual(succeeded.taskDetails.map((d) => [d.param['deviceId'], d.status, JSON.parse(d.output ?? 'null')]), [[d1.deviceId, 'Success', { resultCode: 'SUCCESSFUL', resultDetail: { brightness: 80 } }]]);

    const failed = await batch.queryTaskDetails({ taskId, appId: OWNER.appId, status: 'Fail' }, null);
    assert.deepEqual(failed.taskDetails.map((d) => d.param['deviceId']), [d2.deviceId, 'no-such-device']);
    sim.clearRecords();

    const page = await batch.queryTaskDetails({ taskId, appId: OWNER.appId, pageNo: 1, pageSize: 2 }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { appId: OWNER.appId, taskId, pageNo: '1', pageSize: '2' });
    assert.deepEqual([page.totalCount, page.pageNo, page.pageSize, page.taskDetails.map((d) => d.param['index'])], [3, 1, 2, [2]]);

    const filters: Array<[Parameters<BatchProcess['queryTaskDetails']>[0], string]> = [
      [{ taskId, appId: OWNER.appId, deviceId: d2.deviceId }, d2.deviceId],
      [{ taskId, appId: OWNER.appId, nodeId: d1.nodeId }, d1.deviceId],
      [{ taskId, appId: OWNER.appId, commandId: command2 }, d2.deviceId],
      [{ taskId, appId: OWNER.appId, index: 0 }, d1.deviceId],
    ];
    for (const [filter, expected] of filters) {
      const found = await batch.queryTaskDetails(filter, null);
      assert.deepEqual(found.taskDetails.map((d) => d.param['deviceId']), [expected], JSON.stringify(filter));
    }
    sim.clearRecords();
    await batch.queryTaskDetails({ taskId, appId: OWNER.appId, index: 0, nodeId: d1.nodeId, commandId: command1, deviceId: d1.deviceId }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { appId: OWNER.appId, taskId, index: '0', nodeId: d1.nodeId, deviceId: d1.deviceId, commandId: command1 });
  });

  test('own application (no ?appId=): DeviceType, GroupList, GroupIdList and Broadcast select the devices', async () => {
    const groups = sdk.container.resolve(DeviceGroupManagement);
    const lamp1 = await device(null, { deviceType: 'Lamp', manufacturerId: 'acme', model: 'L1' });
    const lamp2 = await device(null, { deviceType: 'Lamp', manufacturerId: 'acme', model: 'L2' });
    const meter = await device(null, { deviceType: 'Meter', manufacturerId: 'acme', model: 'M1' });
    const groupName = `grp${randomBytes(4).toString('hex')}`;
    const group = await groups.createDeviceGroup({ name: groupName, deviceIds: [lamp2.deviceId, meter.deviceId] }, null);

    async function targets(param: DeviceCmd): Promise<string[]> {
      const { taskID } = await batch.createBatchTask({ appId: PARTNER.appId, timeout: 10, taskName: taskName(param.type), taskType: 'DeviceCmd', param }, null);
      const task = await batch.queryOneTask(taskID, null, null, null);
      const details = await batch.queryTaskDetails({ taskId: taskID, pageSize: 250 }, null);
      assert.equal(task.totalCnt, details.totalCount);
      assert.equal(task.appId, PARTNER.appId);
      return details.taskDetails.map((d) => String(d.param['deviceId'])).sort();
    }
    const sorted = (...ids: string[]): string[] => ids.sort();

    assert.deepEqual(await targets({ type: 'DeviceType', deviceType: 'Lamp', command: COMMAND }), sorted(lamp1.deviceId, lamp2.deviceId));
    assert.deepEqual(await targets({ type: 'DeviceType', deviceType: 'Lamp', model: 'L2', command: COMMAND }), [lamp2.deviceId]);
    assert.deepEqual(await targets({ type: 'GroupList', groupList: [groupName], command: COMMAND }), sorted(lamp2.deviceId, meter.deviceId));
    assert.deepEqual(await targets({ type: 'GroupIdList', groupList: [group.id], command: COMMAND }), sorted(lamp2.deviceId, meter.deviceId));
    const everything = await targets({ type: 'Broadcast', command: COMMAND });
    for (const id of [lamp1.deviceId, lamp2.deviceId, meter.deviceId]) assert.ok(everything.includes(id));
    assert.ok(!everything.some((id) => id === 'no-such-device'));

    sim.clearRecords();
    const { taskID } = await batch.createBatchTask({ appId: PARTNER.appId, timeout: 10, taskName: taskName('own'), taskType: 'DeviceCmd', param: { type: 'DeviceList', deviceList: [meter.deviceId], command: COMMAND } }, null);
    sim.clearRecords();
    await batch.queryOneTask(taskID, null, null, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    await batch.queryTaskDetails({ taskId: taskID }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, { taskId: taskID });
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const good: BatchTaskCreateInDTO2 = { appId: PARTNER.appId, timeout: 60, taskName: 't', taskType: 'DeviceCmd', param: { type: 'DeviceList', deviceList: ['d'], command: COMMAND } };
    const withParam = (param: Record<string, unknown>) => ({ ...good, param: { ...(good.param as object), ...param } }) as never;
    const cases: Array<[string, () => Promise<unknown>]> = [
      ['btcInDTO', () => batch.createBatchTask(null as never, null)],
      ['btcInDTO.appId', () => batch.createBatchTask({ ...good, appId: undefined } as never, null)],
      ['btcInDTO.appId', () => batch.createBatchTask({ ...good, appId: '' }, null)],
      ['btcInDTO.timeout', () => batch.createBatchTask({ ...good, timeout: 9 }, null)],
      ['btcInDTO.timeout', () => batch.createBatchTask({ ...good, timeout: 2881 }, null)],
      ['btcInDTO.timeout', () => batch.createBatchTask({ ...good, timeout: '60' } as never, null)],
      ['btcInDTO.timeout', () => batch.createBatchTask({ ...good, timeout: undefined } as never, null)],
      ['btcInDTO.taskName', () => batch.createBatchTask({ ...good, taskName: '' }, null)],
      ['btcInDTO.taskName', () => batch.createBatchTask({ ...good, taskName: 'x'.repeat(257) }, null)],
      ['btcInDTO.taskType', () => batch.createBatchTask({ ...good, taskType: 5 } as never, null)],
      ['btcInDTO.param', () => batch.createBatchTask({ ...good, param: undefined } as never, null)],
      ['btcInDTO.param.type', () => batch.createBatchTask(withParam({ type: undefined }), null)],
      ['btcInDTO.param.type', () => batch.createBatchTask(withParam({ type: 'DeviceIdList' }), null)],
      ['btcInDTO.param.deviceList', () => batch.createBatchTask(withParam({ deviceList: undefined }), null)],
      ['btcInDTO.param.deviceList', () => batch.createBatchTask(withParam({ deviceList: [] }), null)],
      ['btcInDTO.param.deviceList[0]', () => batch.createBatchTask(withParam({ deviceList: [''] }), null)],
      ['btcInDTO.param.groupList', () => batch.createBatchTask(withParam({ type: 'GroupList', deviceList: undefined }), null)],
      ['btcInDTO.param.groupList', () => batch.createBatchTask(withParam({ type: 'GroupList', groupList: [] }), null)],
      ['btcInDTO.param.groupList[1]', () => batch.createBatchTask(withParam({ type: 'GroupIdList', groupList: ['g1', ''] }), null)],
      ['btcInDTO.param.deviceList', () => batch.createBatchTask(withParam({ deviceList: 'd1' }), null)],
      ['btcInDTO.param.deviceList[1]', () => batch.createBatchTask(withParam({ deviceList: ['d1', 2] }), null)],
      ['btcInDTO.param.groupList[0]', () => batch.createBatchTask(withParam({ groupList: [null] }), null)],
      ['btcInDTO.param.deviceType', () => batch.createBatchTask(withParam({ deviceType: 1 }), null)],
      ['btcInDTO.param.maxRetransmit', () => batch.createBatchTask(withParam({ maxRetransmit: 4 }), null)],
      ['btcInDTO.param.command', () => batch.createBatchTask(withParam({ command: undefined }), null)],
      ['btcInDTO.param.command.serviceId', () => batch.createBatchTask(withParam({ command: { method: 'PUT' } }), null)],
      ['btcInDTO.param.command.method', () => batch.createBatchTask(withParam({ command: { serviceId: 's', method: '' } }), null)],
      ['btcInDTO.param.command.paras', () => batch.createBatchTask(withParam({ command: { serviceId: 's', method: 'PUT', paras: [1] } }), null)],
      ['btcInDTO.param.command.paras', () => batch.createBatchTask(withParam({ command: { serviceId: 's', method: 'PUT' } }), null)],
      ['btcInDTO.tags', () => batch.createBatchTask({ ...good, tags: 'x' } as never, null)],
      ['btcInDTO.tags[0].tagName', () => batch.createBatchTask({ ...good, tags: [{ tagValue: 'v' }] } as never, null)],
      ['btcInDTO.tags[0].tagValue', () => batch.createBatchTask({ ...good, tags: [{ tagName: 'n' }] } as never, null)],
      ['taskId', () => batch.queryOneTask('', null, null, null)],
      ['taskId', () => batch.queryOneTask(undefined as never, null, null, null)],
      ['select', () => batch.queryOneTask('t1', 3 as never, null, null)],
      ['appId', () => batch.queryOneTask('t1', null, false as never, null)],
      ['qtdInDTO', () => batch.queryTaskDetails(null as never, null)],
      ['qtdInDTO.taskId', () => batch.queryTaskDetails({} as never, null)],
      ['qtdInDTO.taskId', () => batch.queryTaskDetails({ taskId: '' }, null)],
      ['qtdInDTO.appId', () => batch.queryTaskDetails({ taskId: 't', appId: 1 } as never, null)],
      ['qtdInDTO.status', () => batch.queryTaskDetails({ taskId: 't', status: 1 } as never, null)],
      ['qtdInDTO.index', () => batch.queryTaskDetails({ taskId: 't', index: -1 }, null)],
      ['qtdInDTO.pageNo', () => batch.queryTaskDetails({ taskId: 't', pageNo: 1.5 }, null)],
      ['qtdInDTO.pageSize', () => batch.queryTaskDetails({ taskId: 't', pageSize: 0 }, null)],
      ['qtdInDTO.deviceId', () => batch.queryTaskDetails({ taskId: 't', deviceId: {} } as never, null)],
      ['qtdInDTO.deviceId', () => batch.queryTaskDetails({ taskId: 't', deviceId: '' }, null)],
      ['qtdInDTO.nodeId', () => batch.queryTaskDetails({ taskId: 't', nodeId: '' }, null)],
      ['qtdInDTO.commandId', () => batch.queryTaskDetails({ taskId: 't', commandId: '' }, null)],
      ['qtdInDTO.appId', () => batch.queryTaskDetails({ taskId: 't', appId: '   ' }, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });

  test('simulator errors come back as NorthApiException with the platform code and status', async () => {
    const { deviceId } = await device(null);
    const name = taskName('dup');
    const input: BatchTaskCreateInDTO2 = { appId: PARTNER.appId, timeout: 10, taskName: name, taskType: 'DeviceCmd', param: { type: 'DeviceList', deviceList: [deviceId], command: COMMAND } };
    await batch.createBatchTask(input, null);
    await rejectsWith(batch.createBatchTask(input, null), '105002', 200);
    // The same name is free in another application.
    assert.match((await batch.createBatchTask({ ...input, appId: OWNER.appId, param: { type: 'Broadcast', command: COMMAND } }, null)).taskID, /^[0-9a-f]{24}$/);

    await rejectsWith(batch.queryOneTask('no-such-task', null, null, null), '123009', 404);
    await rejectsWith(batch.queryTaskDetails({ taskId: 'no-such-task' }, null), '123009', 404);
    await rejectsWith(batch.createBatchTask({ ...input, taskName: taskName('reg'), taskType: 'DeviceReg', param: { deviceList: [] } }, null), '100022', 400);
    await rejectsWith(batch.createBatchTask({ ...input, taskName: taskName('area'), param: { type: 'DeviceArea', deviceLocation: 'Shenzhen', command: COMMAND } }, null), '100022', 400);
    await rejectsWith(batch.createBatchTask({ ...input, taskName: taskName('grp'), param: { type: 'GroupList', groupList: ['noSuchGroup'], command: COMMAND } }, null), '100603', 200);
    // An empty DeviceList is refused by the SDK before sending; the simulator refuses it too, when asked directly.
    const empty = await rawBusinessCall(sim, PARTNER.appId, 'POST', TASKS, { ...input, taskName: taskName('empty'), param: { type: 'DeviceList', deviceList: [], command: COMMAND } });
    assert.equal(empty.status, 400);
    assert.equal((empty.body as { error_code?: string }).error_code, '100022');
    await rejectsWith(batch.createBatchTask({ ...input, taskName: taskName('app'), appId: 'noSuchApp' }, null), '100203', 403);

    const { taskID } = await batch.createBatchTask({ ...input, taskName: taskName('page') }, null);
    await rejectsWith(batch.queryTaskDetails({ taskId: taskID, pageSize: 251 }, null), '100022', 400);

    // The partner has not authorised the owner.
    const ownerSdk = sdkFor(sim, OWNER);
    try {
      const ownerBatch = ownerSdk.container.resolve(BatchProcess);
      const token = (await ownerSdk.auth.getAuthToken()).accessToken;
      await rejectsWith(ownerBatch.createBatchTask({ ...input, taskName: taskName('deny') }, token), '100217', 403);
      await rejectsWith(ownerBatch.queryOneTask(taskID, null, PARTNER.appId, token), '100217', 403);
    } finally {
      ownerSdk.client.close();
    }
  });
});

describe('batch task outcome, derived from the commands at a given time', () => {
  const MINUTE = 60_000;
  const created = Date.UTC(2024, 0, 1, 12, 0, 0);

  /** A command record; one the device executed also records then its finish time, as the simulator's store does. */
  function command(id: string, fields: Partial<CommandRecord>): CommandRecord {
    const finished = fields.executeTime === undefined ? {} : { finishedTime: fields.executeTime };
    return { commandId: id, appId: 'a', deviceId: `dev-${id}`, status: 'SENT', command: { serviceId: 's', method: 'm' }, expireTime: 172800, creationTime: created, issuedTimes: 1, ...finished, ...fields };
  }

  function setup(commands: CommandRecord[]): { task: BatchTaskRecord; store: CommandStore } {
    const store = new CommandStore('a');
    for (const c of commands) store.add(c);
    const task: BatchTaskRecord = {
      taskId: 't',
      taskName: 'n',
      appId: 'a',
      operator: 'a',
      taskType: 'DeviceCmd',
      timeout: 10,
      createTime: created,
      param: {},
      items: commands.map((c, index) => ({ index, deviceId: c.deviceId, commandId: c.commandId })),
    };
    return { task, store };
  }

  test('open commands wait until the deadline, then time out; a late answer does not change the outcome', () => {
    const { task, store } = setup([
      command('ok', { status: 'SUCCESSFUL', executeTime: created + 2 * MINUTE }),
      command('open', { status: 'SENT' }),
      command('late', { status: 'SUCCESSFUL', executeTime: created + 11 * MINUTE }),
      command('expired', { status: 'PENDING', expireTime: 60 }),
    ]);
    const before = taskView(task, store, created + 5 * MINUTE);
    assert.deepEqual(taskDetails(task, store, created + 5 * MINUTE).map((d) => d.status), ['Success', 'WaitResult', 'WaitResult', 'Expired']);
    assert.deepEqual([before['status'], before['completeCnt'], before['progress'], before['expiredCnt']], ['Running', 2, 50, 1]);

    const afterDeadline = taskView(task, store, created + 12 * MINUTE);
    assert.deepEqual(taskDetails(task, store, created + 12 * MINUTE).map((d) => d.status), ['Success', 'Timeout', 'Timeout', 'Expired']);
    assert.deepEqual(
      [afterDeadline['status'], afterDeadline['successCnt'], afterDeadline['timeoutCnt'], afterDeadline['expiredCnt'], afterDeadline['completeCnt'], afterDeadline['progress'], afterDeadline['successRate']],
      ['Timeout', 1, 2, 1, 4, 100, 25],
    );
  });

  test('a task whose devices all answered before the deadline stays Complete', () => {
    const { task, store } = setup([command('a', { status: 'SUCCESSFUL', executeTime: created + MINUTE }), command('b', { status: 'CANCELED' })]);
    for (const at of [created + 2 * MINUTE, created + 60 * MINUTE]) {
      const view = taskView(task, store, at);
      assert.deepEqual([view['status'], view['successCnt'], view['failCnt'], view['successRate']], ['Complete', 1, 1, 50]);
    }
  });
});
