import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  ModifyDeviceInforInDTO,
  ModifyDeviceShadowInDTO,
  QueryDeviceRealtimeLocationInDTO,
  QueryDeviceRealtimeLocationOutDTO,
  QueryDeviceShadowOutDTO,
  QueryDeviceStatusOutDTO,
  RefreshDeviceKeyInDTO,
  RefreshDeviceKeyOutDTO,
  RegDirectDeviceInDTO2,
  RegDirectDeviceOutDTO,
} from '../dto/device-management.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import {
  appIdArgument,
  compactDeep,
  invalid,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
  optionalStrings,
  requireArray,
  requireObject,
  requireString,
} from './validation.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DM = '/iocm/app/dm/v1.4.0/devices';
const SHADOW = '/iocm/app/shadow/v1.5.0/devices';

const API = {
  regDirectDevice: { method: 'POST', path: REG, status: 200, appParam: 'appId' },
  refreshDeviceKey: { method: 'PUT', path: `${REG}/{deviceId}`, status: 200, appParam: 'appId' },
  modifyDeviceInfo: { method: 'PUT', path: `${DM}/{deviceId}`, status: 204, appParam: 'appId' },
  deleteDirectDevice: { method: 'DELETE', path: `${DM}/{deviceId}`, status: 204, appParam: 'appId' },
  queryDeviceStatus: { method: 'GET', path: `${REG}/{deviceId}`, status: 200, appParam: 'appId' },
  queryDeviceRealtimeLocation: { method: 'POST', path: '/iocm/app/location/v1.1.0/queryDeviceRealtimeLocation', status: 200, appParam: 'appId' },
  queryDeviceShadow: { method: 'GET', path: `${SHADOW}/{deviceId}`, status: 200, appParam: 'appId' },
  modifyDeviceShadow: { method: 'PUT', path: `${SHADOW}/{deviceId}`, status: 200, appParam: 'appId' },
} as const satisfies ApiTable;

/** The string fields of ModifyDeviceInforInDTO. */
const MODIFIABLE_STRING_FIELDS = [
  'name',
  'endUser',
  'mute',
  'manufacturerId',
  'manufacturerName',
  'deviceType',
  'model',
  'location',
  'protocolType',
  'region',
  'organization',
  'timezone',
  'imsi',
  'productId',
] as const;

/**
 * Device registration, modification, deletion, status, location and shadow (Java SDK `DeviceManagement`).
 * `appId` is the authorised application whose device is meant (null for your own); it is sent whenever given.
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class DeviceManagement extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Registers a directly connected device (verification-code mode). Null and undefined fields are left out of the
   * body at every depth (e.g. inside `deviceInfo`).
   * @param rddInDto - the device: `nodeId` is required; `psk` must be 8 to 32 hexadecimal characters
   * @param appId - authorised application the device is registered for, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the new device's id, its verification code (the one given, or one the platform generated), timeout and psk
   */
  async regDirectDevice(rddInDto: RegDirectDeviceInDTO2, appId: string | null = null, accessToken: string | null = null): Promise<RegDirectDeviceOutDTO> {
    const input = requireObject(rddInDto, 'rddInDto');
    requireString(input.nodeId, 'rddInDto.nodeId');
    optionalString(input.verifyCode, 'rddInDto.verifyCode');
    const psk = optionalString(input.psk, 'rddInDto.psk');
    if (psk !== undefined && !/^[0-9a-fA-F]{8,32}$/.test(psk)) throw invalid('rddInDto.psk', 'must be 8 to 32 hexadecimal characters');
    optionalString(input.endUserId, 'rddInDto.endUserId');
    optionalInteger(input.timeout, 'rddInDto.timeout', 0);
    optionalBoolean(input.isSecure, 'rddInDto.isSecure');
    optionalObject(input.deviceInfo, 'rddInDto.deviceInfo');
    optionalStrings(input, 'rddInDto', ['imsi', 'productId']);
    return this.call(API.regDirectDevice, { query: { appId: appIdArgument(appId) }, json: compactDeep(input, 'rddInDto') }, accessToken);
  }

  /**
   * Gives an offline device a new verification code (and optionally nodeId and timeout). Null and undefined fields
   * are left out of the body at every depth.
   * @param rdkInDTO - the new verification code, nodeId (empty or absent keeps the current one) and timeout
   * @param deviceId - the device
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the verification code and timeout now in force
   */
  async refreshDeviceKey(rdkInDTO: RefreshDeviceKeyInDTO, deviceId: string, appId: string | null = null, accessToken: string | null = null): Promise<RefreshDeviceKeyOutDTO> {
    const input = requireObject(rdkInDTO, 'rdkInDTO');
    optionalStrings(input, 'rdkInDTO', ['verifyCode', 'nodeId']);
    optionalInteger(input.timeout, 'rdkInDTO.timeout', 0);
    return this.call(API.refreshDeviceKey, { params: { deviceId }, query: { appId: appIdArgument(appId) }, json: compactDeep(input, 'rdkInDTO') }, accessToken);
  }

  /**
   * Modifies a device's information. Null and undefined fields are left out of the body at every depth (e.g. inside
   * `deviceConfig` and `customFields`). The platform answers 204.
   * @param mdiInDto - the fields to change
   * @param deviceId - the device
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async modifyDeviceInfo(mdiInDto: ModifyDeviceInforInDTO, deviceId: string, appId: string | null = null, accessToken: string | null = null): Promise<void> {
    const input = requireObject(mdiInDto, 'mdiInDto');
    optionalStrings(input, 'mdiInDto', MODIFIABLE_STRING_FIELDS);
    optionalObject(input.deviceConfig, 'mdiInDto.deviceConfig');
    optionalArray(input.customFields, 'mdiInDto.customFields');
    await this.call(API.modifyDeviceInfo, { params: { deviceId }, query: { appId: appIdArgument(appId) }, json: compactDeep(input, 'mdiInDto') }, accessToken);
  }

  /**
   * Deletes a directly connected device; `cascade` decides what happens to its indirectly connected children.
   * @param deviceId - the device
   * @param cascade - true deletes the children too, false makes them directly connected; null leaves it out
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async deleteDirectDevice(deviceId: string, cascade: boolean | null = null, appId: string | null = null, accessToken: string | null = null): Promise<void> {
    const cascadeValue = optionalBoolean(cascade, 'cascade');
    await this.call(API.deleteDirectDevice, { params: { deviceId }, query: { cascade: cascadeValue, appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * Whether a device has connected (activated) at least once.
   * @param deviceId - the device
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the device id, whether it is activated, and its name
   */
  async queryDeviceStatus(deviceId: string, appId: string | null = null, accessToken: string | null = null): Promise<QueryDeviceStatusOutDTO> {
    return this.call(API.queryDeviceStatus, { params: { deviceId }, query: { appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * The device's current position. Null and undefined fields of `geoInfo` are left out of the body.
   * @param qdrlInDTO - the device (required), the horizontal accuracy in metres (default 1000) and the coordinate system
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the position and its error estimate
   */
  async queryDeviceRealtimeLocation(qdrlInDTO: QueryDeviceRealtimeLocationInDTO, appId: string | null = null, accessToken: string | null = null): Promise<QueryDeviceRealtimeLocationOutDTO> {
    const input = requireObject(qdrlInDTO, 'qdrlInDTO');
    const deviceId = requireString(input.deviceId, 'qdrlInDTO.deviceId');
    const horAcc = optionalInteger(input.horAcc, 'qdrlInDTO.horAcc', 0) ?? 1000;
    const geoInfo = optionalObject(input.geoInfo, 'qdrlInDTO.geoInfo');
    return this.call(API.queryDeviceRealtimeLocation, { query: { appId: appIdArgument(appId) }, json: compactDeep({ deviceId, horAcc, geoInfo }, 'qdrlInDTO') }, accessToken);
  }

  /**
   * The device shadow: reported and desired properties per service.
   * @param deviceId - the device
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the device with its services
   */
  async queryDeviceShadow(deviceId: string, appId: string | null = null, accessToken: string | null = null): Promise<QueryDeviceShadowOutDTO> {
    return this.call(API.queryDeviceShadow, { params: { deviceId }, query: { appId: appIdArgument(appId) } }, accessToken);
  }

  /**
   * Sets desired property values in the device shadow. Each entry is sent as `{serviceId, desired}` only, without
   * null or undefined values. The platform answers 200 without a body.
   * @param mdsInDTO - at least one `{serviceId, desired}` entry
   * @param deviceId - the device
   * @param appId - authorised application owning the device, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async modifyDeviceShadow(mdsInDTO: ModifyDeviceShadowInDTO, deviceId: string, appId: string | null = null, accessToken: string | null = null): Promise<void> {
    const input = requireObject(mdsInDTO, 'mdsInDTO');
    const serviceDesireds = requireArray(input.serviceDesireds, 'mdsInDTO.serviceDesireds').map((item, index) => {
      const entry = requireObject(item, `mdsInDTO.serviceDesireds[${index}]`);
      const serviceId = requireString(entry.serviceId, `mdsInDTO.serviceDesireds[${index}].serviceId`);
      const desired = requireObject(entry.desired, `mdsInDTO.serviceDesireds[${index}].desired`);
      return { serviceId, desired };
    });
    await this.call(API.modifyDeviceShadow, { params: { deviceId }, query: { appId: appIdArgument(appId) }, json: compactDeep({ serviceDesireds }, 'mdsInDTO') }, accessToken);
  }
}
