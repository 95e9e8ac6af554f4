/**
 * Batch tasks of one application (BatchProcess).
 *
 * A task keeps only what was decided when it was created: its target devices and, for each, the id of the device
 * command it created (or why it could not create one). Everything else, the per-device outcome, the counters, the
 * progress and the task's status, is derived from the commands' current statuses whenever the task is read, so no
 * timer runs:
 *
 * - command SUCCESSFUL -> `Success`, FAILED or CANCELED -> `Fail`, EXPIRED -> `Expired`, TIMEOUT -> `Timeout`;
 * - command PENDING, SENT or DELIVERED -> `WaitResult`, until the task's timeout has passed: then `Timeout`. A
 *   command that finished (or expired) after the task's deadline also counts as `Timeout`, so a task never changes
 *   its outcome once its deadline has passed;
 * - a device for which no command could be created -> `Fail`, with the platform error in `error`;
 * - a device deleted after the task was created keeps the outcome it had when it was deleted (its command is deleted
 *   with it), a command still open then counting as `Fail` (`Timeout` once the deadline had passed).
 *
 * A command's finish time is the time it reached its final status (see `CommandRecord.finishedTime`).
 *
 * The task is `Complete` once every device has an outcome before the deadline, `Timeout` when the deadline passed
 * first, `Running` otherwise (`Pending`, a task not yet started, never occurs: tasks start at once).
 */
import { Errors, platformError, type ApiError } from './errors.js';
import { isFinalStatus, type CommandRecord, type CommandStore } from './commands.js';
import { platformTime } from './util.js';

/** Outcome of one device of a task. */
export type TaskDetailStatus = 'WaitResult' | 'Success' | 'Fail' | 'Timeout' | 'Expired';
/** Status of a task. */
export type TaskStatus = 'Running' | 'Complete' | 'Timeout';

/**
 * Errors of the batch-task routes. 105002 is documented (with HTTP 200). The other cases have no documented code:
 * malformed input, and the task types and device selections the simulator does not support, answer the generic
 * 400 / 100022 "The input is invalid."; an unknown task answers 404 / 123009 "The requested task does not exist."
 * (the code the platform documents for an unknown upgrade task).
 */
export const BatchTaskErrors = {
  invalidInput: Errors.invalidInput,
  nameExists: () => platformError(200, '105002', 'The batchTask name has exist.'),
  taskNotFound: Errors.taskNotFound,
} as const satisfies Record<string, () => ApiError>;

/** One target device of a task. */
export interface BatchTaskItem {
  /** Position in the task, from 0. */
  index: number;
  deviceId: string;
  /** The device's nodeId when the task was created (absent for an unknown device). */
  nodeId?: string;
  /** The command created for the device. */
  commandId?: string;
  /** Why no command could be created (`<error_code> <error_desc>`). */
  error?: string;
  /** The outcome the device had when it was deleted; it no longer changes. */
  finalOutcome?: Omit<TaskDetailView, 'param'>;
}

export interface BatchTaskRecord {
  taskId: string;
  taskName: string;
  /** The application the task runs for (and whose devices it addresses). */
  appId: string;
  /** The application that created it. */
  operator: string;
  taskType: string;
  /** Minutes. */
  timeout: number;
  /** ms since the epoch. */
  createTime: number;
  /** The `param` object as created. */
  param: Record<string, unknown>;
  tags?: Array<{ tagName: string; tagValue: string }>;
  items: BatchTaskItem[];
}

/** One device's outcome, as queryTaskDetails shows it. */
export interface TaskDetailView {
  status: TaskDetailStatus;
  output?: string;
  error?: string;
  param: Record<string, unknown>;
}

export class BatchTaskStore {
  private readonly byId = new Map<string, BatchTaskRecord>();

  constructor(readonly appId: string) {}

  get size(): number {
    return this.byId.size;
  }

  /** Every task, oldest first. */
  list(): BatchTaskRecord[] {
    return [...this.byId.values()];
  }

  get(taskId: string): BatchTaskRecord | undefined {
    return this.byId.get(taskId);
  }

  /** The task, or 404 / 123009. */
  require(taskId: string): BatchTaskRecord {
    const task = this.byId.get(taskId);
    if (!task) throw BatchTaskErrors.taskNotFound();
    return task;
  }

  /**
   * 200 / 105002 when the application already has a task of that name. Checked before a task's commands are created,
   * so that a refused task creates none.
   */
  requireNewName(taskName: string): void {
    for (const task of this.byId.values()) if (task.taskName === taskName) throw BatchTaskErrors.nameExists();
  }

  /** Stores a task (its name has passed {@link BatchTaskStore.requireNewName}). */
  add(task: BatchTaskRecord): void {
    this.byId.set(task.taskId, task);
  }
}

/** When the task stops waiting for its devices (ms since the epoch). */
export function taskDeadline(task: BatchTaskRecord): number {
  return task.createTime + task.timeout * 60_000;
}

/** When a finished command finished; undefined while it is still open. */
function finishedAt(command: CommandRecord): number | undefined {
  if (!isFinalStatus(command.status)) return undefined;
  // Every transition to a final status records its time; only TIMEOUT, which the simulator never sets, has none.
  return command.finishedTime ?? command.creationTime;
}

function outcomeOf(command: CommandRecord): { status: TaskDetailStatus; error?: string } {
  switch (command.status) {
    case 'SUCCESSFUL':
      return { status: 'Success' };
    case 'FAILED':
      return { status: 'Fail', error: 'The device reported the command as failed.' };
    case 'CANCELED':
      return { status: 'Fail', error: 'The command was canceled.' };
    case 'EXPIRED':
      return { status: 'Expired', error: 'The command expired before the device came online.' };
    default:
      return { status: 'Timeout', error: 'The device did not execute the command in time.' };
  }
}

/** The error of a device the task stopped waiting for. */
const DEADLINE_PASSED = 'The task timed out before the device executed the command.';
/** The error of a device deleted while its command was still open. */
const DEVICE_DELETED = 'The device was deleted before it executed the command.';

/** The outcome of one device of the task at `now`. */
export function taskDetail(task: BatchTaskRecord, item: BatchTaskItem, commands: CommandStore, now = Date.now()): TaskDetailView {
  const param: Record<string, unknown> = { deviceId: item.deviceId };
  if (item.nodeId !== undefined) param['nodeId'] = item.nodeId;
  if (item.commandId !== undefined) param['commandId'] = item.commandId;
  param['index'] = item.index;
  if (item.error !== undefined || item.commandId === undefined) {
    return { status: 'Fail', error: item.error ?? 'No command was created.', param };
  }
  if (item.finalOutcome !== undefined) return { ...item.finalOutcome, param };
  const command = commands.get(item.commandId, now);
  if (!command) return { status: 'Fail', error: 'The command no longer exists.', param };
  const deadline = taskDeadline(task);
  const finished = finishedAt(command);
  if (finished === undefined || finished > deadline) {
    if (now < deadline) return { status: 'WaitResult', param };
    return { status: 'Timeout', error: DEADLINE_PASSED, param };
  }
  const view: TaskDetailView = { ...outcomeOf(command), param };
  if (command.result !== undefined) view.output = JSON.stringify(command.result);
  return view;
}

/**
 * A device of the application is being deleted, and its commands with it: every task item of the device keeps the
 * outcome it has at `now`; a command still open counts as failed (the deadline has not passed, or it would be
 * `Timeout` already). Call this while the device's commands still exist.
 */
export function keepOutcomesOfDeletedDevice(tasks: BatchTaskStore, commands: CommandStore, deviceId: string, now = Date.now()): void {
  for (const task of tasks.list()) {
    for (const item of task.items) {
      if (item.deviceId !== deviceId || item.commandId === undefined || item.finalOutcome !== undefined) continue;
      const { param: _param, ...outcome } = taskDetail(task, item, commands, now);
      item.finalOutcome = outcome.status === 'WaitResult' ? { status: 'Fail', error: DEVICE_DELETED } : outcome;
    }
  }
}

/** Every device's outcome, in task order. */
export function taskDetails(task: BatchTaskRecord, commands: CommandStore, now = Date.now()): TaskDetailView[] {
  return task.items.map((item) => taskDetail(task, item, commands, now));
}

/** The task with its counters, as queryOneTask shows it. */
export function taskView(task: BatchTaskRecord, commands: CommandStore, now = Date.now()): Record<string, unknown> {
  const details = taskDetails(task, commands, now);
  const count = (status: TaskDetailStatus): number => details.filter((d) => d.status === status).length;
  const totalCnt = details.length;
  const successCnt = count('Success');
  const failCnt = count('Fail');
  const timeoutCnt = count('Timeout');
  const expiredCnt = count('Expired');
  const completeCnt = successCnt + failCnt + timeoutCnt + expiredCnt;
  let status: TaskStatus;
  if (completeCnt < totalCnt) status = 'Running';
  else status = details.some((d) => d.error === DEADLINE_PASSED) ? 'Timeout' : 'Complete';
  return {
    taskId: task.taskId,
    taskName: task.taskName,
    appId: task.appId,
    operator: task.operator,
    taskFrom: 'Northbound',
    taskType: task.taskType,
    status,
    startTime: platformTime(task.createTime),
    timeout: task.timeout,
    progress: totalCnt === 0 ? 100 : Math.floor((completeCnt * 100) / totalCnt),
    totalCnt,
    successCnt,
    successRate: totalCnt === 0 ? 0 : Math.floor((successCnt * 100) / totalCnt),
    failCnt,
    timeoutCnt,
    expiredCnt,
    completeCnt,
    param: structuredClone(task.param),
  };
}
