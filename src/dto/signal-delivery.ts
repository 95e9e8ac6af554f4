// Request and response types of SignalDelivery. Field names are the platform's wire names.

/**
 * Status of a device command: `PENDING` (cached until the device comes online), `EXPIRED` (cache time passed),
 * `SENT` (issued to the device), `DELIVERED` (the device received it), `SUCCESSFUL`, `FAILED`, `TIMEOUT`, or
 * `CANCELED` (revoked by the application).
 */
export type CommandStatusValue = 'PENDING' | 'EXPIRED' | 'SENT' | 'DELIVERED' | 'SUCCESSFUL' | 'FAILED' | 'TIMEOUT' | 'CANCELED';

/** The command itself: which service of the device, which method of that service, and its parameters. */
export interface CommandDTOV4 {
  /** Service of the device profile the command belongs to. Required. */
  serviceId: string;
  /** Command name as defined in the device profile. Required. */
  method: string;
  /** Command parameters keyed by the profile's parameter names; `{}` for a command without parameters. Required. */
  paras: Record<string, unknown>;
}

/** Body of POST deviceCommands (Java SDK PostDeviceCommandInDTO2). */
export interface PostDeviceCommandInDTO2 {
  /** Device the command is for. Required. */
  deviceId: string;
  /** Required. */
  command: CommandDTOV4;
  /** URL the platform posts the command's status changes to, at most 1024 characters. */
  callbackUrl?: string;
  /**
   * Seconds the platform keeps the command for an offline device before it expires; default 172800 (48 h). 0 sends
   * it only to an online device and never caches it.
   */
  expireTime?: number;
  /** How often the platform retransmits the command when the device does not answer, 0 to 3. */
  maxRetransmit?: number;
}

/** Execution result of a command, as the device reported it. */
export interface CommandResultDTO {
  /** Final or intermediate status, e.g. `SUCCESSFUL` or `FAILED`. */
  resultCode?: string;
  /** Free-form details from the device. */
  resultDetail?: unknown;
  [field: string]: unknown;
}

/** One device command as the platform shows it (Java SDK DeviceCommandRespV4). Absent fields are omitted. */
export interface DeviceCommandRespV4 {
  commandId: string;
  /** Application the command belongs to. */
  appId: string;
  deviceId: string;
  command: CommandDTOV4;
  callbackUrl?: string;
  /** Seconds the command is cached for an offline device. */
  expireTime?: number;
  /** A `CommandStatusValue`, e.g. `SENT`. */
  status: string;
  result?: CommandResultDTO;
  /** Platform time, `yyyyMMdd'T'HHmmss'Z'`. */
  creationTime?: string;
  /** When the device finished executing it (platform time). */
  executeTime?: string;
  /** When the platform issued it to the device (platform time). */
  platformIssuedTime?: string;
  /** When the device confirmed receipt (platform time). */
  deliveredTime?: string;
  /** How many times the platform has issued it. */
  issuedTimes?: number;
  maxRetransmit?: number;
}

/** Answer of POST deviceCommands (Java SDK PostDeviceCommandOutDTO2): the created command. */
export type PostDeviceCommandOutDTO2 = DeviceCommandRespV4;

/** Query of GET deviceCommands (Java SDK QueryDeviceCommandInDTO2); every field is optional. */
export interface QueryDeviceCommandInDTO2 {
  /** Page number from 0; default 0. */
  pageNo?: number;
  /** Records per page, 1 to 1000; default 1000. */
  pageSize?: number;
  /** Only commands of this device; not empty when given. */
  deviceId?: string;
  /** Only commands created after this platform time (`yyyyMMdd'T'HHmmss'Z'`). */
  startTime?: string;
  /** Only commands created before this platform time. */
  endTime?: string;
  /** Authorised application whose commands are queried; leave out for your own. Sent as the `appId` query parameter. */
  appId?: string;
}

/** Paging information of command and cancel-task queries (note `totalSize`, not `totalCount`). */
export interface Pagination {
  pageNo: number;
  pageSize: number;
  /** Number of records matching the query, on all pages. */
  totalSize: number;
}

/** Answer of GET deviceCommands (Java SDK QueryDeviceCommandOutDTO2). */
export interface QueryDeviceCommandOutDTO2 {
  pagination: Pagination;
  data: DeviceCommandRespV4[];
}

/** Body of PUT deviceCommands/`{id}` (Java SDK UpdateDeviceCommandInDTO). */
export interface UpdateDeviceCommandInDTO {
  /** The only supported change: `CANCELED`, for a PENDING command. */
  status: 'CANCELED';
}

/** Answer of PUT deviceCommands/`{id}` (Java SDK UpdateDeviceCommandOutDTO): the updated command. */
export type UpdateDeviceCommandOutDTO = DeviceCommandRespV4;

/** Body of POST deviceCommandCancelTasks (Java SDK CreateDeviceCmdCancelTaskInDTO). */
export interface CreateDeviceCmdCancelTaskInDTO {
  /** Device whose undelivered (PENDING) commands are all revoked. Required. */
  deviceId: string;
}

/** A command revocation task (Java SDK CreateDeviceCmdCancelTaskOutDTO; also the items of cancel-task queries). */
export interface CreateDeviceCmdCancelTaskOutDTO {
  taskId: string;
  appId: string;
  deviceId: string;
  /** `WAITTING` (sic), `RUNNING`, `SUCCESS`, `FAILED` or `PART_SUCCESS`. */
  status: string;
  /** Number of commands the task revoked. */
  totalCount: number;
  /** The revoked commands. */
  deviceCommands?: DeviceCommandRespV4[];
}

/** Query of GET deviceCommandCancelTasks (Java SDK QueryDeviceCmdCancelTaskInDTO2); every field is optional. */
export interface QueryDeviceCmdCancelTaskInDTO2 {
  /** Page number from 0; default 0. */
  pageNo?: number;
  /** Records per page, 1 to 1000; default 1000. */
  pageSize?: number;
  /** Only this task; not empty when given. */
  taskId?: string;
  /** Only tasks of this device; not empty when given. */
  deviceId?: string;
  /** Task status, e.g. `SUCCESS`. */
  status?: string;
  /** Only tasks created after this platform time (`yyyyMMdd'T'HHmmss'Z'`). */
  startTime?: string;
  /** Only tasks created before this platform time. */
  endTime?: string;
  /** Authorised application whose tasks are queried; leave out for your own. Sent as the `appId` query parameter. */
  appId?: string;
}

/** Answer of GET deviceCommandCancelTasks (Java SDK QueryDeviceCmdCancelTaskOutDTO2). */
export interface QueryDeviceCmdCancelTaskOutDTO2 {
  pagination: Pagination;
  data: CreateDeviceCmdCancelTaskOutDTO[];
}
