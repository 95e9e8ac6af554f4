import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignalDelivery } from '../../src/index.js';
import type { DeviceCommandRespV4 } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor, sleep } from '../helpers/sdk.js';
import { jsonBody, onlyRequest, rawBusinessCall, rejectsBadInput, rejectsWith } from '../helpers/wire.js';

const OWNER = { appId: 'cmdOwnerApp', secret: 'ownerSecret1', grants: ['cmdPartnerApp'] };
const PARTNER = { appId: 'cmdPartnerApp', secret: 'partnerSecret2' };
const STRANGER = { appId: 'cmdStrangerApp', secret: 'strangerSecret3' };
const COMMANDS = '/iocm/app/cmd/v1.4.0/deviceCommands';
const CANCEL_TASKS = '/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks';
const PLATFORM_TIME = /^\d{8}T\d{6}Z$/;

describe('SignalDelivery through the public API, null token, against the simulator', () => {
  let sim: Simulator;
  let sdk: ReturnType<typeof sdkFor>;
  let sd: SignalDelivery;
  const api = SignalDelivery.api;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 30, apps: [OWNER, PARTNER, STRANGER] });
    sdk = sdkFor(sim, PARTNER);
    sd = sdk.container.resolve(SignalDelivery);
    await sdk.auth.startRefreshTokenTimer();
  });
  after(async () => {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
  });

  /** A new device of `appId` (null: the partner's own), registered through the SDK; the records are cleared. */
  async function newDevice(appId: string | null): Promise<string> {
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, appId, null);
    sim.clearRecords();
    return deviceId;
  }

  test('postDeviceCommand: cached as PENDING for an offline device, issued when it comes online, acknowledged by the device', async () => {
    const deviceId = await newDevice(OWNER.appId);
    const callbackUrl = 'https://app.example.com:8443/v1.0.0/messageReceiver/cmd';
    const created = await sd.postDeviceCommand(
      { deviceId, command: { serviceId: 'Brightness', method: 'PUT', paras: { brightness: 50 } }, callbackUrl, maxRetransmit: 2, expireTime: undefined },
      OWNER.appId,
      null,
    );
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.postDeviceCommand.method);
    assert.equal(request.path, COMMANDS);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.match(request.headers['content-type'] ?? '', /^application\/json/);
    // Undefined fields are not sent.
    assert.deepEqual(jsonBody(request), { deviceId, command: { serviceId: 'Brightness', method: 'PUT', paras: { brightness: 50 } }, callbackUrl, maxRetransmit: 2 });
    assert.equal(request.status, api.postDeviceCommand.status);
    assert.equal(request.status, 201);
    assert.match(created.commandId, /^[0-9a-f]{32}$/);
    assert.match(created.creationTime ?? '', PLATFORM_TIME);
    assert.deepEqual(created, {
      commandId: created.commandId,
      appId: OWNER.appId,
      deviceId,
      command: { serviceId: 'Brightness', method: 'PUT', paras: { brightness: 50 } },
      callbackUrl,
      expireTime: 172800,
      status: 'PENDING',
      creationTime: created.creationTime,
      issuedTimes: 0,
      maxRetransmit: 2,
    });

    // The device connects: the cached command is issued.
    sim.setDeviceOnline(deviceId, true);
    const page = await sd.queryDeviceCommand({ deviceId, appId: OWNER.appId }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceCommand.method);
    assert.equal(request.path, COMMANDS);
    assert.deepEqual(request.query, { deviceId, appId: OWNER.appId });
    assert.equal(request.body, '');
    assert.equal(request.status, api.queryDeviceCommand.status);
    assert.deepEqual(page.pagination, { pageNo: 0, pageSize: 1000, totalSize: 1 });
    const issued = page.data[0]!;
    assert.equal(issued.commandId, created.commandId);
    assert.equal(issued.status, 'SENT');
    assert.equal(issued.issuedTimes, 1);
    assert.match(issued.platformIssuedTime ?? '', PLATFORM_TIME);
    assert.equal(issued.deliveredTime, undefined);

    // A command for an online device is sent at once.
    const direct = await sd.postDeviceCommand({ deviceId, command: { serviceId: 'Switch', method: 'ON', paras: {} }, expireTime: 0 }, OWNER.appId, null);
    sim.clearRecords();
    assert.equal(direct.status, 'SENT');
    assert.equal(direct.expireTime, 0);
    assert.deepEqual(direct.command, { serviceId: 'Switch', method: 'ON', paras: {} });

    sim.acknowledgeCommand(created.commandId, 'DELIVERED');
    sim.acknowledgeCommand(created.commandId, 'SUCCESSFUL', { brightness: 50 });
    sim.acknowledgeCommand(direct.commandId, 'FAILED', 'switch jammed');
    const finished = await sd.queryDeviceCommand({ deviceId, appId: OWNER.appId }, null);
    sim.clearRecords();
    const byId = new Map(finished.data.map((c) => [c.commandId, c]));
    const done = byId.get(created.commandId)!;
    assert.equal(done.status, 'SUCCESSFUL');
    assert.deepEqual(done.result, { resultCode: 'SUCCESSFUL', resultDetail: { brightness: 50 } });
    assert.match(done.deliveredTime ?? '', PLATFORM_TIME);
    assert.match(done.executeTime ?? '', PLATFORM_TIME);
    assert.equal(byId.get(direct.commandId)!.status, 'FAILED');
    assert.deepEqual(byId.get(direct.commandId)!.result, { resultCode: 'FAILED', resultDetail: 'switch jammed' });
  });

  test('queryDeviceCommand pages newest first with pageNo/pageSize and totalSize; filters by device and time', async () => {
    const deviceId = await newDevice(null);
    const ids: string[] = [];
    for (const method of ['A', 'B', 'C']) {
      ids.push((await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method, paras: {} } }, null, null)).commandId);
    }
    sim.clearRecords();
    const first = await sd.queryDeviceCommand({ deviceId, pageNo: 0, pageSize: 2 }, null);
    const request = onlyRequest(sim, PARTNER.appId);
    assert.deepEqual(request.query, { pageNo: '0', pageSize: '2', deviceId });
    assert.deepEqual(first.pagination, { pageNo: 0, pageSize: 2, totalSize: 3 });
    assert.deepEqual(first.data.map((c) => c.commandId), [ids[2], ids[1]]);
    const second = await sd.queryDeviceCommand({ deviceId, pageNo: 1, pageSize: 2 }, null);
    assert.deepEqual(second.data.map((c) => c.commandId), [ids[0]]);
    assert.deepEqual(second.pagination, { pageNo: 1, pageSize: 2, totalSize: 3 });
    const beyond = await sd.queryDeviceCommand({ deviceId, pageNo: 5, pageSize: 2 }, null);
    assert.deepEqual(beyond.data, []);
    assert.equal(beyond.pagination.totalSize, 3);
    const future = await sd.queryDeviceCommand({ deviceId, startTime: '20991231T000000Z' }, null);
    assert.equal(future.pagination.totalSize, 0);
    const past = await sd.queryDeviceCommand({ deviceId, startTime: '20000101T000000Z', endTime: '20991231T000000Z' }, null);
    assert.equal(past.pagination.totalSize, 3);
    // The own app's commands only: the partner sees none of the owner's.
    const own = await sd.queryDeviceCommand({}, null);
    assert.ok(own.data.every((c) => c.appId === PARTNER.appId));
    sim.clearRecords();
    await sd.queryDeviceCommand({}, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    // An empty appId also means the caller's own application: it is not sent.
    await sd.queryDeviceCommand({ appId: '' }, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
  });

  test('updateDeviceCommand cancels a PENDING command; a second cancel, an unknown id and another status are refused', async () => {
    const deviceId = await newDevice(OWNER.appId);
    const created = await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M', paras: {} } }, OWNER.appId, null);
    sim.clearRecords();
    const cancelled = await sd.updateDeviceCommand({ status: 'CANCELED' }, created.commandId, OWNER.appId, null);
    const request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.updateDeviceCommand.method);
    assert.equal(request.path, `${COMMANDS}/${created.commandId}`);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(jsonBody(request), { status: 'CANCELED' });
    assert.equal(request.status, api.updateDeviceCommand.status);
    assert.equal(request.status, 200);
    assert.equal(cancelled.commandId, created.commandId);
    assert.equal(cancelled.status, 'CANCELED');
    assert.equal(cancelled.creationTime, created.creationTime);

    // Documented errors come back with HTTP 200.
    await rejectsWith(sd.updateDeviceCommand({ status: 'CANCELED' }, created.commandId, OWNER.appId, null), '100435', 200);
    await rejectsWith(sd.updateDeviceCommand({ status: 'CANCELED' }, 'no-such-command', OWNER.appId, null), '100434', 200);
    // The owner's command is not the partner's own.
    await rejectsWith(sd.updateDeviceCommand({ status: 'CANCELED' }, created.commandId, null, null), '100434', 200);
    // The SDK refuses any status but CANCELED before sending; the simulator refuses it too, when asked directly.
    const other = await rawBusinessCall(sim, PARTNER.appId, 'PUT', `${COMMANDS}/${created.commandId}?appId=${OWNER.appId}`, { status: 'SENT' });
    assert.equal(other.status, 400);
    assert.equal((other.body as { error_code?: string }).error_code, '100022');

    // Expired and sent commands cannot be cancelled either.
    const shortLived = await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M', paras: {} }, expireTime: 1 }, OWNER.appId, null);
    await sleep(1100);
    const listed = await sd.queryDeviceCommand({ deviceId, appId: OWNER.appId }, null);
    assert.equal(listed.data.find((c) => c.commandId === shortLived.commandId)?.status, 'EXPIRED');
    await rejectsWith(sd.updateDeviceCommand({ status: 'CANCELED' }, shortLived.commandId, OWNER.appId, null), '100435', 200);
    sim.setDeviceOnline(deviceId, true);
    const sent = await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M', paras: {} } }, OWNER.appId, null);
    assert.equal(sent.status, 'SENT');
    await rejectsWith(sd.updateDeviceCommand({ status: 'CANCELED' }, sent.commandId, OWNER.appId, null), '100435', 200);
    // The expired command stays expired once the device is online.
    const afterOnline = await sd.queryDeviceCommand({ deviceId, appId: OWNER.appId }, null);
    assert.equal(afterOnline.data.find((c) => c.commandId === shortLived.commandId)?.status, 'EXPIRED');
    sim.clearRecords();
  });

  test('createDeviceCmdCancelTask revokes every PENDING command of the device; queryDeviceCmdCancelTask finds the task', async () => {
    const deviceId = await newDevice(OWNER.appId);
    const pending: DeviceCommandRespV4[] = [];
    for (const method of ['A', 'B']) pending.push(await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method, paras: {} } }, OWNER.appId, null));
    const alreadyCancelled = await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'C', paras: {} } }, OWNER.appId, null);
    await sd.updateDeviceCommand({ status: 'CANCELED' }, alreadyCancelled.commandId, OWNER.appId, null);
    sim.clearRecords();

    const task = await sd.createDeviceCmdCancelTask({ deviceId }, OWNER.appId, null);
    let request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.createDeviceCmdCancelTask.method);
    assert.equal(request.path, CANCEL_TASKS);
    assert.deepEqual(request.query, { appId: OWNER.appId });
    assert.deepEqual(jsonBody(request), { deviceId });
    assert.equal(request.status, api.createDeviceCmdCancelTask.status);
    assert.match(task.taskId, /^[0-9a-f]{32}$/);
    assert.equal(task.appId, OWNER.appId);
    assert.equal(task.deviceId, deviceId);
    assert.equal(task.status, 'SUCCESS');
    assert.equal(task.totalCount, 2);
    assert.deepEqual(task.deviceCommands?.map((c) => [c.commandId, c.status]).sort(), pending.map((c) => [c.commandId, 'CANCELED']).sort());

    const listed = await sd.queryDeviceCommand({ deviceId, appId: OWNER.appId }, null);
    assert.ok(listed.data.every((c) => c.status === 'CANCELED'));
    sim.clearRecords();

    const found = await sd.queryDeviceCmdCancelTask({ deviceId, status: 'SUCCESS', appId: OWNER.appId }, null);
    request = onlyRequest(sim, PARTNER.appId);
    assert.equal(request.method, api.queryDeviceCmdCancelTask.method);
    assert.equal(request.path, CANCEL_TASKS);
    assert.deepEqual(request.query, { deviceId, status: 'SUCCESS', appId: OWNER.appId });
    assert.equal(request.status, api.queryDeviceCmdCancelTask.status);
    assert.deepEqual(found.pagination, { pageNo: 0, pageSize: 1000, totalSize: 1 });
    assert.deepEqual(found.data, [task]);

    // A second task finds nothing left to revoke.
    const empty = await sd.createDeviceCmdCancelTask({ deviceId }, OWNER.appId, null);
    assert.equal(empty.totalCount, 0);
    assert.deepEqual(empty.deviceCommands, []);
    const byTask = await sd.queryDeviceCmdCancelTask({ taskId: task.taskId, pageNo: 0, pageSize: 5, appId: OWNER.appId }, null);
    sim.clearRecords();
    assert.deepEqual(byTask.data.map((t) => t.taskId), [task.taskId]);
    const all = await sd.queryDeviceCmdCancelTask({ deviceId, pageNo: 0, pageSize: 1, appId: OWNER.appId }, null);
    assert.deepEqual(all.pagination, { pageNo: 0, pageSize: 1, totalSize: 2 });
    assert.deepEqual(all.data.map((t) => t.taskId), [empty.taskId]);
    const none = await sd.queryDeviceCmdCancelTask({ status: 'FAILED', appId: OWNER.appId }, null);
    assert.equal(none.pagination.totalSize, 0);
    sim.clearRecords();
    await sd.queryDeviceCmdCancelTask({}, null);
    assert.deepEqual(onlyRequest(sim, PARTNER.appId).query, {});
    await rejectsWith(sd.createDeviceCmdCancelTask({ deviceId: 'no-such-device' }, OWNER.appId, null), '100418', 200);
  });

  test('documented errors of command creation and of the authorised-app check', async () => {
    const deviceId = await newDevice(OWNER.appId);
    await rejectsWith(sd.postDeviceCommand({ deviceId: 'no-such-device', command: { serviceId: 'S', method: 'M', paras: {} } }, OWNER.appId, null), '100418', 200);
    // The device is the owner's: for the partner's own app it does not exist.
    await rejectsWith(sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M', paras: {} } }, null, null), '100418', 200);
    await rejectsWith(sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M', paras: {} }, expireTime: 0 }, OWNER.appId, null), '100428', 200);
    for (let i = 0; i < 20; i++) await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: `M${i}`, paras: {} } }, OWNER.appId, null);
    await rejectsWith(sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M20', paras: {} } }, OWNER.appId, null), '100223', 400, /Command counts has reached the upLimit/);
    // Once the device is online the queue drains and commands are accepted again.
    sim.setDeviceOnline(deviceId, true);
    assert.equal((await sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M20', paras: {} } }, OWNER.appId, null)).status, 'SENT');
    // An app that does not exist, and one that has not authorised the caller.
    await rejectsWith(sd.queryDeviceCommand({ appId: 'nobodyApp' }, null), '100203', 403);
    await rejectsWith(sd.postDeviceCommand({ deviceId, command: { serviceId: 'S', method: 'M', paras: {} } }, STRANGER.appId, null), '100217', 403);
    sim.clearRecords();
  });

  test('bad input gives 1007 naming the field, and nothing is sent', async () => {
    const command = { serviceId: 'S', method: 'M', paras: {} };
    const cases: [string, () => Promise<unknown>][] = [
      ['pdcInDTO', () => sd.postDeviceCommand(null as never, null, null)],
      ['pdcInDTO.deviceId', () => sd.postDeviceCommand({ command } as never, null, null)],
      ['pdcInDTO.deviceId', () => sd.postDeviceCommand({ deviceId: '', command }, null, null)],
      ['pdcInDTO.command', () => sd.postDeviceCommand({ deviceId: 'd' } as never, null, null)],
      ['pdcInDTO.command.serviceId', () => sd.postDeviceCommand({ deviceId: 'd', command: { method: 'M' } as never }, null, null)],
      ['pdcInDTO.command.method', () => sd.postDeviceCommand({ deviceId: 'd', command: { serviceId: 'S', method: 7 as never, paras: {} } }, null, null)],
      ['pdcInDTO.command.paras', () => sd.postDeviceCommand({ deviceId: 'd', command: { ...command, paras: [1] as never } }, null, null)],
      ['pdcInDTO.command.paras', () => sd.postDeviceCommand({ deviceId: 'd', command: { serviceId: 'S', method: 'M' } as never }, null, null)],
      ['pdcInDTO.command.paras', () => sd.postDeviceCommand({ deviceId: 'd', command: { ...command, paras: null as never } }, null, null)],
      ['pdcInDTO.callbackUrl', () => sd.postDeviceCommand({ deviceId: 'd', command, callbackUrl: 5 as never }, null, null)],
      ['pdcInDTO.callbackUrl', () => sd.postDeviceCommand({ deviceId: 'd', command, callbackUrl: `https://x/${'a'.repeat(1024)}` }, null, null)],
      ['pdcInDTO.expireTime', () => sd.postDeviceCommand({ deviceId: 'd', command, expireTime: -1 }, null, null)],
      ['pdcInDTO.expireTime', () => sd.postDeviceCommand({ deviceId: 'd', command, expireTime: '60' as never }, null, null)],
      ['pdcInDTO.maxRetransmit', () => sd.postDeviceCommand({ deviceId: 'd', command, maxRetransmit: 4 }, null, null)],
      ['appId', () => sd.postDeviceCommand({ deviceId: 'd', command }, 42 as never, null)],
      ['appId', () => sd.postDeviceCommand({ deviceId: 'd', command }, '  ', null)],
      ['qdcInDTO', () => sd.queryDeviceCommand(undefined as never, null)],
      ['qdcInDTO.pageNo', () => sd.queryDeviceCommand({ pageNo: -1 }, null)],
      ['qdcInDTO.pageSize', () => sd.queryDeviceCommand({ pageSize: 1001 }, null)],
      ['qdcInDTO.pageSize', () => sd.queryDeviceCommand({ pageSize: 1.5 }, null)],
      ['qdcInDTO.deviceId', () => sd.queryDeviceCommand({ deviceId: 5 as never }, null)],
      ['qdcInDTO.deviceId', () => sd.queryDeviceCommand({ deviceId: '' }, null)],
      ['qdcInDTO.startTime', () => sd.queryDeviceCommand({ startTime: new Date() as never }, null)],
      ['qdcInDTO.appId', () => sd.queryDeviceCommand({ appId: true as never }, null)],
      ['qdcInDTO.appId', () => sd.queryDeviceCommand({ appId: ' \t' }, null)],
      ['udcInDTO', () => sd.updateDeviceCommand(null as never, 'c1', null, null)],
      ['udcInDTO.status', () => sd.updateDeviceCommand({} as never, 'c1', null, null)],
      ['udcInDTO.status', () => sd.updateDeviceCommand({ status: 'SENT' as never }, 'c1', null, null)],
      ['udcInDTO.status', () => sd.updateDeviceCommand({ status: 'canceled' as never }, 'c1', null, null)],
      ['deviceCommandId', () => sd.updateDeviceCommand({ status: 'CANCELED' }, '', null, null)],
      ['deviceCommandId', () => sd.updateDeviceCommand({ status: 'CANCELED' }, undefined as never, null, null)],
      ['cdcctInDTO', () => sd.createDeviceCmdCancelTask('d1' as never, null, null)],
      ['cdcctInDTO.deviceId', () => sd.createDeviceCmdCancelTask({} as never, null, null)],
      ['cdcctInDTO.deviceId', () => sd.createDeviceCmdCancelTask({ deviceId: '' }, null, null)],
      ['qdcctInDTO', () => sd.queryDeviceCmdCancelTask(null as never, null)],
      ['qdcctInDTO.pageNo', () => sd.queryDeviceCmdCancelTask({ pageNo: '0' as never }, null)],
      ['qdcctInDTO.pageSize', () => sd.queryDeviceCmdCancelTask({ pageSize: 0 }, null)],
      ['qdcctInDTO.taskId', () => sd.queryDeviceCmdCancelTask({ taskId: 1 as never }, null)],
      ['qdcctInDTO.taskId', () => sd.queryDeviceCmdCancelTask({ taskId: '' }, null)],
      ['qdcctInDTO.deviceId', () => sd.queryDeviceCmdCancelTask({ deviceId: '' }, null)],
      ['qdcctInDTO.status', () => sd.queryDeviceCmdCancelTask({ status: {} as never }, null)],
      ['qdcctInDTO.appId', () => sd.queryDeviceCmdCancelTask({ appId: 3 as never }, null)],
    ];
    for (const [field, call] of cases) await rejectsBadInput(sim, call, field);
  });
});
