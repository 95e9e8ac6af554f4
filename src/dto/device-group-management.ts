// Request and response types of DeviceGroupManagement. Field names are the platform's wire names.

/** A new device group (Java SDK CreateDeviceGroupInDTO). */
export interface CreateDeviceGroupInDTO {
  /** Group name, 1 to 50 letters and digits, unique within the application. Required. */
  name: string;
  /** Free text, at most 1024 characters. */
  description?: string;
  /** The authorised application the group is created in; leave it out for your own. */
  appId?: string;
  /** Most devices the group may hold; 0 (the default) means no limit. */
  maxDevNum?: number;
  /** Devices to put into the group right away (at most 1000). */
  deviceIds?: string[];
}

/** A device group as the platform describes it; the answers of the group methods share these fields. */
export interface DeviceGroupDTO {
  name: string;
  /** Null when the group has none. */
  description?: string | null;
  /** The group id (devGroupId). */
  id: string;
  /** The application that owns the group. */
  appId: string;
  /** Most devices the group may hold; 0 means no limit. */
  maxDevNum: number;
  /** Devices in the group now. */
  curDevNum: number;
}

/** A group as created (Java SDK CreateDeviceGroupOutDTO). */
export interface CreateDeviceGroupOutDTO extends DeviceGroupDTO {
  /** The group's devices, where the platform lists them. */
  deviceIds?: string[];
}

/** New name, description and limit of a group (Java SDK ModifyDeviceGroupInDTO). */
export interface ModifyDeviceGroupInDTO {
  /** Group name, 1 to 50 letters and digits, unique within the application. Required. */
  name: string;
  /** Free text, at most 1024 characters. */
  description?: string;
  /** Most devices the group may hold; 0 means no limit. */
  maxDevNum?: number;
}

/** A group after modification (Java SDK ModifyDeviceGroupOutDTO). */
export type ModifyDeviceGroupOutDTO = DeviceGroupDTO;

/** Filter and page of a group query (Java SDK QueryDeviceGroupsInDTO); every field is optional. */
export interface QueryDeviceGroupsInDTO {
  /** The authorised application whose groups are listed; leave it out for your own. */
  accessAppId?: string;
  /** Page number from 0 (default 0). */
  pageNo?: number;
  /** Groups per page, 1 to 1000 (default 10). */
  pageSize?: number;
  /** Only the group with this name. */
  name?: string;
}

/** One group with its details (Java SDK QuerySingleDeviceGroupOutDTO). */
export interface QuerySingleDeviceGroupOutDTO extends DeviceGroupDTO {
  /** Who created the group. */
  creator?: string;
}

/** One page of groups (Java SDK QueryDeviceGroupsOutDTO). */
export interface QueryDeviceGroupsOutDTO {
  /** Groups matching the filter, all pages together. */
  totalCount: number;
  pageNo: number;
  pageSize: number;
  list: QuerySingleDeviceGroupOutDTO[];
}

/** Which group's members to list, and which page (Java SDK QueryDeviceGroupMembersInDTO). */
export interface QueryDeviceGroupMembersInDTO {
  /** The group. Required. */
  devGroupId: string;
  /** The authorised application that owns the group; leave it out for your own. */
  accessAppId?: string;
  /** Page number from 0 (default 0). */
  pageNo?: number;
  /** Device ids per page, 1 to 1000 (default 10). */
  pageSize?: number;
}

/** One page of a group's members (Java SDK QueryDeviceGroupMembersOutDTO). */
export interface QueryDeviceGroupMembersOutDTO {
  /** Devices in the group. */
  totalCount: number;
  pageNo: number;
  pageSize: number;
  deviceIds: string[];
}

/** A group and a list of its (future or former) members (Java SDK DeviceGroupWithDeviceListDTO). */
export interface DeviceGroupWithDeviceListDTO {
  /** The group. Required. */
  devGroupId: string;
  /** Devices to add or remove, 1 to 1000 ids. Required. */
  deviceIds: string[];
}
