/**
 * Upgrade packages and upgrade tasks of one application, and how the tasks progress.
 *
 * Packages reach the platform through its portal, not the northbound API; here they are added with
 * {@link addUpgradePackage} (Simulator.addUpgradePackage, or the admin API). A task holds one sub-operation per
 * target device. Progress is driven by the devices: a waiting sub-operation starts (`processing`) once its device is
 * online (and, for a `custom` policy, the execution window has opened); it ends when the device reports its result
 * ({@link finishUpgrade}), as `timeout` when a custom window closes first, or as `fail` when the device is deleted.
 * This is evaluated when a device comes online ({@link startWaitingUpgrades}, like its pending commands being
 * issued), when a device is deleted ({@link failUpgradesOfDeletedDevice}) and lazily whenever a task is read
 * ({@link advanceTask}), for what the clock alone changes. No timer is involved.
 */
import { randomUUID } from 'node:crypto';
import { touch, type DeviceRecord } from './devices.js';
import { Errors, platformError } from './errors.js';
import type { AppState, SimulatorState } from './state.js';
import type { UpgradePackageInput } from './types.js';
import { isNonEmptyString, isPlainObject, platformTime, randomHex, withoutUndefined } from './util.js';

export type UpgradeFileType = 'softwarePackage' | 'firmwarePackage';
export type OperateType = 'softwareUpgrade' | 'firmwareUpgrade';
/** State of one device's upgrade. */
export type SubOperationStatus = 'wait' | 'processing' | 'success' | 'fail' | 'stop' | 'timeout';
/** State of a whole task, derived from its sub-operations. */
export type OperationStatus = 'wait' | 'processing' | 'success' | 'failed' | 'stop';

export const FILE_TYPES: readonly UpgradeFileType[] = ['softwarePackage', 'firmwarePackage'];
export const SUB_OPERATION_STATUSES: readonly SubOperationStatus[] = ['wait', 'processing', 'success', 'fail', 'stop', 'timeout'];
export const OPERATION_STATUSES: readonly OperationStatus[] = ['wait', 'processing', 'success', 'failed', 'stop'];

/** The upgrade API's documented errors. */
export const UpgradeErrors = {
  badRequest: () => platformError(400, '120015', 'Bad request error.'),
  notFound: () => platformError(404, '123002', 'Device or package file not found.'),
  taskNotFound: Errors.taskNotFound,
  pageOutOfRange: () => platformError(400, '123029', 'pageNo or pageSize beyond the limit.'),
} as const;

export interface UpgradePackageRecord extends Omit<UpgradePackageInput, 'appId'> {
  fileId: string;
  appId: string;
  uploadTime: number;
}

export interface SubOperationRecord {
  subOperationId: string;
  deviceId: string;
  createTime: number;
  startTime?: number;
  stopTime?: number;
  status: SubOperationStatus;
  /** The device's version of the upgraded kind when the task was created. */
  sourceVersion?: string;
  /** Failed attempts that were retried. */
  retries: number;
  detailInfo: string;
}

export interface UpgradePolicy {
  executeType: string;
  startTime?: string;
  endTime?: string;
  retryType: boolean;
  retryTimes?: number;
}

export interface UpgradeTaskRecord {
  operationId: string;
  appId: string;
  operateType: OperateType;
  fileId: string;
  /** Version of the package: what a device reports after a successful upgrade. */
  targetVersion: string;
  /** The package's device type, model and manufacturer, kept for the task list filters. */
  packageDevice: { deviceType: string; model: string; manufacturerName: string };
  /** The targets as the request named them. */
  targets: { deviceGroups?: string[]; deviceType?: string; model?: string; manufacturerName?: string; devices?: string[] };
  policy: UpgradePolicy;
  /** Execution window of a `custom` policy (epoch ms). */
  window?: { start: number; end: number };
  createTime: number;
  subOperations: SubOperationRecord[];
}

/**
 * A device upgrade changed state: the platform's management-data pushes (`swUpgradeStateChangeNotify`,
 * `swUpgradeResultNotify`, `fwUpgradeStateChangeNotify`, `fwUpgradeResultNotify`). Announced on
 * `SimulatorState.changes` like device changes.
 */
export interface UpgradeChange {
  type: 'swUpgradeStateChangeNotify' | 'swUpgradeResultNotify' | 'fwUpgradeStateChangeNotify' | 'fwUpgradeResultNotify';
  appId: string;
  deviceId: string;
  operationId: string;
  subOperationId: string;
  /** The sub-operation's status after the change (a result notification carries success, fail or timeout). */
  status: SubOperationStatus;
  sourceVersion?: string;
  targetVersion: string;
  /** Platform time of the change. */
  time: string;
}

/** Packages and tasks of one application. */
export class UpgradeStore {
  private readonly packages = new Map<string, UpgradePackageRecord>();
  private readonly tasks = new Map<string, UpgradeTaskRecord>();

  constructor(readonly appId: string) {}

  addPackage(record: Omit<UpgradePackageRecord, 'fileId' | 'appId' | 'uploadTime'>): UpgradePackageRecord {
    const pkg: UpgradePackageRecord = { ...record, fileId: randomHex(16), appId: this.appId, uploadTime: Date.now() };
    this.packages.set(pkg.fileId, pkg);
    return pkg;
  }

  /** The package, or 404 / 123002. */
  requirePackage(fileId: string): UpgradePackageRecord {
    const pkg = this.packages.get(fileId);
    if (!pkg) throw UpgradeErrors.notFound();
    return pkg;
  }

  deletePackage(fileId: string): boolean {
    return this.packages.delete(fileId);
  }

  /** Packages in upload order. */
  packageList(): UpgradePackageRecord[] {
    return [...this.packages.values()];
  }

  addTask(task: UpgradeTaskRecord): void {
    this.tasks.set(task.operationId, task);
  }

  getTask(operationId: string): UpgradeTaskRecord | undefined {
    return this.tasks.get(operationId);
  }

  /** The task, or 404 / 123009. */
  requireTask(operationId: string): UpgradeTaskRecord {
    const task = this.tasks.get(operationId);
    if (!task) throw UpgradeErrors.taskNotFound();
    return task;
  }

  /** Tasks in creation order. */
  taskList(): UpgradeTaskRecord[] {
    return [...this.tasks.values()];
  }
}

// ---- progress ---------------------------------------------------------------------------------------------------

function versionField(operateType: OperateType): 'swVersion' | 'fwVersion' {
  return operateType === 'softwareUpgrade' ? 'swVersion' : 'fwVersion';
}

function announce(state: SimulatorState, task: UpgradeTaskRecord, sub: SubOperationRecord, kind: 'state' | 'result', now: number): void {
  const sw = task.operateType === 'softwareUpgrade';
  const type = kind === 'state'
    ? (sw ? 'swUpgradeStateChangeNotify' : 'fwUpgradeStateChangeNotify')
    : (sw ? 'swUpgradeResultNotify' : 'fwUpgradeResultNotify');
  state.emitChange({
    type,
    appId: task.appId,
    deviceId: sub.deviceId,
    operationId: task.operationId,
    subOperationId: sub.subOperationId,
    status: sub.status,
    ...(sub.sourceVersion === undefined ? {} : { sourceVersion: sub.sourceVersion }),
    targetVersion: task.targetVersion,
    time: platformTime(now),
  });
}

function end(state: SimulatorState, task: UpgradeTaskRecord, sub: SubOperationRecord, status: SubOperationStatus, detail: string, at: number, now: number): void {
  sub.status = status;
  sub.stopTime = at;
  sub.detailInfo = detail;
  announce(state, task, sub, 'result', now);
}

const DEVICE_GONE = 'The device does not exist any more.';
const WINDOW_CLOSED = 'The execution window closed before the device upgraded.';

/**
 * Brings one sub-operation up to date with its device and the clock: a waiting one starts when its device is online
 * (inside the execution window) or times out when a custom window has closed; an open one fails when its device was
 * deleted.
 */
function advanceSubOperation(state: SimulatorState, app: AppState, task: UpgradeTaskRecord, sub: SubOperationRecord, now: number): void {
  if (sub.status !== 'wait' && sub.status !== 'processing') return;
  const device = app.devices.get(sub.deviceId);
  if (!device) {
    end(state, task, sub, 'fail', DEVICE_GONE, now, now);
    return;
  }
  if (sub.status !== 'wait') return;
  if (task.window && now >= task.window.end) {
    end(state, task, sub, 'timeout', WINDOW_CLOSED, task.window.end, now);
  } else if ((!task.window || now >= task.window.start) && device.status === 'ONLINE') {
    sub.status = 'processing';
    sub.startTime = now;
    sub.detailInfo = 'The device is upgrading.';
    announce(state, task, sub, 'state', now);
  }
}

/**
 * Brings the task's sub-operations up to date with the devices and the clock (see `advanceSubOperation`). Called
 * before every read of the task.
 */
export function advanceTask(state: SimulatorState, app: AppState, task: UpgradeTaskRecord, now = Date.now()): void {
  for (const sub of task.subOperations) advanceSubOperation(state, app, task, sub, now);
}

/**
 * The device came online: its waiting upgrades start now (those whose execution window is open), as its pending
 * commands are issued. A device that connects and disconnects again before anyone reads the task has started.
 */
export function startWaitingUpgrades(state: SimulatorState, app: AppState, device: DeviceRecord, now = Date.now()): void {
  if (device.status !== 'ONLINE') return;
  for (const task of app.upgrades.taskList()) {
    for (const sub of task.subOperations) {
      if (sub.deviceId === device.deviceId && sub.status === 'wait') advanceSubOperation(state, app, task, sub, now);
    }
  }
}

/**
 * The device is being deleted: its running upgrades and its waiting ones fail as of `at`, except a waiting one whose
 * custom window had already closed, which timed out then.
 */
export function failUpgradesOfDeletedDevice(state: SimulatorState, app: AppState, deviceId: string, at = Date.now()): void {
  const now = Date.now();
  for (const task of app.upgrades.taskList()) {
    for (const sub of task.subOperations) {
      if (sub.deviceId !== deviceId || (sub.status !== 'wait' && sub.status !== 'processing')) continue;
      if (sub.status === 'wait' && task.window && at >= task.window.end) {
        end(state, task, sub, 'timeout', WINDOW_CLOSED, task.window.end, now);
      } else {
        end(state, task, sub, 'fail', DEVICE_GONE, at, now);
      }
    }
  }
}

/** Number of sub-operations in each state. */
export function staResult(task: UpgradeTaskRecord): Record<'total' | SubOperationStatus, number> {
  const counts = { total: task.subOperations.length, wait: 0, processing: 0, success: 0, fail: 0, stop: 0, timeout: 0 };
  for (const sub of task.subOperations) counts[sub.status] += 1;
  return counts;
}

/**
 * The task's status: `wait` while no device has started, `processing` while any device upgrade is still open,
 * then `failed` when any failed or timed out, `success` when any succeeded, else `stop`.
 */
export function taskStatus(task: UpgradeTaskRecord): OperationStatus {
  const counts = staResult(task);
  if (counts.wait === counts.total) return 'wait';
  if (counts.wait + counts.processing > 0) return 'processing';
  if (counts.fail + counts.timeout > 0) return 'failed';
  if (counts.success > 0) return 'success';
  return 'stop';
}

function optionalTime(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : platformTime(ms);
}

/** The task as the query answers show it (OperationInfo). */
export function taskView(task: UpgradeTaskRecord, now = Date.now()): Record<string, unknown> {
  const status = taskStatus(task);
  const started = task.window ? (now >= task.window.start ? task.window.start : undefined) : task.createTime;
  const finished = status === 'wait' || status === 'processing'
    ? undefined
    : Math.max(...task.subOperations.map((sub) => sub.stopTime ?? task.createTime));
  const view: Record<string, unknown> = {
    operationId: task.operationId,
    createTime: platformTime(task.createTime),
    startTime: optionalTime(started),
    stopTime: optionalTime(finished),
    operateType: task.operateType,
    targets: { ...task.targets },
    policy: { ...task.policy },
    status,
    staResult: staResult(task),
    // The content of extendPara is not documented; the simulator names the package installed.
    extendPara: { fileId: task.fileId, fileVersion: task.targetVersion },
  };
  return withoutUndefined(view);
}

/** One sub-operation as the sub-task query shows it (SubOperationInfo). */
export function subOperationView(task: UpgradeTaskRecord, sub: SubOperationRecord): Record<string, unknown> {
  const view: Record<string, unknown> = {
    subOperationId: sub.subOperationId,
    createTime: platformTime(sub.createTime),
    startTime: optionalTime(sub.startTime),
    stopTime: optionalTime(sub.stopTime),
    operateType: task.operateType,
    deviceId: sub.deviceId,
    status: sub.status,
    detailInfo: sub.detailInfo,
    extendInfo: {
      ...(sub.sourceVersion === undefined ? {} : { sourceVersion: sub.sourceVersion }),
      targetVersion: task.targetVersion,
      ...(sub.retries > 0 ? { retries: sub.retries } : {}),
    },
  };
  return withoutUndefined(view);
}

/** Creates a task with one waiting sub-operation per device, then lets online devices start at once. */
export function createUpgradeTask(
  state: SimulatorState,
  app: AppState,
  spec: Pick<UpgradeTaskRecord, 'operateType' | 'targets' | 'policy' | 'window'> & { pkg: UpgradePackageRecord; devices: DeviceRecord[] },
): UpgradeTaskRecord {
  const now = Date.now();
  const field = versionField(spec.operateType);
  const task: UpgradeTaskRecord = {
    operationId: randomUUID(),
    appId: app.appId,
    operateType: spec.operateType,
    fileId: spec.pkg.fileId,
    targetVersion: spec.pkg.version,
    packageDevice: { deviceType: spec.pkg.deviceType, model: spec.pkg.model, manufacturerName: spec.pkg.manufacturerName },
    targets: spec.targets,
    policy: spec.policy,
    window: spec.window,
    createTime: now,
    subOperations: spec.devices.map((device) => {
      const current = device.info[field];
      return {
        subOperationId: randomUUID(),
        deviceId: device.deviceId,
        createTime: now,
        status: 'wait' as const,
        sourceVersion: typeof current === 'string' ? current : undefined,
        retries: 0,
        detailInfo: 'Waiting for the device to come online.',
      };
    }),
  };
  app.upgrades.addTask(task);
  advanceTask(state, app, task, now);
  return task;
}

// ---- device side and portal -------------------------------------------------------------------------------------

const PACKAGE_TEXT_FIELDS = ['name', 'version', 'deviceType', 'model', 'manufacturerName'] as const;
const PACKAGE_OPTIONAL_FIELDS = ['protocolType', 'description', 'date'] as const;

/**
 * Portal side: uploads a package for an application (the first one unless `appId` is given) and returns its fileId.
 * Bad input throws TypeError.
 */
export function addUpgradePackage(state: SimulatorState, input: UpgradePackageInput): string {
  if (!isPlainObject(input)) throw new TypeError('the package must be an object');
  const { fileType } = input;
  if (!FILE_TYPES.includes(fileType)) throw new TypeError("fileType must be 'softwarePackage' or 'firmwarePackage'");
  for (const key of PACKAGE_TEXT_FIELDS) {
    if (!isNonEmptyString(input[key])) throw new TypeError(`${key} must be a non-empty string`);
  }
  const optional: Partial<Record<(typeof PACKAGE_OPTIONAL_FIELDS)[number], string>> = {};
  for (const key of PACKAGE_OPTIONAL_FIELDS) {
    const value = input[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new TypeError(`${key} must be a string`);
    optional[key] = value;
  }
  let app: AppState | undefined;
  if (input.appId === undefined || input.appId === null) app = state.apps.values().next().value;
  else if (typeof input.appId === 'string') app = state.app(input.appId);
  if (!app) throw new TypeError(`unknown appId: ${String(input.appId)}`);
  const pkg = app.upgrades.addPackage({
    fileType,
    name: input.name,
    version: input.version,
    deviceType: input.deviceType,
    model: input.model,
    manufacturerName: input.manufacturerName,
    ...optional,
  });
  return pkg.fileId;
}

/** The upgrade task with this operationId, in whichever application it belongs to. */
export function findUpgradeTask(state: SimulatorState, operationId: string): { app: AppState; task: UpgradeTaskRecord } | undefined {
  for (const app of state.apps.values()) {
    const task = app.upgrades.getTask(operationId);
    if (task) return { app, task };
  }
  return undefined;
}

/**
 * Device side: the device reports the end of its upgrade in a task. Success sets the device's swVersion (software
 * task) or fwVersion (firmware task) to the package version. A failure is retried when the task's policy asks for
 * it (the sub-operation starts again), otherwise it ends the device's upgrade. Throws TypeError when the task is
 * unknown, the device is not one of its targets, or its upgrade is not under way.
 */
export function finishUpgrade(state: SimulatorState, deviceId: string, operationId: string, result: 'success' | 'fail'): void {
  if (result !== 'success' && result !== 'fail') throw new TypeError("result must be 'success' or 'fail'");
  const found = findUpgradeTask(state, operationId);
  if (!found) throw new TypeError(`unknown operationId: ${String(operationId)}`);
  const { app, task } = found;
  const now = Date.now();
  advanceTask(state, app, task, now);
  const sub = task.subOperations.find((s) => s.deviceId === deviceId);
  if (!sub) throw new TypeError(`device ${String(deviceId)} is not a target of upgrade task ${operationId}`);
  if (sub.status !== 'processing') {
    throw new TypeError(`the upgrade of device ${deviceId} in task ${operationId} is not under way (status ${sub.status})`);
  }
  const device = app.devices.require(deviceId);
  if (result === 'success') {
    device.info[versionField(task.operateType)] = task.targetVersion;
    touch(device, now);
    end(state, task, sub, 'success', 'The device upgraded successfully.', now, now);
    state.emitChange({ type: 'deviceInfoChanged', appId: app.appId, device });
    return;
  }
  const allowed = task.policy.retryType ? (task.policy.retryTimes ?? 1) : 0;
  if (sub.retries < allowed) {
    sub.retries += 1;
    sub.status = 'wait';
    sub.startTime = undefined;
    sub.detailInfo = `The upgrade failed and is retried (attempt ${sub.retries + 1}).`;
    announce(state, task, sub, 'state', now);
    advanceTask(state, app, task, now);
    return;
  }
  end(state, task, sub, 'fail', 'The device reported that the upgrade failed.', now, now);
}
