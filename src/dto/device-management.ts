// Request and response types of DeviceManagement. Field names are the platform's wire names.
import type { ServiceInfo } from './data-collection.js';

/** Static information about a device (Java SDK DeviceInfo / DeviceInfoDTO); every field is a string on the wire. */
export interface DeviceInfo {
  nodeId?: string;
  name?: string;
  description?: string;
  manufacturerId?: string;
  manufacturerName?: string;
  mac?: string;
  location?: string;
  deviceType?: string;
  model?: string;
  swVersion?: string;
  fwVersion?: string;
  hwVersion?: string;
  protocolType?: string;
  bridgeId?: string;
  /** ONLINE, OFFLINE, INACTIVE or ABNORMAL. */
  status?: string;
  statusDetail?: string;
  mute?: string;
  supportedSecurity?: string;
  isSecurity?: string;
  signalStrength?: string;
  sigVersion?: string;
  serialNumber?: string;
  batteryLevel?: string;
  [field: string]: unknown;
}

export interface RegDirectDeviceInDTO2 {
  /** Unique device identifier (IMEI, MAC...). Required. */
  nodeId: string;
  /**
   * Verification code the device presents when it first connects. The platform echoes it in the answer, or
   * generates one when it is absent.
   */
  verifyCode?: string;
  /** Pre-shared key, 8 to 32 hexadecimal characters. */
  psk?: string;
  endUserId?: string;
  /**
   * Seconds the verification code stays valid, waiting for the device to connect; an unactivated device is deleted
   * when it expires. Absent: the platform default, 180 s (some platform versions document 0 for registration).
   * 0: never expires.
   */
  timeout?: number;
  isSecure?: boolean;
  deviceInfo?: DeviceInfo;
  imsi?: string;
  productId?: string;
}

export interface RegDirectDeviceOutDTO {
  deviceId: string;
  verifyCode: string;
  timeout: number;
  psk: string;
}

export interface RefreshDeviceKeyInDTO {
  verifyCode?: string;
  /** New nodeId; empty keeps the current one. */
  nodeId?: string;
  /** Seconds the new verification code stays valid. Absent: the platform default, 180 s. 0: never expires. */
  timeout?: number;
}

export interface RefreshDeviceKeyOutDTO {
  verifyCode: string;
  timeout: number;
}

export interface DeviceConfigDTO {
  dataConfig?: { dataAgingTime?: number };
}

export interface CustomField {
  fieldName: string;
  fieldType: string;
  fieldValue: unknown;
}

/** Java SDK ModifyDeviceInforInDTO (sic). */
export interface ModifyDeviceInforInDTO {
  name?: string;
  endUser?: string;
  /** "TRUE" freezes the device, "FALSE" unfreezes it. */
  mute?: string;
  manufacturerId?: string;
  manufacturerName?: string;
  deviceType?: string;
  model?: string;
  location?: string;
  /** CoAP, LWM2M or MQTT. */
  protocolType?: string;
  region?: string;
  organization?: string;
  timezone?: string;
  imsi?: string;
  deviceConfig?: DeviceConfigDTO;
  customFields?: CustomField[];
  productId?: string;
}

export interface QueryDeviceStatusOutDTO {
  deviceId: string;
  /** False until the device has connected once. */
  activated: boolean;
  name?: string;
}

export interface CoordinateReferenceSystemDTO {
  identifier?: { code?: string; codeSpace?: string; edition?: string };
}

export interface QueryDeviceRealtimeLocationInDTO {
  deviceId: string;
  /** Horizontal accuracy in metres. The Java SDK always sends it; default here 1000. */
  horAcc?: number;
  geoInfo?: CoordinateReferenceSystemDTO;
}

export interface QueryDeviceRealtimeLocationOutDTO {
  deviceId: string;
  pd?: { time?: string; utcOff?: string; srsName?: string; X?: string; Y?: string; radius?: string };
  poserr?: { time?: string; resid?: string; add_info?: string };
}

/** One service of a device shadow. */
export interface DeviceServiceB {
  serviceId: string;
  serviceType?: string;
  reportedProps?: Record<string, unknown>;
  desiredProps?: Record<string, unknown>;
  eventTime?: string;
  serviceInfo?: ServiceInfo;
}

/** What every device answer carries: ids, node type, times and the device information. */
export interface DeviceSummaryDTO {
  deviceId: string;
  /** For a directly connected device, its own deviceId; else the gateway's. */
  gatewayId?: string;
  /** `ENDPOINT`, `GATEWAY` or `UNKNOWN`. */
  nodeType?: string;
  /** Platform time. */
  createTime?: string;
  /** Platform time. */
  lastModifiedTime?: string;
  deviceInfo?: DeviceInfo;
}

export interface QueryDeviceShadowOutDTO extends DeviceSummaryDTO {
  services?: DeviceServiceB[];
}

export interface ServiceDesiredDTO {
  serviceId: string;
  /** Desired values of writable properties. */
  desired: Record<string, unknown>;
}

export interface ModifyDeviceShadowInDTO {
  serviceDesireds: ServiceDesiredDTO[];
}
