/**
 * DeviceUpgrade routes: packages (`category`) and software / firmware upgrade tasks (`operations`).
 *
 * Errors follow the upgrade API's table: 400 / 120015 for a malformed request, 400 / 123029 for a pageNo or
 * pageSize out of range, 404 / 123002 for an unknown package or device, 404 / 123009 for an unknown task.
 */
import type { DeviceRecord } from '../devices.js';
import { groupMembers } from '../groups.js';
import { page, pagingParams } from '../query-params.js';
import type { BusinessContext, RouteResult, Router } from '../router.js';
import {
  advanceTask,
  createUpgradeTask,
  FILE_TYPES,
  OPERATION_STATUSES,
  SUB_OPERATION_STATUSES,
  subOperationView,
  taskStatus,
  taskView,
  UpgradeErrors,
  type OperateType,
  type UpgradePackageRecord,
  type UpgradePolicy,
  type UpgradeTaskRecord,
} from '../upgrades.js';
import { isNonEmptyString, isPlainObject, optionalString, platformTime, withoutUndefined } from '../util.js';

export const UPGRADE_BASE = '/iodm/northbound/v1.5.0';

/** Most devices, and most device groups, one task may name. */
const MAX_TARGETS = 256;
const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 100;
/** Documented: `now` (default). `device_online` and `custom` are the other values seen; the list is not confirmed. */
const EXECUTE_TYPES = ['now', 'device_online', 'custom'];
const PLATFORM_TIME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** The task list's operationType: the documented `software_upgrade` / `firmware_upgrade`, or the task's own operateType. */
const OPERATION_TYPES: Record<string, OperateType> = {
  software_upgrade: 'softwareUpgrade',
  firmware_upgrade: 'firmwareUpgrade',
  softwareUpgrade: 'softwareUpgrade',
  firmwareUpgrade: 'firmwareUpgrade',
};

// ---- query parameters ---------------------------------------------------------------------------------------------

/** A query parameter; an empty value counts as absent. */
function param(ctx: BusinessContext, name: string): string | undefined {
  const value = ctx.query[name];
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Paging of the upgrade lists: pageNo (from 0, default 0) and pageSize (1 to 100, default 10), each written as
 * at most nine digits; anything else is 400 / 123029.
 */
function pageOf(ctx: BusinessContext): { pageNo: number; pageSize: number } {
  return pagingParams(ctx.query, { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE, syntax: /^\d{1,9}$/ }, UpgradeErrors.pageOutOfRange);
}

/** A query parameter that must be one of `allowed` (400 / 120015 otherwise). */
function enumParam<T extends string>(ctx: BusinessContext, name: string, allowed: readonly T[]): T | undefined {
  const value = param(ctx, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw UpgradeErrors.badRequest();
  return value as T;
}

// ---- packages ---------------------------------------------------------------------------------------------------

function packageView(pkg: UpgradePackageRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    fileId: pkg.fileId,
    name: pkg.name,
    version: pkg.version,
    fileType: pkg.fileType,
    deviceType: pkg.deviceType,
    model: pkg.model,
    manufacturerName: pkg.manufacturerName,
    protocolType: pkg.protocolType,
    description: pkg.description,
    date: pkg.date,
    uploadTime: platformTime(pkg.uploadTime),
  };
  return withoutUndefined(view);
}

function listPackages(ctx: BusinessContext): RouteResult {
  const fileType = enumParam(ctx, 'fileType', FILE_TYPES);
  const filters = (['deviceType', 'model', 'manufacturerName', 'version'] as const).map((key) => [key, param(ctx, key)] as const);
  const { pageNo, pageSize } = pageOf(ctx);
  const matching = ctx.target.upgrades
    .packageList()
    .filter((pkg) => (fileType === undefined || pkg.fileType === fileType) && filters.every(([key, value]) => value === undefined || pkg[key] === value));
  return { status: 200, body: { data: page(matching, pageNo, pageSize).map(packageView), pageNo, pageSize, totalCount: matching.length } };
}

function getPackage(ctx: BusinessContext): RouteResult {
  return { status: 200, body: packageView(ctx.target.upgrades.requirePackage(ctx.params['fileId']!)) };
}

function deletePackage(ctx: BusinessContext): RouteResult {
  const { fileId } = ctx.target.upgrades.requirePackage(ctx.params['fileId']!);
  ctx.target.upgrades.deletePackage(fileId);
  return { status: 204 };
}

// ---- task creation ------------------------------------------------------------------------------------------------

/** An optional string field of the request (400 / 120015 when not a string). */
function optionalText(body: Record<string, unknown>, key: string): string | undefined {
  return optionalString(body, key, UpgradeErrors.badRequest);
}

/** A list of at most 256 non-empty ids, duplicates dropped. */
function idList(body: Record<string, unknown>, key: string): string[] | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.length > MAX_TARGETS || !value.every(isNonEmptyString)) throw UpgradeErrors.badRequest();
  return [...new Set(value)];
}

function parseTime(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const match = PLATFORM_TIME.exec(text);
  if (!match) throw UpgradeErrors.badRequest();
  const [, y, mo, d, h, mi, s] = match.map(Number) as [number, number, number, number, number, number, number];
  const ms = Date.UTC(y, mo - 1, d, h, mi, s);
  if (platformTime(ms) !== text) throw UpgradeErrors.badRequest();
  return ms;
}

function parsePolicy(value: unknown): { policy: UpgradePolicy; window?: { start: number; end: number } } {
  if (value !== undefined && value !== null && !isPlainObject(value)) throw UpgradeErrors.badRequest();
  const body = (value ?? {}) as Record<string, unknown>;
  const executeType = optionalText(body, 'executeType') ?? 'now';
  if (!EXECUTE_TYPES.includes(executeType)) throw UpgradeErrors.badRequest();
  const startTime = optionalText(body, 'startTime');
  const endTime = optionalText(body, 'endTime');
  const start = parseTime(startTime);
  const end = parseTime(endTime);
  const retryType = body['retryType'] ?? false;
  if (typeof retryType !== 'boolean') throw UpgradeErrors.badRequest();
  const retryTimes = body['retryTimes'] ?? undefined;
  if (retryTimes !== undefined && (typeof retryTimes !== 'number' || !Number.isInteger(retryTimes) || retryTimes < 1 || retryTimes > 5)) {
    throw UpgradeErrors.badRequest();
  }
  const policy: UpgradePolicy = {
    executeType,
    ...(startTime === undefined ? {} : { startTime }),
    ...(endTime === undefined ? {} : { endTime }),
    retryType,
    ...(retryTimes === undefined ? {} : { retryTimes: retryTimes as number }),
  };
  if (executeType !== 'custom') return { policy };
  // A custom execution needs its window: the devices upgrade only between startTime and endTime.
  if (start === undefined || end === undefined || end <= start) throw UpgradeErrors.badRequest();
  return { policy, window: { start, end } };
}

/**
 * The devices a task upgrades: the listed devices and the members of the listed groups; when neither is given,
 * every device of the app with the given deviceType, model and manufacturerName. Unknown devices or groups, or no
 * device at all, give 404 / 123002.
 */
function targetDevices(ctx: BusinessContext, targets: UpgradeTaskRecord['targets']): DeviceRecord[] {
  const { devices: store } = ctx.target;
  if (targets.devices === undefined && targets.deviceGroups === undefined) {
    const keys = (['deviceType', 'model', 'manufacturerName'] as const).filter((key) => targets[key] !== undefined);
    if (keys.length === 0) throw UpgradeErrors.badRequest();
    const matching = store.list().filter((device) => keys.every((key) => device.info[key] === targets[key]));
    if (matching.length === 0) throw UpgradeErrors.notFound();
    return matching;
  }
  const ids = new Set(targets.devices ?? []);
  for (const groupId of targets.deviceGroups ?? []) {
    for (const member of groupMemberIds(ctx, groupId)) ids.add(member);
  }
  const devices = [...ids].map((id) => store.get(id));
  if (devices.length === 0 || devices.some((device) => device === undefined)) throw UpgradeErrors.notFound();
  return devices as DeviceRecord[];
}

/** Device ids of one of the app's device groups (404 / 123002 when there is no such group). */
function groupMemberIds(ctx: BusinessContext, groupId: string): string[] {
  const members = groupMembers(ctx.target, groupId);
  if (members === undefined) throw UpgradeErrors.notFound();
  return members;
}

function createTask(ctx: BusinessContext, operateType: OperateType): RouteResult {
  const body = ctx.jsonObject();
  const fileId = body['fileId'];
  const rawTargets = body['targets'];
  if (!isNonEmptyString(fileId) || !isPlainObject(rawTargets)) throw UpgradeErrors.badRequest();
  const targets: UpgradeTaskRecord['targets'] = {};
  const deviceGroups = idList(rawTargets, 'deviceGroups');
  if (deviceGroups !== undefined) targets.deviceGroups = deviceGroups;
  for (const key of ['deviceType', 'model', 'manufacturerName'] as const) {
    const value = optionalText(rawTargets, key);
    if (value !== undefined) targets[key] = value;
  }
  const devices = idList(rawTargets, 'devices');
  if (devices !== undefined) targets.devices = devices;
  const { policy, window } = parsePolicy(body['policy']);
  const pkg = ctx.target.upgrades.requirePackage(fileId);
  // The package exists but is of the other kind: the request, not the package, is wrong, so 400 rather than 404.
  const expected = operateType === 'softwareUpgrade' ? 'softwarePackage' : 'firmwarePackage';
  if (pkg.fileType !== expected) throw UpgradeErrors.badRequest();
  const task = createUpgradeTask(ctx.state, ctx.target, { operateType, targets, policy, window, pkg, devices: targetDevices(ctx, targets) });
  return { status: 200, body: { operationId: task.operationId } };
}

// ---- task queries -------------------------------------------------------------------------------------------------

function requireTask(ctx: BusinessContext): UpgradeTaskRecord {
  const task = ctx.target.upgrades.requireTask(ctx.params['operationId']!);
  advanceTask(ctx.state, ctx.target, task);
  return task;
}

function getTask(ctx: BusinessContext): RouteResult {
  return { status: 200, body: taskView(requireTask(ctx)) };
}

function listSubOperations(ctx: BusinessContext): RouteResult {
  const task = requireTask(ctx);
  const status = enumParam(ctx, 'subOperationStatus', SUB_OPERATION_STATUSES);
  const { pageNo, pageSize } = pageOf(ctx);
  const matching = task.subOperations.filter((sub) => status === undefined || sub.status === status);
  return {
    status: 200,
    body: { pageNo, pageSize, totalCount: matching.length, data: page(matching, pageNo, pageSize).map((sub) => subOperationView(task, sub)) },
  };
}

function listTasks(ctx: BusinessContext): RouteResult {
  const typeText = param(ctx, 'operationType');
  if (typeText !== undefined && !Object.hasOwn(OPERATION_TYPES, typeText)) throw UpgradeErrors.badRequest();
  const operateType = typeText === undefined ? undefined : OPERATION_TYPES[typeText];
  const status = enumParam(ctx, 'operationStatus', OPERATION_STATUSES);
  // A task is "for" the device type, model and manufacturer its targets name, else those of its package.
  const filters = (['deviceType', 'model', 'manufacturerName'] as const).map((key) => [key, param(ctx, key)] as const);
  const deviceId = param(ctx, 'deviceId');
  const { pageNo, pageSize } = pageOf(ctx);
  const now = Date.now();
  const matching = ctx.target.upgrades.taskList().filter((task) => {
    advanceTask(ctx.state, ctx.target, task, now);
    return (
      (operateType === undefined || task.operateType === operateType) &&
      (status === undefined || taskStatus(task) === status) &&
      filters.every(([key, value]) => value === undefined || (task.targets[key] ?? task.packageDevice[key]) === value) &&
      (deviceId === undefined || task.subOperations.some((sub) => sub.deviceId === deviceId))
    );
  });
  return {
    status: 200,
    body: { pageNo, pageSize, totalSize: matching.length, data: page(matching, pageNo, pageSize).map((task) => taskView(task, now)) },
  };
}

export function registerUpgradeRoutes(router: Router): void {
  const base = UPGRADE_BASE;
  router.business('GET', `${base}/category`, listPackages);
  router.business('GET', `${base}/category/{fileId}`, getPackage);
  router.business('DELETE', `${base}/category/{fileId}`, deletePackage);
  router.business('POST', `${base}/operations/softwareUpgrade`, (ctx) => createTask(ctx, 'softwareUpgrade'));
  router.business('POST', `${base}/operations/firmwareUpgrade`, (ctx) => createTask(ctx, 'firmwareUpgrade'));
  router.business('GET', `${base}/operations`, listTasks);
  router.business('GET', `${base}/operations/{operationId}`, getTask);
  router.business('GET', `${base}/operations/{operationId}/subOperations`, listSubOperations);
}
