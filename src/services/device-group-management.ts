import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type {
  CreateDeviceGroupInDTO,
  CreateDeviceGroupOutDTO,
  DeviceGroupWithDeviceListDTO,
  ModifyDeviceGroupInDTO,
  ModifyDeviceGroupOutDTO,
  QueryDeviceGroupMembersInDTO,
  QueryDeviceGroupMembersOutDTO,
  QueryDeviceGroupsInDTO,
  QueryDeviceGroupsOutDTO,
  QuerySingleDeviceGroupOutDTO,
} from '../dto/device-group-management.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';
import {
  appIdArgument,
  compact,
  optionalArray,
  optionalInteger,
  optionalString,
  paging,
  requireObject,
  requireString,
  requireStringList,
  type StringListLimits,
} from './validation.js';

const GROUPS = '/iocm/app/devgroup/v1.3.0/devGroups';

// Success statuses: the reference leaves them unconfirmed. The platform's REST pages for the group APIs
// (create, modify, delete, query, members, add members) each state "200 OK", deletion included, so 200 is used
// throughout; removing members is assumed to answer 200 like adding them. createDeviceGroup names the authorised
// application in its body (`cdgInDTO.appId`), so it has no app query parameter.
const API = {
  createDeviceGroup: { method: 'POST', path: GROUPS, status: 200 },
  deleteDeviceGroup: { method: 'DELETE', path: `${GROUPS}/{devGroupId}`, status: 200, appParam: 'accessAppId' },
  modifyDeviceGroup: { method: 'PUT', path: `${GROUPS}/{devGroupId}`, status: 200, appParam: 'accessAppId' },
  queryDeviceGroups: { method: 'GET', path: GROUPS, status: 200, appParam: 'accessAppId' },
  querySingleDeviceGroup: { method: 'GET', path: `${GROUPS}/{devGroupId}`, status: 200, appParam: 'accessAppId' },
  queryDeviceGroupMembers: { method: 'GET', path: '/iocm/app/dm/v1.2.0/devices/ids', status: 200, appParam: 'accessAppId' },
  addDevicesToGroup: { method: 'POST', path: '/iocm/app/dm/v1.1.0/devices/addDevGroupTagToDevices', status: 200, appParam: 'accessAppId' },
  deleteDevicesFromGroup: { method: 'POST', path: '/iocm/app/dm/v1.1.0/devices/deleteDevGroupTagFromDevices', status: 200, appParam: 'accessAppId' },
} as const satisfies ApiTable;

const MAX_NAME_LENGTH = 50;
const MAX_DESCRIPTION_LENGTH = 1024;
/** Most device ids one request may carry (documented `List<String>(1000)`). */
const MAX_DEVICE_IDS = 1000;
const MAX_PAGE_SIZE = 1000;

/** The limits of a list of device ids: at most 1000 of them. */
const DEVICE_IDS: StringListLimits = { maxLength: MAX_DEVICE_IDS, tooLong: `must hold at most ${MAX_DEVICE_IDS} device ids` };

/** The body of the member calls: the group and 1 to 1000 device ids. */
function memberList(dgwdlDTO: unknown): DeviceGroupWithDeviceListDTO {
  const input = requireObject(dgwdlDTO, 'dgwdlDTO');
  return {
    devGroupId: requireString(input.devGroupId, 'dgwdlDTO.devGroupId'),
    deviceIds: requireStringList(input.deviceIds, 'dgwdlDTO.deviceIds', DEVICE_IDS),
  };
}

/**
 * Device groups and their members (Java SDK `DeviceGroupManagement`). `accessAppId` is the authorised application
 * that owns the group (null for your own); it is sent as the `accessAppId` query parameter whenever given.
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class DeviceGroupManagement extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }

  /**
   * Creates a device group, optionally with its first members.
   *
   * @param cdgInDTO - name (unique per application), description, maxDevNum, deviceIds and, for a group of an
   *   authorised application, its appId
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the new group with its id
   */
  async createDeviceGroup(cdgInDTO: CreateDeviceGroupInDTO, accessToken: string | null = null): Promise<CreateDeviceGroupOutDTO> {
    const input = requireObject(cdgInDTO, 'cdgInDTO');
    const body = compact({
      name: requireString(input.name, 'cdgInDTO.name', MAX_NAME_LENGTH),
      description: optionalString(input.description, 'cdgInDTO.description', MAX_DESCRIPTION_LENGTH),
      appId: appIdArgument(input.appId, 'cdgInDTO.appId'),
      maxDevNum: optionalInteger(input.maxDevNum, 'cdgInDTO.maxDevNum', 0),
      deviceIds: optionalArray(input.deviceIds, 'cdgInDTO.deviceIds', (list, field) => requireStringList(list, field, { ...DEVICE_IDS, minLength: 0 })),
    });
    return this.call(API.createDeviceGroup, { json: body }, accessToken);
  }

  /**
   * Deletes a device group (its devices stay).
   *
   * @param devGroupId - the group
   * @param accessAppId - authorised application that owns the group, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async deleteDeviceGroup(devGroupId: string, accessAppId: string | null = null, accessToken: string | null = null): Promise<void> {
    const query = { accessAppId: appIdArgument(accessAppId, 'accessAppId') };
    await this.call(API.deleteDeviceGroup, { params: { devGroupId }, query }, accessToken);
  }

  /**
   * Renames a group and changes its description and device limit.
   *
   * @param mdgInDTO - the new name (required), description and maxDevNum
   * @param devGroupId - the group
   * @param accessAppId - authorised application that owns the group, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the group as modified
   */
  async modifyDeviceGroup(mdgInDTO: ModifyDeviceGroupInDTO, devGroupId: string, accessAppId: string | null = null, accessToken: string | null = null): Promise<ModifyDeviceGroupOutDTO> {
    const input = requireObject(mdgInDTO, 'mdgInDTO');
    const body = compact({
      name: requireString(input.name, 'mdgInDTO.name', MAX_NAME_LENGTH),
      description: optionalString(input.description, 'mdgInDTO.description', MAX_DESCRIPTION_LENGTH),
      maxDevNum: optionalInteger(input.maxDevNum, 'mdgInDTO.maxDevNum', 0),
    });
    const query = { accessAppId: appIdArgument(accessAppId, 'accessAppId') };
    return this.call(API.modifyDeviceGroup, { params: { devGroupId }, query, json: body }, accessToken);
  }

  /**
   * A page of the application's device groups, optionally only the one with a given name.
   *
   * @param qdgInDTO - accessAppId, pageNo, pageSize and name (all optional)
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async queryDeviceGroups(qdgInDTO: QueryDeviceGroupsInDTO, accessToken: string | null = null): Promise<QueryDeviceGroupsOutDTO> {
    const input = requireObject(qdgInDTO, 'qdgInDTO');
    const query = {
      accessAppId: appIdArgument(input.accessAppId, 'qdgInDTO.accessAppId'),
      ...paging(input, 'qdgInDTO', 1, MAX_PAGE_SIZE),
      name: optionalString(input.name, 'qdgInDTO.name'),
    };
    return this.call(API.queryDeviceGroups, { query }, accessToken);
  }

  /**
   * One device group with its details.
   *
   * @param devGroupId - the group
   * @param accessAppId - authorised application that owns the group, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async querySingleDeviceGroup(devGroupId: string, accessAppId: string | null = null, accessToken: string | null = null): Promise<QuerySingleDeviceGroupOutDTO> {
    const query = { accessAppId: appIdArgument(accessAppId, 'accessAppId') };
    return this.call(API.querySingleDeviceGroup, { params: { devGroupId }, query }, accessToken);
  }

  /**
   * A page of the device ids in a group.
   *
   * @param qdgmInDTO - devGroupId (required), accessAppId, pageNo and pageSize
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async queryDeviceGroupMembers(qdgmInDTO: QueryDeviceGroupMembersInDTO, accessToken: string | null = null): Promise<QueryDeviceGroupMembersOutDTO> {
    const input = requireObject(qdgmInDTO, 'qdgmInDTO');
    const query = {
      devGroupId: requireString(input.devGroupId, 'qdgmInDTO.devGroupId'),
      accessAppId: appIdArgument(input.accessAppId, 'qdgmInDTO.accessAppId'),
      ...paging(input, 'qdgmInDTO', 1, MAX_PAGE_SIZE),
    };
    return this.call(API.queryDeviceGroupMembers, { query }, accessToken);
  }

  /**
   * Adds devices to a group (devices already in it are left as they are).
   *
   * @param dgwdlDTO - the group and 1 to 1000 device ids
   * @param accessAppId - authorised application that owns the group, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   * @returns the group id and the device ids added
   */
  async addDevicesToGroup(dgwdlDTO: DeviceGroupWithDeviceListDTO, accessAppId: string | null = null, accessToken: string | null = null): Promise<DeviceGroupWithDeviceListDTO> {
    const body = memberList(dgwdlDTO);
    const query = { accessAppId: appIdArgument(accessAppId, 'accessAppId') };
    return this.call(API.addDevicesToGroup, { query, json: body }, accessToken);
  }

  /**
   * Removes devices from a group (the devices themselves stay).
   *
   * @param dgwdlDTO - the group and 1 to 1000 device ids
   * @param accessAppId - authorised application that owns the group, or null for your own
   * @param accessToken - token to use, or null while the refresh timer runs
   */
  async deleteDevicesFromGroup(dgwdlDTO: DeviceGroupWithDeviceListDTO, accessAppId: string | null = null, accessToken: string | null = null): Promise<void> {
    const body = memberList(dgwdlDTO);
    const query = { accessAppId: appIdArgument(accessAppId, 'accessAppId') };
    await this.call(API.deleteDevicesFromGroup, { query, json: body }, accessToken);
  }
}
