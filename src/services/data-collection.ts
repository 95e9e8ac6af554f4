import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  QueryBatchDevicesInfoInDTO,
  QueryBatchDevicesInfoOutDTO,
  QueryDeviceCapabilitiesInDTO,
  QueryDeviceCapabilitiesOutDTO,
  QueryDeviceDataHistoryInDTO,
  QueryDeviceDataHistoryOutDTO,
  QueryDeviceDesiredHistoryInDTO,
  QueryDeviceDesiredHistoryOutDTO,
  QuerySingleDeviceInfoOutDTO,
} from '../dto/data-collection.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import { appIdArgument, invalid, optionalId, optionalString, optionalStrings, paging, requireObject, requireString } from './validation.js';

const DEVICES = '/iocm/app/dm/v1.4.0/devices';

const API = {
  querySingleDeviceInfo: { method: 'GET', path: `${DEVICES}/{deviceId}`, status: 200, appParam: 'appId' },
  queryBatchDevicesInfo: { method: 'GET', path: DEVICES, status: 200, appParam: 'appId' },
  queryDeviceDataHistory: { method: 'GET', path: '/iocm/app/data/v1.2.0/deviceDataHistory', status: 200, appParam: 'appId' },
  queryDeviceDesiredHistory: { method: 'GET', path: '/iocm/app/shadow/v1.5.0/deviceDesiredHistory', status: 200, appParam: 'appId' },
  queryDeviceCapabilities: { method: 'GET', path: '/iocm/app/data/v1.1.0/deviceCapabilities', status: 200, appParam: 'appId' },
} as const satisfies ApiTable;

/** Query of the two history operations, checked; `dto` names the argument in messages. */
function historyQuery(value: unknown, dto: string): Record<string, string | number | undefined> {
  const input = requireObject(value, dto);
  return {
    appId: appIdArgument(input.appId, `${dto}.appId`),
    deviceId: requireString(input.deviceId, `${dto}.deviceId`),
    gatewayId: requireString(input.gatewayId, `${dto}.gatewayId`),
    ...optionalStrings(input, dto, ['serviceId', 'property']),
    ...paging(input, dto, 1, 2000),
    ...optionalStrings(input, dto, ['startTime', 'endTime']),
  };
}

/**
 * Device queries: single and batch device information, data and desired-property history, capabilities (Java SDK `DataCollection`).
 * The authorised application (the `appId` argument, or the DTO's `appId` field) is sent whenever given.
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class DataCollection extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * One device: its information and the data each service last reported.
   * @param deviceId - the device
   * @param select - extra field to return; the platform only accepts `imsi`; null for none
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the device
   */
  async querySingleDeviceInfo(deviceId: string, select: string | null = null, appId: string | null = null, accessToken: string | null = null): Promise<QuerySingleDeviceInfoOutDTO> {
    const selectValue = optionalString(select, 'select');
    return this.call(API.querySingleDeviceInfo, { params: { deviceId }, query: { select: selectValue, appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * Devices matching the filters, one page at a time. The platform needs `gatewayId` or `pageNo` (it answers
   * 400 / 100218 when both are absent), so a query with neither is refused before it is sent.
   * @param qbdiInDTO - filters and paging: `gatewayId` (not empty when given) or `pageNo` is required; its `appId`
   *   names the authorised application whose devices are listed
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns one page of devices and the total count
   */
  async queryBatchDevicesInfo(qbdiInDTO: QueryBatchDevicesInfoInDTO, accessToken: string | null = null): Promise<QueryBatchDevicesInfoOutDTO> {
    const input = requireObject(qbdiInDTO, 'qbdiInDTO');
    const sort = optionalString(input.sort, 'qbdiInDTO.sort');
    if (sort !== undefined && sort !== 'ASC' && sort !== 'DESC') throw invalid('qbdiInDTO.sort', "must be 'ASC' or 'DESC'");
    const query = {
      appId: appIdArgument(input.appId, 'qbdiInDTO.appId'),
      gatewayId: optionalId(input.gatewayId, 'qbdiInDTO.gatewayId'),
      ...optionalStrings(input, 'qbdiInDTO', ['status', 'nodeType', 'deviceType']),
      ...paging(input, 'qbdiInDTO', 1, 250),
      ...optionalStrings(input, 'qbdiInDTO', ['startTime', 'endTime']),
      sort,
      select: optionalString(input.select, 'qbdiInDTO.select'),
    };
    if (query.gatewayId === undefined && query.pageNo === undefined) {
      throw invalid('qbdiInDTO.gatewayId', 'or qbdiInDTO.pageNo is required (the platform refuses a query with neither)');
    }
    return this.call(API.queryBatchDevicesInfo, { query }, accessToken);
  }

  /**
   * Data a device reported. For a directly connected device `gatewayId` is the deviceId itself.
   * @param qddhInDTO - the device, its gateway, filters and paging
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns one page of data records and the total count
   */
  async queryDeviceDataHistory(qddhInDTO: QueryDeviceDataHistoryInDTO, accessToken: string | null = null): Promise<QueryDeviceDataHistoryOutDTO> {
    const query = historyQuery(qddhInDTO, 'qddhInDTO');
    return this.call(API.queryDeviceDataHistory, { query }, accessToken);
  }

  /**
   * Changes of a device's desired properties (made with modifyDeviceShadow).
   * @param qddhInDTO - the device, its gateway, filters and paging
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns one page of desired-property changes and the total count
   */
  async queryDeviceDesiredHistory(qddhInDTO: QueryDeviceDesiredHistoryInDTO, accessToken: string | null = null): Promise<QueryDeviceDesiredHistoryOutDTO> {
    const query = historyQuery(qddhInDTO, 'qddhInDTO');
    return this.call(API.queryDeviceDesiredHistory, { query }, accessToken);
  }

  /**
   * What the services of a device (or of every device of a gateway) can do: their commands and properties.
   * @param qdcInDTO - the device and/or gateway (each not empty when given); its `appId` names the authorised
   *   application owning them
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the capabilities per device
   */
  async queryDeviceCapabilities(qdcInDTO: QueryDeviceCapabilitiesInDTO, accessToken: string | null = null): Promise<QueryDeviceCapabilitiesOutDTO> {
    const input = requireObject(qdcInDTO, 'qdcInDTO');
    const query = {
      deviceId: optionalId(input.deviceId, 'qdcInDTO.deviceId'),
      appId: appIdArgument(input.appId, 'qdcInDTO.appId'),
      gatewayId: optionalId(input.gatewayId, 'qdcInDTO.gatewayId'),
    };
    return this.call(API.queryDeviceCapabilities, { query }, accessToken);
  }
}
