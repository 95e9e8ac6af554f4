/**
 * SignalDelivery and DeviceServiceInvocation routes: device commands, cancel tasks, sendCommand.
 *
 * Lists are newest first. Paging: `pageNo` from 0 (default 0), `pageSize` 1..1000 (default 1000), answered as
 * `pagination {pageNo, pageSize, totalSize}` + `data`. Malformed query or body values give 400 / 100022.
 */
import { randomUUID } from 'node:crypto';
import {
  CANCEL_TASK_STATUS,
  cancelCommand,
  CommandErrors,
  commandView,
  createDeviceCommand,
  parseNewCommand,
  type CancelTaskRecord,
  type CommandRecord,
} from '../commands.js';
import { inTimeRange, newestFirst, page, pagingParams, timeParam } from '../query-params.js';
import type { BusinessContext, RouteResult, Router } from '../router.js';
import { isNonEmptyString, isPlainObject, platformTime, randomHex } from '../util.js';

export const DEVICE_COMMANDS_PATH = '/iocm/app/cmd/v1.4.0/deviceCommands';
export const CANCEL_TASKS_PATH = '/iocm/app/cmd/v1.4.0/deviceCommandCancelTasks';
export const SEND_COMMAND_PATH = '/iocm/app/signaltrans/v1.1.0/devices/{deviceId}/services/{serviceId}/sendCommand';

/** Status answered by sendCommand: the command went to the (online) device at once. */
const INVOCATION_STATUS = 'SENT';

/** Page sizes of the command lists. */
const PAGE_LIMITS = { defaultSize: 1000, maxSize: 1000 };

function postDeviceCommand(ctx: BusinessContext): RouteResult {
  const record = createDeviceCommand(ctx.state, ctx.target, parseNewCommand(ctx.jsonObject()));
  return { status: 201, body: commandView(record) };
}

function queryDeviceCommands(ctx: BusinessContext): RouteResult {
  const { pageNo, pageSize } = pagingParams(ctx.query, PAGE_LIMITS, CommandErrors.invalidInput);
  const start = timeParam(ctx.query, 'startTime', CommandErrors.invalidInput);
  const end = timeParam(ctx.query, 'endTime', CommandErrors.invalidInput);
  const deviceId = ctx.query['deviceId'] || undefined;
  const matching = ctx.target.commands
    .list()
    .filter((c: CommandRecord) => (deviceId === undefined || c.deviceId === deviceId) && inTimeRange(c.creationTime, start, end));
  const data = page(newestFirst(matching, (c) => c.creationTime), pageNo, pageSize).map(commandView);
  return { status: 200, body: { pagination: { pageNo, pageSize, totalSize: matching.length }, data } };
}

function updateDeviceCommand(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  if (body['status'] !== 'CANCELED' || Object.keys(body).some((key) => key !== 'status')) throw CommandErrors.invalidInput();
  const record = ctx.target.commands.get(ctx.params['deviceCommandId']!);
  if (!record) throw CommandErrors.commandNotExist();
  cancelCommand(ctx.state, record);
  return { status: 200, body: commandView(record) };
}

function cancelTaskView(app: BusinessContext['target'], task: CancelTaskRecord): Record<string, unknown> {
  const deviceCommands = task.commandIds
    .map((id) => app.commands.get(id))
    .filter((c): c is CommandRecord => c !== undefined)
    .map(commandView);
  return {
    taskId: task.taskId,
    appId: task.appId,
    deviceId: task.deviceId,
    status: CANCEL_TASK_STATUS,
    totalCount: task.commandIds.length,
    deviceCommands,
  };
}

function createCancelTask(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const deviceId = body['deviceId'];
  if (!isNonEmptyString(deviceId)) throw CommandErrors.invalidInput();
  const device = ctx.target.devices.get(deviceId);
  if (!device) throw CommandErrors.deviceNotExist();
  const pending = ctx.target.commands.pendingOf(device.deviceId);
  for (const record of pending) cancelCommand(ctx.state, record);
  const task: CancelTaskRecord = {
    taskId: randomUUID().replace(/-/g, ''),
    appId: ctx.target.appId,
    deviceId: device.deviceId,
    startTime: Date.now(),
    commandIds: pending.map((c) => c.commandId),
  };
  ctx.target.commands.addCancelTask(task);
  return { status: 201, body: cancelTaskView(ctx.target, task) };
}

function queryCancelTasks(ctx: BusinessContext): RouteResult {
  const { pageNo, pageSize } = pagingParams(ctx.query, PAGE_LIMITS, CommandErrors.invalidInput);
  const start = timeParam(ctx.query, 'startTime', CommandErrors.invalidInput);
  const end = timeParam(ctx.query, 'endTime', CommandErrors.invalidInput);
  const { taskId, deviceId, status } = ctx.query;
  const matching = ctx.target.commands
    .cancelTaskList()
    .filter(
      (t) =>
        (!taskId || t.taskId === taskId) &&
        (!deviceId || t.deviceId === deviceId) &&
        (!status || status === CANCEL_TASK_STATUS) &&
        inTimeRange(t.startTime, start, end),
    );
  const data = page(newestFirst(matching, (t) => t.startTime), pageNo, pageSize).map((t) => cancelTaskView(ctx.target, t));
  return { status: 200, body: { pagination: { pageNo, pageSize, totalSize: matching.length }, data } };
}

function isMuted(info: Record<string, unknown>): boolean {
  const mute = info['mute'];
  return mute === true || (typeof mute === 'string' && mute.toUpperCase() === 'TRUE');
}

function sendCommand(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const header = body['header'];
  if (!isPlainObject(header)) throw CommandErrors.invalidInput();
  const { mode, method, requestId } = header;
  if (mode !== 'ACK' && mode !== 'NOACK') throw CommandErrors.invalidInput();
  if (!isNonEmptyString(method)) throw CommandErrors.invalidInput();
  for (const key of ['from', 'to', 'toType', 'requestId', 'callbackURL']) {
    const value = header[key];
    if (value !== undefined && value !== null && typeof value !== 'string') throw CommandErrors.invalidInput();
  }
  const commandBody = body['body'];
  if (commandBody !== undefined && commandBody !== null && !isPlainObject(commandBody)) throw CommandErrors.invalidInput();
  const device = ctx.target.devices.get(ctx.params['deviceId']!);
  if (!device) throw CommandErrors.deviceNotExist();
  // sendCommand is never cached: the device must be connected.
  if (device.status !== 'ONLINE') throw CommandErrors.deviceNotOnline();
  if (isMuted(device.info)) throw CommandErrors.commandMuted();
  const now = Date.now();
  const id = isNonEmptyString(requestId) ? requestId : randomHex(16);
  ctx.target.commands.addInvocation({
    requestId: id,
    appId: ctx.target.appId,
    deviceId: device.deviceId,
    serviceId: ctx.params['serviceId']!,
    header: structuredClone(header),
    ...(isPlainObject(commandBody) ? { body: structuredClone(commandBody) } : {}),
    status: INVOCATION_STATUS,
    timeStamp: now,
  });
  // 202: accepted and passed on to the device (the platform's success status here is not documented).
  return { status: 202, body: { requestId: id, status: INVOCATION_STATUS, timeStamp: platformTime(now) } };
}

export function registerCommandRoutes(router: Router): void {
  router.business('POST', DEVICE_COMMANDS_PATH, postDeviceCommand);
  router.business('GET', DEVICE_COMMANDS_PATH, queryDeviceCommands);
  router.business('PUT', `${DEVICE_COMMANDS_PATH}/{deviceCommandId}`, updateDeviceCommand);
  router.business('POST', CANCEL_TASKS_PATH, createCancelTask);
  router.business('GET', CANCEL_TASKS_PATH, queryCancelTasks);
  router.business('POST', SEND_COMMAND_PATH, sendCommand);
}
