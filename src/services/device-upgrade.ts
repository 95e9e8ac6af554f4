import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  CreateUpgradeTaskInDTO,
  CreateUpgradeTaskOutDTO,
  OperateDevices,
  OperatePolicy,
  QueryUpgradePackageListInDTO,
  QueryUpgradePackageListOutDTO,
  QueryUpgradePackageOutDTO,
  QueryUpgradeSubTaskInDTO,
  QueryUpgradeSubTaskOutDTO,
  QueryUpgradeTaskListInDTO,
  QueryUpgradeTaskListOutDTO,
  QueryUpgradeTaskOutDTO,
} from '../dto/device-upgrade.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import {
  compactDeep,
  invalid,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalId,
  optionalObject,
  optionalString,
  optionalStrings,
  paging,
  requireObject,
  requireString,
  requireStringList,
  type StringListLimits,
} from './validation.js';

const BASE = '/iodm/northbound/v1.5.0';

/** Most devices, and most device groups, one task may name. */
const MAX_TARGETS = 256;
/** Largest page of every upgrade list query. */
const MAX_PAGE_SIZE = 100;

const API = {
  queryUpgradePackageList: { method: 'GET', path: `${BASE}/category`, status: 200 },
  queryUpgradePackage: { method: 'GET', path: `${BASE}/category/{fileId}`, status: 200 },
  deleteUpgradePackage: { method: 'DELETE', path: `${BASE}/category/{fileId}`, status: 204 },
  // The success status of task creation is not documented; 200 with {"operationId"} is the likely answer.
  createSoftwareUpgradeTask: { method: 'POST', path: `${BASE}/operations/softwareUpgrade`, status: 200 },
  createFirmwareUpgradeTask: { method: 'POST', path: `${BASE}/operations/firmwareUpgrade`, status: 200 },
  queryUpgradeTask: { method: 'GET', path: `${BASE}/operations/{operationId}`, status: 200 },
  queryUpgradeSubTask: { method: 'GET', path: `${BASE}/operations/{operationId}/subOperations`, status: 200 },
  queryUpgradeTaskList: { method: 'GET', path: `${BASE}/operations`, status: 200 },
} as const satisfies ApiTable;

/** The limits of a task's lists of device and group ids: at most 256 ids. */
const TARGET_IDS: StringListLimits = {
  minLength: 0,
  maxLength: MAX_TARGETS,
  notArray: `must be an array of at most ${MAX_TARGETS} ids`,
  tooLong: `must be an array of at most ${MAX_TARGETS} ids`,
};

/** An optional list of ids: each a non-empty string, at most 256 of them. */
function idList(value: unknown, field: string): string[] | undefined {
  return optionalArray(value, field, (list) => requireStringList(list, field, TARGET_IDS));
}

/** Whether an optional list names at least one id. */
function namesAny(list: string[] | undefined): boolean {
  return list !== undefined && list.length > 0;
}

/**
 * The checked targets of a task: they must name at least one device, one device group, or a device type, model or
 * manufacturer (the devices of that product).
 */
function targetsOf(value: unknown, field: string): OperateDevices {
  const input = requireObject(value, field);
  const targets = {
    deviceGroups: idList(input.deviceGroups, `${field}.deviceGroups`),
    ...optionalStrings(input, field, ['deviceType', 'model', 'manufacturerName']),
    devices: idList(input.devices, `${field}.devices`),
  };
  const product = [targets.deviceType, targets.model, targets.manufacturerName].some((item) => item !== undefined && item.trim().length > 0);
  if (!namesAny(targets.devices) && !namesAny(targets.deviceGroups) && !product) {
    throw invalid(field, 'must name at least one of devices, deviceGroups, or deviceType/model/manufacturerName');
  }
  return targets;
}

/** The checked policy of a task; a `custom` execution needs its window, `startTime` and `endTime`. */
function policyOf(value: unknown, field: string): OperatePolicy | undefined {
  const input = optionalObject(value, field);
  if (input === undefined) return undefined;
  const policy = {
    ...optionalStrings(input, field, ['executeType', 'startTime', 'endTime']),
    retryType: optionalBoolean(input.retryType, `${field}.retryType`),
    retryTimes: optionalInteger(input.retryTimes, `${field}.retryTimes`, 1, 5),
  };
  if (policy.executeType === 'custom') {
    for (const name of ['startTime', 'endTime'] as const) {
      const time = policy[name];
      if (time === undefined || time.trim().length === 0) throw invalid(`${field}.${name}`, "is required when executeType is 'custom'");
    }
  }
  return policy;
}

/**
 * Software and firmware packages and upgrade tasks (Java SDK `DeviceUpgrade`). These operations have no
 * authorised-application argument: they act on the logged-in application's packages and devices.
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class DeviceUpgrade extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Lists the uploaded packages that match the filters, one page at a time.
   * @param quplInDTO - filters and page; every field is optional.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns one page of packages with the total count.
   */
  async queryUpgradePackageList(quplInDTO: QueryUpgradePackageListInDTO, accessToken: string | null = null): Promise<QueryUpgradePackageListOutDTO> {
    const input = requireObject(quplInDTO, 'quplInDTO');
    const query = {
      ...optionalStrings(input, 'quplInDTO', ['fileType', 'deviceType', 'model', 'manufacturerName', 'version']),
      ...paging(input, 'quplInDTO', 1, MAX_PAGE_SIZE),
    };
    return this.call(API.queryUpgradePackageList, { query }, accessToken);
  }

  /**
   * Reads one uploaded package.
   * @param fileId - id of the package.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns the package.
   */
  async queryUpgradePackage(fileId: string, accessToken: string | null = null): Promise<QueryUpgradePackageOutDTO> {
    return this.call(API.queryUpgradePackage, { params: { fileId } }, accessToken);
  }

  /**
   * Deletes an uploaded package. The platform answers 204.
   * @param fileId - id of the package.
   * @param accessToken - the token, or null while the refresh timer runs.
   */
  async deleteUpgradePackage(fileId: string, accessToken: string | null = null): Promise<void> {
    await this.call(API.deleteUpgradePackage, { params: { fileId } }, accessToken);
  }

  /**
   * Creates a task that installs a software package on the target devices.
   * @param cutInDTO - the package, the targets and the optional execution policy. The targets must name at least one
   *   device, device group, or device type / model / manufacturer; device and group ids must not be empty; a policy
   *   with `executeType` `custom` needs `startTime` and `endTime`.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns the id of the new task.
   */
  async createSoftwareUpgradeTask(cutInDTO: CreateUpgradeTaskInDTO, accessToken: string | null = null): Promise<CreateUpgradeTaskOutDTO> {
    return this.call(API.createSoftwareUpgradeTask, { json: this.#taskBody(cutInDTO) }, accessToken);
  }

  /**
   * Creates a task that installs a firmware package on the target devices (LWM2M / NB-IoT devices).
   * @param cutInDTO - the package, the targets and the optional execution policy, checked as for
   *   {@link DeviceUpgrade.createSoftwareUpgradeTask}.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns the id of the new task.
   */
  async createFirmwareUpgradeTask(cutInDTO: CreateUpgradeTaskInDTO, accessToken: string | null = null): Promise<CreateUpgradeTaskOutDTO> {
    return this.call(API.createFirmwareUpgradeTask, { json: this.#taskBody(cutInDTO) }, accessToken);
  }

  /**
   * Reads an upgrade task: its targets, policy, status and the count of device upgrades in each state.
   * @param operationId - id of the task.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns the task.
   */
  async queryUpgradeTask(operationId: string, accessToken: string | null = null): Promise<QueryUpgradeTaskOutDTO> {
    return this.call(API.queryUpgradeTask, { params: { operationId } }, accessToken);
  }

  /**
   * Lists the device upgrades of a task, one page at a time.
   * @param qustInDTO - status filter and page; every field is optional.
   * @param operationId - id of the task.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns one page of device upgrades with the total count.
   */
  async queryUpgradeSubTask(qustInDTO: QueryUpgradeSubTaskInDTO, operationId: string, accessToken: string | null = null): Promise<QueryUpgradeSubTaskOutDTO> {
    const input = requireObject(qustInDTO, 'qustInDTO');
    const query = {
      subOperationStatus: optionalString(input.subOperationStatus, 'qustInDTO.subOperationStatus'),
      ...paging(input, 'qustInDTO', 1, MAX_PAGE_SIZE),
    };
    return this.call(API.queryUpgradeSubTask, { params: { operationId }, query }, accessToken);
  }

  /**
   * Lists the upgrade tasks that match the filters, one page at a time. The answer counts them in `totalSize`.
   * @param qutlInDTO - filters and page; every field is optional, but a `deviceId` filter must not be empty.
   * @param accessToken - the token, or null while the refresh timer runs.
   * @returns one page of tasks with the total count.
   */
  async queryUpgradeTaskList(qutlInDTO: QueryUpgradeTaskListInDTO, accessToken: string | null = null): Promise<QueryUpgradeTaskListOutDTO> {
    const input = requireObject(qutlInDTO, 'qutlInDTO');
    const query = {
      ...optionalStrings(input, 'qutlInDTO', ['operationType', 'operationStatus', 'deviceType', 'model', 'manufacturerName']),
      deviceId: optionalId(input.deviceId, 'qutlInDTO.deviceId'),
      ...paging(input, 'qutlInDTO', 1, MAX_PAGE_SIZE),
    };
    return this.call(API.queryUpgradeTaskList, { query }, accessToken);
  }

  /** The checked JSON body of a task creation: declared fields only, without undefined or null values. */
  #taskBody(cutInDTO: CreateUpgradeTaskInDTO): CreateUpgradeTaskInDTO {
    const input = requireObject(cutInDTO, 'cutInDTO');
    return compactDeep(
      {
        fileId: requireString(input.fileId, 'cutInDTO.fileId'),
        targets: targetsOf(input.targets, 'cutInDTO.targets'),
        policy: policyOf(input.policy, 'cutInDTO.policy'),
      },
      'cutInDTO',
    );
  }
}
