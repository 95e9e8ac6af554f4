// Request and response types of DeviceUpgrade. Field names are the platform's wire names.

/** Filters and page of `DeviceUpgrade.queryUpgradePackageList`; every field is optional. */
export interface QueryUpgradePackageListInDTO {
  /** `softwarePackage` or `firmwarePackage`. */
  fileType?: string;
  /** Device type the package applies to. */
  deviceType?: string;
  /** Device model the package applies to. */
  model?: string;
  /** Manufacturer of the devices the package applies to. */
  manufacturerName?: string;
  /** Version of the package. */
  version?: string;
  /** Page to read, from 0 (the default). */
  pageNo?: number;
  /** Records per page, 1 to 100 (default 10). */
  pageSize?: number;
}

/** One uploaded software or firmware package (the platform's CategoryInfo). */
export interface CategoryInfo {
  /** Package id, used as `fileId` when creating an upgrade task. */
  fileId: string;
  name: string;
  /** The version a device has once it installed this package. */
  version: string;
  /** `softwarePackage` or `firmwarePackage`. */
  fileType: string;
  deviceType: string;
  model: string;
  manufacturerName: string;
  /** Protocol of the devices the package applies to (e.g. CoAP, LWM2M). */
  protocolType?: string;
  description?: string;
  /** Date the package was built, as its uploader gave it. */
  date?: string;
  /** Upload time, UTC `yyyyMMddTHHmmssZ`. */
  uploadTime?: string;
}

/** One page of uploaded packages. */
export interface QueryUpgradePackageListOutDTO {
  data: CategoryInfo[];
  pageNo: number;
  pageSize: number;
  /** Number of packages matching the filters, over all pages. */
  totalCount: number;
}

/** One uploaded package, as `DeviceUpgrade.queryUpgradePackage` answers it. */
export interface QueryUpgradePackageOutDTO extends CategoryInfo {}

/**
 * The devices an upgrade task applies to: a device list, device groups, or (when neither is given) every device of a
 * type, model and manufacturer. At least one of them must be named.
 */
export interface OperateDevices {
  /** Ids of device groups, at most 256; none may be empty. */
  deviceGroups?: string[];
  deviceType?: string;
  model?: string;
  manufacturerName?: string;
  /** Device ids, at most 256; none may be empty. */
  devices?: string[];
}

/**
 * When and how an upgrade task runs. The Java SDK V1.5.1 always sends `retryType` (a primitive boolean, false unless
 * set); this SDK sends only the fields the caller gave, so an absent `retryType` leaves the platform default (false).
 */
export interface OperatePolicy {
  /** `now` (the platform default), `device_online` or `custom` (then the SDK requires `startTime` and `endTime`). */
  executeType?: string;
  /** Start of the execution window, UTC `yyyyMMddTHHmmssZ` (custom execution). */
  startTime?: string;
  /** End of the execution window, UTC `yyyyMMddTHHmmssZ` (custom execution). */
  endTime?: string;
  /** Whether a failed device upgrade is retried (default false). */
  retryType?: boolean;
  /** How many times a failed device upgrade is retried, 1 to 5 (with `retryType` true). */
  retryTimes?: number;
}

/** A software or firmware upgrade task to create. */
export interface CreateUpgradeTaskInDTO {
  /** Id of the package to install: a software package for a software task, a firmware package for a firmware task. */
  fileId: string;
  targets: OperateDevices;
  /** Execution policy; the platform runs the task at once when absent. */
  policy?: OperatePolicy;
}

export interface CreateUpgradeTaskOutDTO {
  /** Id of the new task. */
  operationId: string;
}

/** Number of a task's device upgrades in each state. */
export interface OperationStaResult {
  total: number;
  /** Waiting to start (for example until the device comes online). */
  wait: number;
  /** Under way on the device. */
  processing: number;
  success: number;
  fail: number;
  stop: number;
  /** Not started or not finished within the execution window. */
  timeout: number;
}

/** One upgrade task (the platform's OperationInfo). */
export interface OperationInfo {
  operationId: string;
  /** UTC `yyyyMMddTHHmmssZ`. */
  createTime: string;
  /** When the task started executing, UTC `yyyyMMddTHHmmssZ`. */
  startTime?: string;
  /** When the last device upgrade ended, UTC `yyyyMMddTHHmmssZ`. */
  stopTime?: string;
  /** `softwareUpgrade` or `firmwareUpgrade`. */
  operateType: string;
  targets: OperateDevices;
  policy: OperatePolicy;
  /** `wait`, `processing`, `success`, `failed` or `stop`. */
  status: string;
  staResult: OperationStaResult;
  /** Extra parameters of the task. */
  extendPara?: Record<string, unknown>;
}

/** One upgrade task, as `DeviceUpgrade.queryUpgradeTask` answers it. */
export interface QueryUpgradeTaskOutDTO extends OperationInfo {}

/** Filter and page of `DeviceUpgrade.queryUpgradeSubTask`; every field is optional. */
export interface QueryUpgradeSubTaskInDTO {
  /** `wait`, `processing`, `success`, `fail`, `stop` or `timeout`. */
  subOperationStatus?: string;
  /** Page to read, from 0 (the default). */
  pageNo?: number;
  /** Records per page, 1 to 100 (default 10). */
  pageSize?: number;
}

/** The upgrade of one device within a task. */
export interface SubOperationInfo {
  subOperationId: string;
  /** UTC `yyyyMMddTHHmmssZ`. */
  createTime: string;
  /** When the device started upgrading, UTC `yyyyMMddTHHmmssZ`. */
  startTime?: string;
  /** When the device upgrade ended, UTC `yyyyMMddTHHmmssZ`. */
  stopTime?: string;
  /** `softwareUpgrade` or `firmwareUpgrade`. */
  operateType: string;
  deviceId: string;
  /** `wait`, `processing`, `success`, `fail`, `stop` or `timeout`. */
  status: string;
  /** Human-readable state of the device upgrade. */
  detailInfo?: string;
  /** Extra information, such as the source and target versions. */
  extendInfo?: Record<string, unknown>;
}

/** One page of a task's device upgrades. */
export interface QueryUpgradeSubTaskOutDTO {
  pageNo: number;
  pageSize: number;
  /** Number of device upgrades matching the filter, over all pages. */
  totalCount: number;
  data: SubOperationInfo[];
}

/** Filters and page of `DeviceUpgrade.queryUpgradeTaskList`; every field is optional. */
export interface QueryUpgradeTaskListInDTO {
  /** `software_upgrade` or `firmware_upgrade`. */
  operationType?: string;
  /** `wait`, `processing`, `success`, `failed` or `stop`. */
  operationStatus?: string;
  deviceType?: string;
  model?: string;
  manufacturerName?: string;
  /** Only tasks that upgrade this device; not empty when given. */
  deviceId?: string;
  /** Page to read, from 0 (the default). */
  pageNo?: number;
  /** Records per page, 1 to 100 (default 10). */
  pageSize?: number;
}

/** One page of upgrade tasks. The count is `totalSize` here, not `totalCount`. */
export interface QueryUpgradeTaskListOutDTO {
  pageNo: number;
  pageSize: number;
  /** Number of tasks matching the filters, over all pages. */
  totalSize: number;
  data: OperationInfo[];
}
