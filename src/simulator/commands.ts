/**
 * Device commands (SignalDelivery, NB-IoT/LWM2M style), command cancel tasks and
 * service invocations (sendCommand) of one application, and the rules that move
 * a command through its states.
 *
 * A command's life: created PENDING (device offline, cached for `expireTime`
 * seconds) or SENT (device online); a PENDING command becomes SENT when the
 * device comes online, EXPIRED once its expireTime has passed (evaluated lazily
 * on every read, no timer), or CANCELED by the application. The device
 * acknowledges a SENT command as DELIVERED, then SUCCESSFUL or FAILED.
 */
import { randomUUID } from 'node:crypto';
import { Errors, platformError, type ApiError } from './errors.js';
import type { DeviceRecord } from './devices.js';
import type { AppState, SimulatorState } from './state.js';
import type { ServiceInvocation } from './types.js';
import { isNonEmptyString, isPlainObject, optionalString, platformTime } from './util.js';

/** Status of a device command (see the module comment for the transitions). */
export type CommandStatus = 'PENDING' | 'EXPIRED' | 'SENT' | 'DELIVERED' | 'SUCCESSFUL' | 'FAILED' | 'TIMEOUT' | 'CANCELED';

/** The command part of a request, for whichever device: what a batch task sends to each of its devices. */
export interface CommandSpec {
  command: { serviceId: string; method: string; paras?: Record<string, unknown> };
  callbackUrl?: string;
  /** 0..3. */
  maxRetransmit?: number;
}

/** What POST deviceCommands (or a batch task) asks for. */
export interface NewCommand extends CommandSpec {
  deviceId: string;
  /** Seconds the command is cached for an offline device; default 172800, 0 = only for an online device. */
  expireTime?: number;
}

/** What the device reported about a command: the status it acknowledged and optional details. */
export interface CommandResult {
  resultCode: string;
  resultDetail?: unknown;
}

/** A device command as the store keeps it; {@link commandView} turns it into the API's shape. */
export interface CommandRecord {
  commandId: string;
  /** The application the command belongs to (the device's owner). */
  appId: string;
  deviceId: string;
  status: CommandStatus;
  command: { serviceId: string; method: string; paras?: Record<string, unknown> };
  callbackUrl?: string;
  /** Seconds. */
  expireTime: number;
  maxRetransmit?: number;
  /** Times in ms since the epoch. */
  creationTime: number;
  platformIssuedTime?: number;
  deliveredTime?: number;
  executeTime?: number;
  /**
   * When the command reached a final status (CANCELED, EXPIRED, SUCCESSFUL or FAILED); for EXPIRED, the end of its
   * cache time. Undefined while the command is open.
   */
  finishedTime?: number;
  issuedTimes: number;
  result?: CommandResult;
}

/**
 * A command revocation task (POST deviceCommandCancelTasks). Its status is always {@link CANCEL_TASK_STATUS} and its
 * totalCount the number of commands it cancelled, so neither is stored.
 */
export interface CancelTaskRecord {
  taskId: string;
  appId: string;
  deviceId: string;
  /** ms since the epoch. */
  startTime: number;
  /** The commands this task cancelled (their ids). */
  commandIds: string[];
}

/** Status of every cancel task: the simulator revokes at once, so a task has succeeded by the time it is answered. */
export const CANCEL_TASK_STATUS = 'SUCCESS';

/** A sendCommand (DeviceServiceInvocation) request the device received; `timeStamp` in ms since the epoch. */
export interface ServiceInvocationRecord extends Omit<ServiceInvocation, 'timeStamp'> {
  timeStamp: number;
}

/** Default cache time of a command for an offline device: 48 h. */
export const DEFAULT_EXPIRE_TIME = 172800;
/** Most PENDING commands one device may have. */
export const MAX_PENDING_PER_DEVICE = 20;
/** sendCommand requests kept per application (the oldest are dropped). */
const MAX_INVOCATIONS = 10000;

/** Errors of the command routes (documented codes and statuses). */
export const CommandErrors = {
  invalidInput: Errors.invalidInput,
  deviceNotExist: () => platformError(200, '100418', 'The deviceData is not existed.'),
  deviceNotOnline: () => platformError(200, '100428', 'The device is not online.'),
  commandMuted: () => platformError(200, '100432', 'The device command is muted.'),
  tooManyCommands: () => platformError(400, '100223', 'Command counts has reached the upLimit.'),
  commandNotExist: () => platformError(200, '100434', 'The device command is not existed.'),
  cannotCancel: () => platformError(200, '100435', 'The device command already canceled, expired or executed, Cannot cancel.'),
} as const satisfies Record<string, () => ApiError>;

/** Statuses a command never leaves. */
const FINAL_STATUSES: ReadonlySet<CommandStatus> = new Set<CommandStatus>(['EXPIRED', 'SUCCESSFUL', 'FAILED', 'TIMEOUT', 'CANCELED']);

/** Whether a command in this status is finished (it will not change any more). */
export function isFinalStatus(status: CommandStatus): boolean {
  return FINAL_STATUSES.has(status);
}

/** A PENDING command whose cache time has passed reads as EXPIRED, from the moment its cache time ended. */
function settle(record: CommandRecord, now: number): CommandRecord {
  const expiresAt = record.creationTime + record.expireTime * 1000;
  if (record.status === 'PENDING' && record.expireTime >= 0 && now >= expiresAt) {
    record.status = 'EXPIRED';
    record.finishedTime = expiresAt;
  }
  return record;
}

/** Device commands, revocation tasks and sendCommand requests of one application. */
export class CommandStore {
  private readonly commands = new Map<string, CommandRecord>();
  private readonly cancelTasks = new Map<string, CancelTaskRecord>();
  private readonly invocations: ServiceInvocationRecord[] = [];

  constructor(readonly appId: string) {}

  /** The command with its current (lazily evaluated) status. */
  get(commandId: string, now = Date.now()): CommandRecord | undefined {
    const record = this.commands.get(commandId);
    return record ? settle(record, now) : undefined;
  }

  /** Every command, oldest first, statuses evaluated. */
  list(now = Date.now()): CommandRecord[] {
    return [...this.commands.values()].map((record) => settle(record, now));
  }

  /** Commands of one device, oldest first. */
  ofDevice(deviceId: string, now = Date.now()): CommandRecord[] {
    return this.list(now).filter((record) => record.deviceId === deviceId);
  }

  /** The PENDING commands of one device (cached until it comes online), oldest first. */
  pendingOf(deviceId: string, now = Date.now()): CommandRecord[] {
    return this.ofDevice(deviceId, now).filter((record) => record.status === 'PENDING');
  }

  add(record: CommandRecord): void {
    this.commands.set(record.commandId, record);
  }

  addCancelTask(task: CancelTaskRecord): void {
    this.cancelTasks.set(task.taskId, task);
  }

  cancelTaskList(): CancelTaskRecord[] {
    return [...this.cancelTasks.values()];
  }

  addInvocation(record: ServiceInvocationRecord): void {
    this.invocations.push(record);
    if (this.invocations.length > MAX_INVOCATIONS) this.invocations.splice(0, this.invocations.length - MAX_INVOCATIONS);
  }

  invocationList(deviceId?: string): ServiceInvocationRecord[] {
    return deviceId === undefined ? [...this.invocations] : this.invocations.filter((r) => r.deviceId === deviceId);
  }

  /** Forgets everything about a deleted device: its commands (whatever their status), cancel tasks and sendCommand requests. */
  removeDevice(deviceId: string): void {
    for (const [commandId, record] of this.commands) if (record.deviceId === deviceId) this.commands.delete(commandId);
    for (const [taskId, task] of this.cancelTasks) if (task.deviceId === deviceId) this.cancelTasks.delete(taskId);
    let kept = 0;
    for (const record of this.invocations) if (record.deviceId !== deviceId) this.invocations[kept++] = record;
    this.invocations.length = kept;
  }
}

function optionalNumberField(input: Record<string, unknown>, key: string, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw CommandErrors.invalidInput();
  return value;
}

/**
 * Checks the command part of a request, the fields `command` (serviceId, method, paras), `callbackUrl` (at most
 * 1024 characters) and `maxRetransmit` (0 to 3); 400 / 100022 when malformed. Other fields are not looked at.
 */
export function parseCommandSpec(input: Record<string, unknown>): CommandSpec {
  const { command } = input;
  if (!isPlainObject(command)) throw CommandErrors.invalidInput();
  const { serviceId, method, paras } = command;
  if (!isNonEmptyString(serviceId) || !isNonEmptyString(method)) throw CommandErrors.invalidInput();
  if (paras !== undefined && paras !== null && !isPlainObject(paras)) throw CommandErrors.invalidInput();
  const callbackUrl = optionalString(input, 'callbackUrl', CommandErrors.invalidInput);
  if (callbackUrl !== undefined && callbackUrl.length > 1024) throw CommandErrors.invalidInput();
  const maxRetransmit = optionalNumberField(input, 'maxRetransmit', 0, 3);
  const spec: CommandSpec = { command: { serviceId, method, ...(isPlainObject(paras) ? { paras: structuredClone(paras) } : {}) } };
  if (callbackUrl) spec.callbackUrl = callbackUrl;
  if (maxRetransmit !== undefined) spec.maxRetransmit = maxRetransmit;
  return spec;
}

/** Checks a POST deviceCommands body: a deviceId, the command part and `expireTime`; 400 / 100022 when malformed. */
export function parseNewCommand(input: unknown): NewCommand {
  if (!isPlainObject(input)) throw CommandErrors.invalidInput();
  const { deviceId } = input;
  if (!isNonEmptyString(deviceId)) throw CommandErrors.invalidInput();
  const spec = parseCommandSpec(input);
  const expireTime = optionalNumberField(input, 'expireTime', 0, Number.MAX_SAFE_INTEGER);
  return { deviceId, ...spec, ...(expireTime !== undefined ? { expireTime } : {}) };
}

/** Announces a command's new status (push notifications to its callbackUrl use it). */
export function announceCommandStatus(state: SimulatorState, record: CommandRecord): void {
  state.emitChange({
    type: 'commandStatusChanged',
    appId: record.appId,
    deviceId: record.deviceId,
    commandId: record.commandId,
    status: record.status,
    ...(record.callbackUrl !== undefined ? { callbackUrl: record.callbackUrl } : {}),
    ...(record.result !== undefined ? { result: structuredClone(record.result) } : {}),
  });
}

/** Marks a command as issued to the (online) device. */
function issue(record: CommandRecord, now: number): void {
  record.status = 'SENT';
  record.platformIssuedTime = now;
  record.issuedTimes += 1;
}

/**
 * Creates a command on a device of `app`, as POST deviceCommands does. The input is already checked (see
 * {@link parseNewCommand} and {@link parseCommandSpec}); the record keeps its own copy of the command. Throws ApiError
 * on the documented errors: 200/100418 unknown device, 200/100428 device offline and expireTime 0, 400/100223 the
 * device already has {@link MAX_PENDING_PER_DEVICE} PENDING commands.
 */
export function createDeviceCommand(state: SimulatorState, app: AppState, input: NewCommand): CommandRecord {
  const device = app.devices.get(input.deviceId);
  if (!device) throw CommandErrors.deviceNotExist();
  const expireTime = input.expireTime ?? DEFAULT_EXPIRE_TIME;
  const online = device.status === 'ONLINE';
  const now = Date.now();
  if (!online) {
    if (expireTime === 0) throw CommandErrors.deviceNotOnline();
    if (app.commands.pendingOf(device.deviceId, now).length >= MAX_PENDING_PER_DEVICE) throw CommandErrors.tooManyCommands();
  }
  const record: CommandRecord = {
    commandId: randomUUID().replace(/-/g, ''),
    appId: app.appId,
    deviceId: device.deviceId,
    status: 'PENDING',
    command: structuredClone(input.command),
    expireTime,
    creationTime: now,
    issuedTimes: 0,
  };
  if (input.callbackUrl !== undefined) record.callbackUrl = input.callbackUrl;
  if (input.maxRetransmit !== undefined) record.maxRetransmit = input.maxRetransmit;
  app.commands.add(record);
  if (online) {
    issue(record, now);
    announceCommandStatus(state, record);
  }
  return record;
}

/** The command as the API shows it (same object as in the 201 answer and in query results). */
export function commandView(record: CommandRecord): Record<string, unknown> {
  settle(record, Date.now());
  const view: Record<string, unknown> = {
    commandId: record.commandId,
    appId: record.appId,
    deviceId: record.deviceId,
    command: {
      serviceId: record.command.serviceId,
      method: record.command.method,
      ...(record.command.paras !== undefined ? { paras: structuredClone(record.command.paras) } : {}),
    },
  };
  if (record.callbackUrl !== undefined) view['callbackUrl'] = record.callbackUrl;
  view['expireTime'] = record.expireTime;
  view['status'] = record.status;
  if (record.result !== undefined) view['result'] = structuredClone(record.result);
  view['creationTime'] = platformTime(record.creationTime);
  if (record.executeTime !== undefined) view['executeTime'] = platformTime(record.executeTime);
  if (record.platformIssuedTime !== undefined) view['platformIssuedTime'] = platformTime(record.platformIssuedTime);
  if (record.deliveredTime !== undefined) view['deliveredTime'] = platformTime(record.deliveredTime);
  view['issuedTimes'] = record.issuedTimes;
  if (record.maxRetransmit !== undefined) view['maxRetransmit'] = record.maxRetransmit;
  return view;
}

/** The command with this id, in whichever application it belongs to. */
export function findCommand(state: SimulatorState, commandId: string): { app: AppState; command: CommandRecord } | undefined {
  for (const app of state.apps.values()) {
    const command = app.commands.get(commandId);
    if (command) return { app, command };
  }
  return undefined;
}

/** Cancels a PENDING command: 200/100435 when it is in any other state. */
export function cancelCommand(state: SimulatorState, record: CommandRecord): void {
  const now = Date.now();
  settle(record, now);
  if (record.status !== 'PENDING') throw CommandErrors.cannotCancel();
  record.status = 'CANCELED';
  record.finishedTime = now;
  announceCommandStatus(state, record);
}

/** The device came online: its still-valid PENDING commands are issued (SENT), oldest first. */
export function releasePendingCommands(state: SimulatorState, app: AppState, device: DeviceRecord): CommandRecord[] {
  if (device.status !== 'ONLINE') return [];
  const now = Date.now();
  const released = app.commands.pendingOf(device.deviceId, now);
  for (const record of released) {
    issue(record, now);
    announceCommandStatus(state, record);
  }
  return released;
}

/**
 * Device side: the device acknowledges a command. SENT may become DELIVERED, SUCCESSFUL or FAILED; DELIVERED may
 * become SUCCESSFUL or FAILED. SUCCESSFUL/FAILED without DELIVERED first also sets deliveredTime. Anything else is
 * a TypeError (unknown command, illegal transition, bad status).
 */
export function acknowledgeCommand(state: SimulatorState, commandId: string, status: unknown, resultDetail?: unknown): CommandRecord {
  if (typeof commandId !== 'string' || commandId === '') throw new TypeError('commandId must be a non-empty string');
  if (status !== 'DELIVERED' && status !== 'SUCCESSFUL' && status !== 'FAILED') {
    throw new TypeError("status must be 'DELIVERED', 'SUCCESSFUL' or 'FAILED'");
  }
  const found = findCommand(state, commandId);
  if (!found) throw new TypeError(`unknown commandId: ${commandId}`);
  const record = found.command;
  const allowed = record.status === 'SENT' || (record.status === 'DELIVERED' && status !== 'DELIVERED');
  if (!allowed) throw new TypeError(`command ${commandId} is ${record.status}: cannot become ${status}`);
  const detail: unknown = resultDetail === undefined ? undefined : structuredClone(resultDetail);
  const now = Date.now();
  record.deliveredTime ??= now;
  record.status = status;
  if (status !== 'DELIVERED') {
    record.executeTime = now;
    record.finishedTime = now;
  }
  record.result = { resultCode: status, ...(detail !== undefined ? { resultDetail: detail } : {}) };
  announceCommandStatus(state, record);
  return record;
}

/** Device side: the sendCommand requests a device received, oldest first, as the public API shows them. */
export function deviceServiceInvocations(state: SimulatorState, deviceId: unknown): ServiceInvocation[] {
  if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
  const found = state.findDevice(deviceId);
  if (!found) throw new TypeError(`unknown deviceId: ${deviceId}`);
  return found.app.commands.invocationList(deviceId).map((r) => ({
    requestId: r.requestId,
    appId: r.appId,
    deviceId: r.deviceId,
    serviceId: r.serviceId,
    header: structuredClone(r.header),
    ...(r.body !== undefined ? { body: structuredClone(r.body) } : {}),
    status: r.status,
    timeStamp: platformTime(r.timeStamp),
  }));
}
