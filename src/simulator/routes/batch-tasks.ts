/**
 * BatchProcess routes: create a batch task, read one task, read a task's per-device details.
 *
 * Only `taskType` `DeviceCmd` is supported (the only type the platform documents for this API; the other types some
 * documents list, DeviceReg, DeviceLocation, DeviceMod, DeviceDel and DeviceLicense, answer 400 / 100022). Its
 * `param.type` selects the devices of the task's application: DeviceList, DeviceType (narrowed by manufacturerId
 * and model when given), GroupList (group names), GroupIdList (group ids) or Broadcast; DeviceArea answers
 * 400 / 100022 (the simulator keeps no device positions). Repeated device ids count once. The task creates one
 * device command per device at once, through the command store, and its outcome is derived from those commands
 * (see batch-tasks.ts). Success statuses are not documented: creation answers 200 with `{"taskID": ...}`.
 */
import { BatchTaskErrors, taskDetails, taskView, type BatchTaskItem, type BatchTaskRecord } from '../batch-tasks.js';
import { createDeviceCommand, parseCommandSpec } from '../commands.js';
import { ApiError } from '../errors.js';
import { GroupErrors, groupMembers, groupMembersByName } from '../groups.js';
import { optionalIntegerParam, page, pagingParams, UNSIGNED_INTEGER } from '../query-params.js';
import { bodyApp, type BusinessContext, type RouteResult, type Router } from '../router.js';
import type { AppState } from '../state.js';
import { isNonEmptyString, isPlainObject, optionalString, randomHex } from '../util.js';

export const BATCH_TASKS_PATH = '/iocm/app/batchtask/v1.1.0/tasks';
export const TASK_DETAILS_PATH = '/iocm/app/batchtask/v1.1.0/taskDetails';

/** Default and largest page size of queryTaskDetails. */
const DEFAULT_PAGE_SIZE = 25;
const MAX_PAGE_SIZE = 250;
/** Paging of queryTaskDetails: pageNo and pageSize written as digits only (a minus sign is malformed, 400 / 100022). */
const PAGE_LIMITS = { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE, syntax: UNSIGNED_INTEGER };

const invalid = BatchTaskErrors.invalidInput;

/** A non-empty array of non-empty strings, without repeats. */
function stringList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every(isNonEmptyString)) throw invalid();
  return [...new Set(value as string[])];
}

/** Members of the groups listed, in order, without repeats; 200 / 100603 for an unknown group. */
function membersOf(groups: string[], members: (key: string) => string[] | undefined): string[] {
  const ids = new Set<string>();
  for (const key of groups) {
    const found = members(key);
    if (found === undefined) throw GroupErrors.groupNotExist();
    for (const id of found) ids.add(id);
  }
  return [...ids];
}

/** The device ids a DeviceCmd param addresses in `app`. */
function targetDevices(app: AppState, param: Record<string, unknown>): string[] {
  switch (param['type']) {
    case 'DeviceList':
      return stringList(param['deviceList']);
    case 'DeviceType': {
      const deviceType = param['deviceType'];
      if (!isNonEmptyString(deviceType)) throw invalid();
      const manufacturerId = optionalString(param, 'manufacturerId', invalid);
      const model = optionalString(param, 'model', invalid);
      return app.devices
        .list()
        .filter((d) => d.info['deviceType'] === deviceType)
        .filter((d) => !manufacturerId || d.info['manufacturerId'] === manufacturerId)
        .filter((d) => !model || d.info['model'] === model)
        .map((d) => d.deviceId);
    }
    case 'GroupList':
      return membersOf(stringList(param['groupList']), (name) => groupMembersByName(app, name));
    case 'GroupIdList':
      return membersOf(stringList(param['groupList']), (id) => groupMembers(app, id));
    case 'Broadcast':
      return app.devices.list().map((d) => d.deviceId);
    default:
      // DeviceArea (no device positions are kept) and unknown types.
      throw invalid();
  }
}

function createBatchTask(ctx: BusinessContext): RouteResult {
  const body = ctx.jsonObject();
  const appId = body['appId'];
  if (!isNonEmptyString(appId)) throw invalid();
  // The body's appId names the application the task runs for: the caller or one that authorised it.
  const app = bodyApp(ctx, appId);
  const { taskName, timeout, taskType, param, tags } = body;
  if (!isNonEmptyString(taskName) || taskName.length > 256) throw invalid();
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 10 || timeout > 2880) throw invalid();
  if (taskType !== 'DeviceCmd') throw invalid();
  if (!isPlainObject(param)) throw invalid();
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags) || !tags.every((t) => isPlainObject(t) && isNonEmptyString(t['tagName']) && typeof t['tagValue'] === 'string')) throw invalid();
  }
  // The command part is checked here so that a bad command fails the whole request.
  const template = parseCommandSpec(param);
  app.batchTasks.requireNewName(taskName);
  const deviceIds = targetDevices(app, param);

  const items: BatchTaskItem[] = deviceIds.map((deviceId, index) => {
    const item: BatchTaskItem = { index, deviceId };
    const device = app.devices.get(deviceId);
    if (device) item.nodeId = device.nodeId;
    try {
      item.commandId = createDeviceCommand(ctx.state, app, { ...template, deviceId }).commandId;
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      item.error = error.message;
    }
    return item;
  });
  const task: BatchTaskRecord = {
    taskId: randomHex(12),
    taskName,
    appId: app.appId,
    operator: ctx.caller.appId,
    taskType,
    timeout,
    createTime: Date.now(),
    param: structuredClone(param),
    ...(Array.isArray(tags) ? { tags: tags.map((t: Record<string, unknown>) => ({ tagName: String(t['tagName']), tagValue: String(t['tagValue']) })) } : {}),
    items,
  };
  app.batchTasks.add(task);
  return { status: 200, body: { taskID: task.taskId } };
}

function queryOneTask(ctx: BusinessContext): RouteResult {
  const app = ctx.target;
  const task = app.batchTasks.require(ctx.params['taskId']!);
  const view = taskView(task, app.commands);
  const select = (ctx.query['select'] ?? '').split(',').map((s) => s.trim());
  if (select.includes('tag')) view['tags'] = (task.tags ?? []).map((t) => ({ ...t }));
  return { status: 200, body: view };
}

function queryTaskDetails(ctx: BusinessContext): RouteResult {
  const taskId = ctx.query['taskId'];
  if (!isNonEmptyString(taskId)) throw invalid();
  const { pageNo, pageSize } = pagingParams(ctx.query, PAGE_LIMITS, invalid);
  const index = optionalIntegerParam(ctx.query, 'index', { min: 0, max: Number.MAX_SAFE_INTEGER, syntax: UNSIGNED_INTEGER }, invalid);
  const { status, nodeId, deviceId, commandId } = ctx.query;
  const app = ctx.target;
  const task = app.batchTasks.require(taskId);
  const matching = taskDetails(task, app.commands).filter(
    (d) =>
      (status === undefined || d.status === status) &&
      (index === undefined || d.param['index'] === index) &&
      (nodeId === undefined || d.param['nodeId'] === nodeId) &&
      (deviceId === undefined || d.param['deviceId'] === deviceId) &&
      (commandId === undefined || d.param['commandId'] === commandId),
  );
  return { status: 200, body: { totalCount: matching.length, pageNo, pageSize, taskDetails: page(matching, pageNo, pageSize) } };
}

export function registerBatchTaskRoutes(router: Router): void {
  router.business('POST', BATCH_TASKS_PATH, createBatchTask);
  router.business('GET', `${BATCH_TASKS_PATH}/{taskId}`, queryOneTask);
  router.business('GET', TASK_DETAILS_PATH, queryTaskDetails);
}
