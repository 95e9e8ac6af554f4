// Request and response types of DataCollection. Field names are the platform's wire names.
import type { DeviceSummaryDTO } from './device-management.js';

/** Per-service settings of a device (Java SDK ServiceInfo). */
export interface ServiceInfo {
  /** Commands of the service that are muted (not delivered). */
  muteCmds?: string[];
}

/** One service of a device with the data it last reported (Java SDK DeviceService). */
export interface DeviceService {
  serviceId: string;
  serviceType?: string;
  /** Property values last reported by the device. */
  data?: Record<string, unknown>;
  /** When the data was reported, platform time `yyyyMMdd'T'HHmmss'Z'`. */
  eventTime?: string;
  serviceInfo?: ServiceInfo;
}

/** A device with its information and services (Java SDK QuerySingleDeviceInfoOutDTO). */
export interface QuerySingleDeviceInfoOutDTO extends DeviceSummaryDTO {
  services?: DeviceService[];
}

/**
 * Query of GET devices (Java SDK QueryBatchDevicesInfoInDTO). `gatewayId` and `pageNo` must not both be absent:
 * the SDK refuses such a query with 1007 before sending it.
 */
export interface QueryBatchDevicesInfoInDTO {
  /** Authorised application whose devices are queried; leave out for your own. Sent as the `appId` query parameter. */
  appId?: string;
  /** Only the devices of this gateway (for a directly connected device: its own deviceId); not empty when given. */
  gatewayId?: string;
  /** `ONLINE`, `OFFLINE`, `INACTIVE` or `ABNORMAL`. */
  status?: string;
  /** `ENDPOINT`, `GATEWAY` or `UNKNOWN`. */
  nodeType?: string;
  deviceType?: string;
  /** Page number from 0; default 0. */
  pageNo?: number;
  /** Records per page, 1 to 250; default 25. */
  pageSize?: number;
  /** Only devices registered after this platform time (`yyyyMMdd'T'HHmmss'Z'`). */
  startTime?: string;
  /** Only devices registered before this platform time. */
  endTime?: string;
  /** Order by registration time: `ASC` or `DESC` (default). */
  sort?: 'ASC' | 'DESC';
  /** Extra field to return; only `imsi` is supported. */
  select?: string;
}

/** Answer of GET devices (Java SDK QueryBatchDevicesInfoOutDTO). */
export interface QueryBatchDevicesInfoOutDTO {
  /** Number of devices matching the query, on all pages. */
  totalCount: number;
  pageNo: number;
  pageSize: number;
  devices: QuerySingleDeviceInfoOutDTO[];
}

/** Query of GET deviceDataHistory (Java SDK QueryDeviceDataHistoryInDTO). */
export interface QueryDeviceDataHistoryInDTO {
  /** Authorised application whose device is meant; leave out for your own. Sent as the `appId` query parameter. */
  appId?: string;
  /** Required. */
  deviceId: string;
  /** Required: for a directly connected device, the deviceId itself. */
  gatewayId: string;
  serviceId?: string;
  /** Only records carrying this property. */
  property?: string;
  /** Page number from 0; default 0. */
  pageNo?: number;
  /** Records per page, 1 to 2000; default 1. */
  pageSize?: number;
  /** Only data reported after this platform time (`yyyyMMdd'T'HHmmss'Z'`). */
  startTime?: string;
  /** Only data reported before this platform time. */
  endTime?: string;
}

/** One reported data record (Java SDK DeviceDataHistoryDTO). */
export interface DeviceDataHistoryDTO {
  deviceId: string;
  gatewayId?: string;
  appId?: string;
  serviceId: string;
  data: Record<string, unknown>;
  /** When the data was reported, platform time. */
  timestamp: string;
}

/** Answer of GET deviceDataHistory (Java SDK QueryDeviceDataHistoryOutDTO). */
export interface QueryDeviceDataHistoryOutDTO {
  totalCount: number;
  pageNo: number;
  pageSize: number;
  deviceDataHistoryDTOs: DeviceDataHistoryDTO[];
}

/**
 * Query of GET deviceDesiredHistory (Java SDK QueryDeviceDesiredHistoryInDTO): the same fields as the data history,
 * `property` selecting changes that set that property.
 */
export type QueryDeviceDesiredHistoryInDTO = QueryDeviceDataHistoryInDTO;

/** One change of desired properties (Java SDK DeviceDesiredHistoryDTO). */
export interface DeviceDesiredHistoryDTO {
  deviceId: string;
  gatewayId?: string;
  appId?: string;
  serviceId: string;
  /** The desired values set by this change. */
  desired: Record<string, unknown>;
  /** When the change was made, platform time. */
  timestamp: string;
}

/** Answer of GET deviceDesiredHistory (Java SDK QueryDeviceDesiredHistoryOutDTO). */
export interface QueryDeviceDesiredHistoryOutDTO {
  totalCount: number;
  pageNo: number;
  pageSize: number;
  deviceDesiredHistory: DeviceDesiredHistoryDTO[];
}

/** Query of GET deviceCapabilities (Java SDK QueryDeviceCapabilitiesInDTO); every field is optional. */
export interface QueryDeviceCapabilitiesInDTO {
  /** Only this device; not empty when given. */
  deviceId?: string;
  /** Authorised application whose devices are meant; leave out for your own. Sent as the `appId` query parameter. */
  appId?: string;
  /** Only the devices of this gateway (for a directly connected device: its own deviceId); not empty when given. */
  gatewayId?: string;
}

/** The type and limits of a value in a device profile: a command parameter or a service property. */
export interface ProfileValueDTO {
  /** `int`, `decimal`, `string`, `binary`, `bool`, `json`... */
  dataType?: string;
  required?: boolean;
  min?: string;
  max?: string;
  step?: number;
  maxLength?: number;
  unit?: string;
  enumList?: string[];
}

/** A parameter of a command or of a command response (Java SDK ServiceCommandPara). */
export interface ServiceCommandPara extends ProfileValueDTO {
  paraName: string;
}

/** A response a device gives to a command (Java SDK ServiceCommandResponse). */
export interface ServiceCommandResponse {
  responseName: string;
  paras?: ServiceCommandPara[];
}

/** A command a service accepts (Java SDK ServiceCommand). */
export interface ServiceCommand {
  commandName: string;
  paras?: ServiceCommandPara[];
  responses?: ServiceCommandResponse[];
}

/** A property of a service (Java SDK ServiceProperty). */
export interface ServiceProperty extends ProfileValueDTO {
  propertyName: string;
  /** Access: combination of `R` (readable), `W` (writable) and `E` (reported as events). */
  method?: string;
}

/** What one service of a device can do (Java SDK ServiceCapabilityDTO). */
export interface ServiceCapabilityDTO {
  serviceId: string;
  serviceType?: string;
  /** `Master`, `Mandatory` or `Optional`. */
  option?: string;
  description?: string;
  commands?: ServiceCommand[];
  properties?: ServiceProperty[];
}

/** The capabilities of one device (Java SDK DeviceCapabilityDTO). */
export interface DeviceCapabilityDTO {
  deviceId: string;
  serviceCapabilities: ServiceCapabilityDTO[];
}

/** Answer of GET deviceCapabilities (Java SDK QueryDeviceCapabilitiesOutDTO). */
export interface QueryDeviceCapabilitiesOutDTO {
  deviceCapabilities: DeviceCapabilityDTO[];
}
