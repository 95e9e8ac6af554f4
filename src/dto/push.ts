// Push messages the platform posts to an application (see PushMessageReceiver). Field names are the platform's wire
// names. Every field but the notification type and the identifying ones may be absent: the platform leaves out what
// does not apply, and a receiver must not reject a message for that.

import type { DeviceInfo } from './device-management.js';

/** Fields every subscription notification carries. */
export interface NotifyMessageBase<T extends string> {
  /** The notification type the application subscribed to. */
  notifyType: T;
}

/** A device was registered (`deviceAdded`). */
export interface NotifyDeviceAddedDTO extends NotifyMessageBase<'deviceAdded'> {
  deviceId: string;
  gatewayId?: string;
  /** ENDPOINT, GATEWAY or UNKNOWN. */
  nodeType?: string;
  deviceInfo?: DeviceInfo;
}

/** A device connected for the first time and was bound (`bindDevice`). */
export interface NotifyBindDeviceDTO extends NotifyMessageBase<'bindDevice'> {
  deviceId: string;
  /** Binding result, e.g. `expired` or `succeeded`. */
  resultCode?: string;
  deviceInfo?: DeviceInfo;
}

/** Device information or status changed (`deviceInfoChanged`), e.g. it went ONLINE or OFFLINE. */
export interface NotifyDeviceInfoChangedDTO extends NotifyMessageBase<'deviceInfoChanged'> {
  deviceId: string;
  gatewayId?: string;
  deviceInfo?: DeviceInfo;
}

/** Data of one service as a device reported it. */
export interface DeviceServiceData {
  serviceId: string;
  serviceType?: string;
  /** The reported properties. */
  data?: Record<string, unknown>;
  /** When the data was measured: `yyyyMMdd'T'HHmmss'Z'`. */
  eventTime?: string;
  /** Muted commands and similar per-service settings. */
  serviceInfo?: Record<string, unknown>;
}

/** A device reported data of one service (`deviceDataChanged`). */
export interface NotifyDeviceDataChangedDTO extends NotifyMessageBase<'deviceDataChanged'> {
  requestId?: string;
  deviceId: string;
  gatewayId?: string;
  service: DeviceServiceData;
}

/**
 * A device reported data of several services at once (`deviceDatasChanged`). The platform's example lists the
 * services under `service`, its field table under `services`: the receiver accepts both and always hands over
 * `services`.
 */
export interface NotifyDeviceDatasChangedDTO extends NotifyMessageBase<'deviceDatasChanged'> {
  requestId?: string;
  deviceId: string;
  gatewayId?: string;
  services: DeviceServiceData[];
}

/** Service settings of a device changed (`serviceInfoChanged`). */
export interface NotifyServiceInfoChangedDTO extends NotifyMessageBase<'serviceInfoChanged'> {
  deviceId: string;
  gatewayId?: string;
  serviceId: string;
  serviceType?: string;
  /** e.g. `{ muteCmds: 'VIBRATE' }`. */
  serviceInfo?: Record<string, unknown>;
}

/** A device was deleted (`deviceDeleted`). */
export interface NotifyDeviceDeletedDTO extends NotifyMessageBase<'deviceDeleted'> {
  deviceId: string;
  gatewayId?: string;
}

/** Header of a message confirmation. */
export interface MessageConfirmHeader {
  requestId?: string;
  from?: string;
  to?: string;
  /** e.g. `sent` or `delivered`. */
  status?: string;
  timestamp?: string;
}

/** A device confirmed a message (`messageConfirm`). */
export interface NotifyMessageConfirmDTO extends NotifyMessageBase<'messageConfirm'> {
  header: MessageConfirmHeader;
  body?: Record<string, unknown>;
}

/** Header of a command response. */
export interface CommandRspHeader {
  requestId?: string;
  from?: string;
  to?: string;
  deviceId?: string;
  serviceType?: string;
  method?: string;
}

/** A device answered a command sent with sendCommand (`commandRsp`). */
export interface NotifyCommandRspDTO extends NotifyMessageBase<'commandRsp'> {
  header: CommandRspHeader;
  body?: Record<string, unknown>;
}

/** Header of a device event. */
export interface DeviceEventHeader {
  eventType?: string;
  from?: string;
  timestamp?: string;
  eventTime?: string;
  deviceId?: string;
  serviceType?: string;
}

/** A device raised an event (`deviceEvent`). */
export interface NotifyDeviceEventDTO extends NotifyMessageBase<'deviceEvent'> {
  header: DeviceEventHeader;
  body?: Record<string, unknown>;
}

/** Fields of the device-model and device-capability (profile) notifications. */
export interface DeviceModelFields {
  /** The (authorised) application the model belongs to. */
  appId?: string;
  deviceType?: string;
  manufacturerName?: string;
  manufacturerId?: string;
  model?: string;
  protocolType?: string;
}

/** A device model was added (`deviceModelAdded`). */
export interface NotifyDeviceModelAddedDTO extends NotifyMessageBase<'deviceModelAdded'>, DeviceModelFields {}

/** A device model was deleted (`deviceModelDeleted`). */
export interface NotifyDeviceModelDeletedDTO extends NotifyMessageBase<'deviceModelDeleted'>, DeviceModelFields {}

/** Services or properties of a device profile changed (`deviceCapabilitiesChanged`). */
export interface NotifyDeviceCapabilitiesChangedDTO extends NotifyMessageBase<'deviceCapabilitiesChanged'>, DeviceModelFields {}

/** A device profile was added (`deviceCapabilitiesAdded`). */
export interface NotifyDeviceCapabilitiesAddedDTO extends NotifyMessageBase<'deviceCapabilitiesAdded'>, DeviceModelFields {}

/** A device profile was deleted (`deviceCapabilitiesDeleted`). */
export interface NotifyDeviceCapabilitiesDeletedDTO extends NotifyMessageBase<'deviceCapabilitiesDeleted'>, DeviceModelFields {}

/** Why a rule fired. */
export interface RuleEventReason {
  satisfactionTime?: string;
  type?: string;
  id?: string;
  info?: Record<string, unknown>;
  transInfo?: Record<string, unknown>;
}

/** What one action of a fired rule did. */
export interface RuleActionResult {
  type?: string;
  id?: string;
  exception?: string;
  result?: Record<string, unknown>;
  info?: Record<string, unknown>;
  transInfo?: Record<string, unknown>;
}

/** A rule fired (`ruleEvent`). */
export interface NotifyRuleEventDTO extends NotifyMessageBase<'ruleEvent'> {
  author?: string;
  ruleId: string;
  ruleName?: string;
  logic?: string;
  reasons?: RuleEventReason[];
  triggerTime?: string;
  actionsResults?: RuleActionResult[];
}

/** The status of a desired-property change (`deviceDesiredPropertiesModifyStatusChanged`). */
export interface NotifyDeviceDesiredStatusChangedDTO extends NotifyMessageBase<'deviceDesiredPropertiesModifyStatusChanged'> {
  deviceId: string;
  serviceId?: string;
  properties?: Record<string, unknown>;
  /** e.g. `DELIVERED` or `FAILED`. */
  status?: string;
}

/** Fields every upgrade notification carries. */
export interface UpgradeNotifyFields {
  deviceId: string;
  appId?: string;
  /** The upgrade task. */
  operationId?: string;
  /** The device's part of the task. */
  subOperationId?: string;
}

/** A device's software upgrade changed state (`swUpgradeStateChangeNotify`). */
export interface NotifySwUpgradeStateChangedDTO extends NotifyMessageBase<'swUpgradeStateChangeNotify'>, UpgradeNotifyFields {
  /** e.g. `downloading`, `downloaded`, `updating`, `idle`. */
  swUpgradeState?: string;
}

/** A device's software upgrade ended (`swUpgradeResultNotify`). */
export interface NotifySwUpgradeResultDTO extends NotifyMessageBase<'swUpgradeResultNotify'>, UpgradeNotifyFields {
  curVersion?: string;
  targetVersion?: string;
  sourceVersion?: string;
  /** e.g. `SUCCESS` or `FAIL`. */
  swUpgradeResult?: string;
  /** How long the upgrade took (a number in the field table, a string in the documented example). */
  upgradeTime?: number | string;
  resultDesc?: string;
  /** Platform error code of a failed upgrade (string or number). */
  errorCode?: string | number;
  description?: string;
}

/** A device's firmware upgrade moved a step (`fwUpgradeStateChangeNotify`). */
export interface NotifyFwUpgradeStateChangedDTO extends NotifyMessageBase<'fwUpgradeStateChangeNotify'>, UpgradeNotifyFields {
  /** Step number (string or number). */
  step?: string | number;
  stepDesc?: string;
}

/** A device's firmware upgrade ended (`fwUpgradeResultNotify`). */
export interface NotifyFwUpgradeResultDTO extends NotifyMessageBase<'fwUpgradeResultNotify'>, UpgradeNotifyFields {
  curVersion?: string;
  targetVersion?: string;
  sourceVersion?: string;
  /** e.g. `SUCCESS` or `FAIL`. */
  status?: string;
  statusDesc?: string;
  /** How long the upgrade took (a number in the field table, a string in the documented example). */
  upgradeTime?: number | string;
}

/**
 * A command changed status: posted, without a notifyType, to the `callbackUrl` given when the command was created
 * (Java handler `handleNBCommandStateChanged`).
 */
export interface NotifyNBCommandStatusChangedDTO {
  deviceId: string;
  commandId: string;
  result: {
    /** The command's status: SENT, DELIVERED, SUCCESSFUL, FAILED, TIMEOUT, CANCELED... */
    resultCode: string;
    /** What the device answered, if anything. */
    resultDetail?: unknown;
  };
}

/** Every subscription notification, by its notifyType. */
export interface PushNotificationMap {
  deviceAdded: NotifyDeviceAddedDTO;
  bindDevice: NotifyBindDeviceDTO;
  deviceInfoChanged: NotifyDeviceInfoChangedDTO;
  deviceDataChanged: NotifyDeviceDataChangedDTO;
  deviceDatasChanged: NotifyDeviceDatasChangedDTO;
  serviceInfoChanged: NotifyServiceInfoChangedDTO;
  deviceDeleted: NotifyDeviceDeletedDTO;
  messageConfirm: NotifyMessageConfirmDTO;
  commandRsp: NotifyCommandRspDTO;
  deviceEvent: NotifyDeviceEventDTO;
  deviceModelAdded: NotifyDeviceModelAddedDTO;
  deviceModelDeleted: NotifyDeviceModelDeletedDTO;
  deviceCapabilitiesChanged: NotifyDeviceCapabilitiesChangedDTO;
  deviceCapabilitiesAdded: NotifyDeviceCapabilitiesAddedDTO;
  deviceCapabilitiesDeleted: NotifyDeviceCapabilitiesDeletedDTO;
  ruleEvent: NotifyRuleEventDTO;
  deviceDesiredPropertiesModifyStatusChanged: NotifyDeviceDesiredStatusChangedDTO;
  swUpgradeStateChangeNotify: NotifySwUpgradeStateChangedDTO;
  swUpgradeResultNotify: NotifySwUpgradeResultDTO;
  fwUpgradeStateChangeNotify: NotifyFwUpgradeStateChangedDTO;
  fwUpgradeResultNotify: NotifyFwUpgradeResultDTO;
}

/** The notifyType strings the receiver knows. */
export type PushNotifyType = keyof PushNotificationMap;

/** Any subscription notification. */
export type PushNotification = PushNotificationMap[PushNotifyType];

/** A message with a notifyType the receiver does not know, as it arrived (see the receiver's `unknown` event). */
export interface UnknownPushMessage {
  notifyType: string;
  [field: string]: unknown;
}
