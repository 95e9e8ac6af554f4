// Request and response types of BatchProcess. Field names are the platform's wire names.

import type { CommandDTOV4 } from './signal-delivery.js';

/**
 * The `param` of a batch task of type `DeviceCmd` (Java SDK `DeviceCmd`): which devices, and which command.
 * `type` chooses the devices: `DeviceList` (the ids in `deviceList`), `DeviceType` (every device of `deviceType`,
 * optionally narrowed by `manufacturerId` and `model`), `DeviceArea` (by `deviceLocation`), `GroupList` (the members
 * of the groups named in `groupList`), `GroupIdList` (the members of the groups whose ids are in `groupList`) or
 * `Broadcast` (every device of the application).
 */
export interface DeviceCmd {
  /** `DeviceList`, `DeviceType`, `DeviceArea`, `GroupList`, `GroupIdList` or `Broadcast` (the SDK refuses others). Required. */
  type: string;
  /** Device ids, for `DeviceList` (required and non-empty there); no item may be empty. */
  deviceList?: string[];
  /** For `DeviceType`. */
  deviceType?: string;
  /** Narrows `DeviceType`. */
  manufacturerId?: string;
  /** Narrows `DeviceType`. */
  model?: string;
  /** For `DeviceArea`. */
  deviceLocation?: string;
  /** Group names (`GroupList`, required and non-empty there) or group ids (`GroupIdList`); no item may be empty. */
  groupList?: string[];
  /** The command sent to every device: `serviceId`, `method` and `paras` are all required. Required. */
  command: CommandDTOV4;
  /** Where the platform posts each command's status changes. */
  callbackUrl?: string;
  /** Retransmissions of each command, 0 to 3. */
  maxRetransmit?: number;
}

/** A tag attached to a batch task. */
export interface TagDTO2 {
  tagName: string;
  tagValue: string;
}

/** createBatchTask input (Java SDK `BatchTaskCreateInDTO2`). */
export interface BatchTaskCreateInDTO2 {
  /** The application the task runs for: your own appId, or an application that authorised you. Required. */
  appId: string;
  /** Task timeout in minutes, 10 to 2880. Required. */
  timeout: number;
  /** Unique per application, at most 256 characters. Required. */
  taskName: string;
  /** `DeviceCmd` (the only type the platform documents for this API). Required. */
  taskType: string;
  /** What the task does; for `DeviceCmd` a {@link DeviceCmd}. Required. */
  param: DeviceCmd | Record<string, unknown>;
  tags?: TagDTO2[];
}

/** What createBatchTask answers. Note the wire name `taskID`, with a capital D. */
export interface BatchTaskCreateOutDTO {
  taskID: string;
}

/** What queryOneTask answers: a task with its progress counters. */
export interface QueryOneTaskOutDTO {
  taskId: string;
  taskName: string;
  /** The application the task runs for. */
  appId: string;
  /** The application that created the task. */
  operator?: string;
  /** Where the task was created, e.g. `Northbound` or `Portal`. */
  taskFrom?: string;
  taskType: string;
  /** `Pending`, `Running`, `Complete` or `Timeout`. */
  status: string;
  /** Creation time, `yyyyMMddTHHmmssZ`. */
  startTime: string;
  /** Minutes. */
  timeout: number;
  /** Percentage of the devices done (0 to 100). */
  progress: number;
  totalCnt: number;
  successCnt: number;
  /** Percentage of the devices that succeeded (0 to 100). */
  successRate: number;
  failCnt: number;
  timeoutCnt: number;
  expiredCnt: number;
  /** Devices done, whatever the outcome. */
  completeCnt: number;
  /** The task's `param`, as created. */
  param: Record<string, unknown>;
  /** The task's tags: only with `select=tag`. */
  tags?: TagDTO2[];
}

/** queryTaskDetails input (Java SDK `QueryTaskDetailsInDTO`); every field is sent as a query parameter. */
export interface QueryTaskDetailsInDTO {
  /** The authorised application that owns the task; null for your own. */
  appId?: string;
  /** The task. Required. */
  taskId: string;
  /** Only details in this status: `Pending`, `WaitResult`, `Success`, `Fail`, `Timeout` or `Expired`. */
  status?: string;
  /** Only the detail at this position of the task (from 0). */
  index?: number;
  /** Only the detail of this device (by nodeId); not empty when given. */
  nodeId?: string;
  /** Only the detail of this device; not empty when given. */
  deviceId?: string;
  /** Only the detail of this command; not empty when given. */
  commandId?: string;
  /** Page, from 0 (default 0). */
  pageNo?: number;
  /** Records per page, from 1; default 25. The SDK checks only the lower bound and leaves any upper limit to the platform. */
  pageSize?: number;
}

/** What the task did for one device (Java SDK `QueryTaskDetailDTO`). */
export interface QueryTaskDetailDTO {
  /** `Pending`, `WaitResult`, `Success`, `Fail`, `Timeout` or `Expired`. */
  status: string;
  /** The device's answer, when it gave one. */
  output?: string;
  /** Why the device failed, when it did. */
  error?: string;
  /** Which device and command: `deviceId`, `nodeId`, `commandId` (once a command exists), `index`. */
  param: Record<string, unknown>;
}

/** What queryTaskDetails answers. */
export interface QueryTaskDetailsOutDTO {
  totalCount: number;
  pageNo: number;
  pageSize: number;
  taskDetails: QueryTaskDetailDTO[];
}
