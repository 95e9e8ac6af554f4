import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  CreateDeviceCmdCancelTaskInDTO,
  CreateDeviceCmdCancelTaskOutDTO,
  PostDeviceCommandInDTO2,
  PostDeviceCommandOutDTO2,
  QueryDeviceCmdCancelTaskInDTO2,
  QueryDeviceCmdCancelTaskOutDTO2,
  QueryDeviceCommandInDTO2,
  QueryDeviceCommandOutDTO2,
  UpdateDeviceCommandInDTO,
  UpdateDeviceCommandOutDTO,
} from '../dto/signal-delivery.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import { appIdArgument, compactDeep, oneOf, optionalIds, optionalInteger, optionalString, optionalStrings, paging, requireObject, requireString } from './validation.js';

const CMD = '/iocm/app/cmd/v1.4.0';

const API = {
  postDeviceCommand: { method: 'POST', path: `${CMD}/deviceCommands`, status: 201, appParam: 'appId' },
  queryDeviceCommand: { method: 'GET', path: `${CMD}/deviceCommands`, status: 200, appParam: 'appId' },
  updateDeviceCommand: { method: 'PUT', path: `${CMD}/deviceCommands/{deviceCommandId}`, status: 200, appParam: 'appId' },
  // Success status unconfirmed by the platform docs; 201 (a task resource is created) is the likely one.
  createDeviceCmdCancelTask: { method: 'POST', path: `${CMD}/deviceCommandCancelTasks`, status: 201, appParam: 'appId' },
  queryDeviceCmdCancelTask: { method: 'GET', path: `${CMD}/deviceCommandCancelTasks`, status: 200, appParam: 'appId' },
} as const satisfies ApiTable;

/** Longest callbackUrl the platform accepts. */
const MAX_CALLBACK_URL = 1024;

/** Largest page of the command and revocation-task queries. */
const MAX_PAGE_SIZE = 1000;

/**
 * NB-IoT/LWM2M device commands: create, query, cancel, and command revocation tasks (Java SDK `SignalDelivery`).
 * `appId` is the authorised application whose device or commands are meant (null for your own); it is sent whenever
 * given. `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class SignalDelivery extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Creates a command for a device. An online device gets it at once (status `SENT`); for an offline device the
   * platform caches it for `expireTime` seconds (status `PENDING`). The platform answers 201.
   * @param pdcInDTO - the device, the command (`serviceId`, `method` and `paras` are all required; `paras` may be
   *   `{}` for a command without parameters), and optionally callbackUrl, expireTime and maxRetransmit
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the created command
   */
  async postDeviceCommand(pdcInDTO: PostDeviceCommandInDTO2, appId: string | null = null, accessToken: string | null = null): Promise<PostDeviceCommandOutDTO2> {
    const input = requireObject(pdcInDTO, 'pdcInDTO');
    const deviceId = requireString(input.deviceId, 'pdcInDTO.deviceId');
    const command = requireObject(input.command, 'pdcInDTO.command');
    const serviceId = requireString(command.serviceId, 'pdcInDTO.command.serviceId');
    const method = requireString(command.method, 'pdcInDTO.command.method');
    const paras = requireObject(command.paras, 'pdcInDTO.command.paras');
    const callbackUrl = optionalString(input.callbackUrl, 'pdcInDTO.callbackUrl', MAX_CALLBACK_URL);
    const expireTime = optionalInteger(input.expireTime, 'pdcInDTO.expireTime', 0);
    const maxRetransmit = optionalInteger(input.maxRetransmit, 'pdcInDTO.maxRetransmit', 0, 3);
    const json = compactDeep({ deviceId, command: { serviceId, method, paras }, callbackUrl, expireTime, maxRetransmit }, 'pdcInDTO');
    return this.call(API.postDeviceCommand, { query: { appId: appIdArgument(appId) }, json }, accessToken);
  }

  /**
   * Lists device commands, one page at a time.
   * @param qdcInDTO - filters and paging (a `deviceId` filter, when given, must not be empty); its `appId` names the
   *   authorised application whose commands are listed
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns one page of commands and the paging information (`totalSize`)
   */
  async queryDeviceCommand(qdcInDTO: QueryDeviceCommandInDTO2, accessToken: string | null = null): Promise<QueryDeviceCommandOutDTO2> {
    const input = requireObject(qdcInDTO, 'qdcInDTO');
    const query = {
      ...paging(input, 'qdcInDTO', 1, MAX_PAGE_SIZE),
      ...optionalIds(input, 'qdcInDTO', ['deviceId']),
      ...optionalStrings(input, 'qdcInDTO', ['startTime', 'endTime']),
      appId: appIdArgument(input.appId, 'qdcInDTO.appId'),
    };
    return this.call(API.queryDeviceCommand, { query }, accessToken);
  }

  /**
   * Changes a command; the platform only supports cancelling a PENDING command (`{"status":"CANCELED"}`).
   * @param udcInDTO - the change: `status` must be `CANCELED`, the only value the platform supports
   * @param deviceCommandId - the command's id
   * @param appId - authorised application owning the command, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the updated command
   */
  async updateDeviceCommand(udcInDTO: UpdateDeviceCommandInDTO, deviceCommandId: string, appId: string | null = null, accessToken: string | null = null): Promise<UpdateDeviceCommandOutDTO> {
    const input = requireObject(udcInDTO, 'udcInDTO');
    const status = oneOf(requireString(input.status, 'udcInDTO.status'), 'udcInDTO.status', ['CANCELED']);
    return this.call(API.updateDeviceCommand, { params: { deviceCommandId }, query: { appId: appIdArgument(appId) }, json: { status } }, accessToken);
  }

  /**
   * Revokes every command of a device that has not been delivered yet (the PENDING ones).
   * @param cdcctInDTO - the device
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the revocation task with the commands it revoked
   */
  async createDeviceCmdCancelTask(cdcctInDTO: CreateDeviceCmdCancelTaskInDTO, appId: string | null = null, accessToken: string | null = null): Promise<CreateDeviceCmdCancelTaskOutDTO> {
    const input = requireObject(cdcctInDTO, 'cdcctInDTO');
    const deviceId = requireString(input.deviceId, 'cdcctInDTO.deviceId');
    return this.call(API.createDeviceCmdCancelTask, { query: { appId: appIdArgument(appId) }, json: { deviceId } }, accessToken);
  }

  /**
   * Lists command revocation tasks, one page at a time.
   * @param qdcctInDTO - filters and paging (`taskId` and `deviceId` filters, when given, must not be empty); its
   *   `appId` names the authorised application whose tasks are listed
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns one page of tasks and the paging information (`totalSize`)
   */
  async queryDeviceCmdCancelTask(qdcctInDTO: QueryDeviceCmdCancelTaskInDTO2, accessToken: string | null = null): Promise<QueryDeviceCmdCancelTaskOutDTO2> {
    const input = requireObject(qdcctInDTO, 'qdcctInDTO');
    const query = {
      ...paging(input, 'qdcctInDTO', 1, MAX_PAGE_SIZE),
      ...optionalIds(input, 'qdcctInDTO', ['taskId', 'deviceId']),
      ...optionalStrings(input, 'qdcctInDTO', ['status', 'startTime', 'endTime']),
      appId: appIdArgument(input.appId, 'qdcctInDTO.appId'),
    };
    return this.call(API.queryDeviceCmdCancelTask, { query }, accessToken);
  }
}
