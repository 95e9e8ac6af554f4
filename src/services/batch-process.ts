import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  BatchTaskCreateInDTO2,
  BatchTaskCreateOutDTO,
  QueryOneTaskOutDTO,
  QueryTaskDetailsInDTO,
  QueryTaskDetailsOutDTO,
} from '../dto/batch-process.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import {
  appIdArgument,
  compactDeep,
  invalid,
  oneOf,
  optionalArray,
  optionalIds,
  optionalInteger,
  optionalString,
  optionalStrings,
  paging,
  requireInteger,
  requireObject,
  requireString,
  requireStringList,
} from './validation.js';

const TASKS = '/iocm/app/batchtask/v1.1.0';

const API = {
  // The success status of task creation is not documented; 200 is the likely one (the answer carries a body).
  // The application the task runs for is the body's `appId` field, not a query parameter: no appParam.
  createBatchTask: { method: 'POST', path: `${TASKS}/tasks`, status: 200 },
  queryOneTask: { method: 'GET', path: `${TASKS}/tasks/{taskId}`, status: 200, appParam: 'appId' },
  queryTaskDetails: { method: 'GET', path: `${TASKS}/taskDetails`, status: 200, appParam: 'appId' },
} as const satisfies ApiTable;

const MAX_TASK_NAME_LENGTH = 256;

/** The documented values of a DeviceCmd task's `param.type`. */
const DEVICE_CMD_TYPES = ['DeviceList', 'DeviceType', 'DeviceArea', 'GroupList', 'Broadcast', 'GroupIdList'] as const;

/**
 * A list of ids or names: every item a non-empty string. Optional unless `required`, in which case it must hold at
 * least one item.
 * @param value - the list as the caller gave it
 * @param field - the field's name, as messages show it
 * @param required - whether the list must be present with at least one item
 */
function idItems(value: unknown, field: string, required: boolean): void {
  if (required) requireStringList(value, field);
  else optionalArray(value, field, (list) => requireStringList(list, field, { minLength: 0 }));
}

/** Checks the `param` of a DeviceCmd task. */
function checkDeviceCmd(param: Record<string, unknown>, name: string): void {
  const type = oneOf(requireString(param.type, `${name}.type`), `${name}.type`, DEVICE_CMD_TYPES);
  idItems(param.deviceList, `${name}.deviceList`, type === 'DeviceList');
  idItems(param.groupList, `${name}.groupList`, type === 'GroupList');
  optionalStrings(param, name, ['deviceType', 'manufacturerId', 'model', 'deviceLocation', 'callbackUrl']);
  optionalInteger(param.maxRetransmit, `${name}.maxRetransmit`, 0, 3);
  const command = requireObject(param.command, `${name}.command`);
  requireString(command.serviceId, `${name}.command.serviceId`);
  requireString(command.method, `${name}.command.method`);
  requireObject(command.paras, `${name}.command.paras`);
}

/**
 * Batch tasks (e.g. one command to many devices) and their details (Java SDK `BatchProcess`).
 * The authorised application is sent whenever given: in the body for createBatchTask (`appId`, required), as
 * `?appId=` for the queries. `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class BatchProcess extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Creates a batch task. For `taskType` `DeviceCmd` the platform creates one device command per target device.
   * @param btcInDTO - the task: `appId`, `timeout` (minutes, 10 to 2880), `taskName`, `taskType` and `param` are
   *   required. For `DeviceCmd`, `param.type` must be `DeviceList`, `DeviceType`, `DeviceArea`, `GroupList`,
   *   `Broadcast` or `GroupIdList`; `DeviceList` needs a non-empty `deviceList` and `GroupList` a non-empty
   *   `groupList`, whose items must be non-empty strings; `param.command` needs `serviceId`, `method` and `paras`
   *   (`{}` for none)
   * @param accessToken - a token, or null while the refresh timer runs
   * @returns the new task's id, in the field `taskID`
   */
  async createBatchTask(btcInDTO: BatchTaskCreateInDTO2, accessToken: string | null = null): Promise<BatchTaskCreateOutDTO> {
    const input = requireObject(btcInDTO, 'btcInDTO');
    requireString(input.appId, 'btcInDTO.appId');
    requireInteger(input.timeout, 'btcInDTO.timeout', 10, 2880);
    requireString(input.taskName, 'btcInDTO.taskName', MAX_TASK_NAME_LENGTH);
    const taskType = requireString(input.taskType, 'btcInDTO.taskType');
    const param = requireObject(input.param, 'btcInDTO.param');
    if (taskType === 'DeviceCmd') checkDeviceCmd(param, 'btcInDTO.param');
    optionalArray(input.tags, 'btcInDTO.tags')?.forEach((item, index) => {
      const tag = requireObject(item, `btcInDTO.tags[${index}]`);
      requireString(tag.tagName, `btcInDTO.tags[${index}].tagName`);
      if (typeof tag.tagValue !== 'string') throw invalid(`btcInDTO.tags[${index}].tagValue`, 'must be a string');
    });
    return this.call(API.createBatchTask, { json: compactDeep(input, 'btcInDTO') }, accessToken);
  }

  /**
   * A task with its counters (total, success, fail, timeout, expired, complete) and progress.
   * @param taskId - the task
   * @param select - optional extra data; `tag` adds the task's tags
   * @param appId - the authorised application that owns the task, or null for your own
   * @param accessToken - a token, or null while the refresh timer runs
   */
  async queryOneTask(taskId: string, select: string | null = null, appId: string | null = null, accessToken: string | null = null): Promise<QueryOneTaskOutDTO> {
    const selectValue = optionalString(select, 'select');
    return this.call(API.queryOneTask, { params: { taskId }, query: { select: selectValue, appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * What a task did per device, filtered and paginated.
   * @param qtdInDTO - the task (`taskId`, required), filters and page; the `nodeId`, `deviceId` and `commandId`
   *   filters must not be empty when given
   * @param accessToken - a token, or null while the refresh timer runs
   */
  async queryTaskDetails(qtdInDTO: QueryTaskDetailsInDTO, accessToken: string | null = null): Promise<QueryTaskDetailsOutDTO> {
    const input = requireObject(qtdInDTO, 'qtdInDTO');
    const query = {
      appId: appIdArgument(input.appId, 'qtdInDTO.appId'),
      taskId: requireString(input.taskId, 'qtdInDTO.taskId'),
      status: optionalString(input.status, 'qtdInDTO.status'),
      index: optionalInteger(input.index, 'qtdInDTO.index', 0),
      ...optionalIds(input, 'qtdInDTO', ['nodeId', 'deviceId', 'commandId']),
      ...paging(input, 'qtdInDTO', 1),
    };
    return this.call(API.queryTaskDetails, { query }, accessToken);
  }
}
