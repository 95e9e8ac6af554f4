import 'reflect-metadata';

export { NorthApiClient } from './client/north-api-client.js';
export type { HttpOptions, NorthApiClientOptions, ServiceCall } from './client/north-api-client.js';
export type { HttpMethod, QueryParams, QueryValue, RequestSpec } from './http/transport.js';
export type { ClientInfo } from './client/client-info.js';
export type { Pem, SSLConfig } from './client/ssl-config.js';
export { NorthApiException, SdkErrorCode, SDK_ERROR_DESCRIPTIONS, isNorthApiException } from './errors.js';
export type { NorthApiExceptionData, NorthApiExceptionInit, SdkErrorCodeValue } from './errors.js';
export type { NorthApiLogger } from './logger.js';
export { Authentication } from './auth/authentication.js';
export type { AuthenticationEvents, RefresherInfo } from './auth/authentication.js';
export type { RefresherStatus } from './auth/refresh-policy.js';
export type { FleetRole, FleetStatus } from './auth/fleet-refresher.js';
export type { RedisTlsOptions, TokenStoreOptions } from './auth/token-store-options.js';
export type { ApiOperation, ApiTable } from './services/api-table.js';
export type { CallOptions } from './services/call-options.js';
export { DeviceManagement } from './services/device-management.js';
export { DataCollection } from './services/data-collection.js';
export { SignalDelivery } from './services/signal-delivery.js';
export { DeviceServiceInvocation } from './services/device-service-invocation.js';
export { SubscriptionManagement } from './services/subscription-management.js';
export { BatchProcess } from './services/batch-process.js';
export { DeviceGroupManagement } from './services/device-group-management.js';
export { DeviceUpgrade } from './services/device-upgrade.js';
export { RuleEngine } from './services/rule-engine.js';
export { createNorthApiContainer } from './container.js';
export {
  DEFAULT_CLOSE_TIMEOUT_MS,
  DEFAULT_MAX_PUSH_BODY_BYTES,
  PUSH_COMMAND_PATH,
  PUSH_SUBSCRIPTION_PATH,
  PushHandlerError,
  PushMessageReceiver,
} from './push/receiver.js';
export type {
  PushCloseOptions,
  PushContext,
  PushDispatchResult,
  PushListenOptions,
  PushMessageReceiverEvents,
  PushMessageReceiverOptions,
  PushReceiverAddress,
  PushTlsOptions,
} from './push/receiver.js';
export type { AuthOutDTO, AuthRefreshInDTO, AuthRefreshOutDTO, RefreshFailedEvent, TokenRefreshedEvent } from './dto/auth.js';
export type {
  CoordinateReferenceSystemDTO,
  CustomField,
  DeviceConfigDTO,
  DeviceInfo,
  DeviceServiceB,
  DeviceSummaryDTO,
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
  ServiceDesiredDTO,
} from './dto/device-management.js';
export type {
  DeviceCapabilityDTO,
  DeviceDataHistoryDTO,
  DeviceDesiredHistoryDTO,
  DeviceService,
  ProfileValueDTO,
  QueryBatchDevicesInfoInDTO,
  QueryBatchDevicesInfoOutDTO,
  QueryDeviceCapabilitiesInDTO,
  QueryDeviceCapabilitiesOutDTO,
  QueryDeviceDataHistoryInDTO,
  QueryDeviceDataHistoryOutDTO,
  QueryDeviceDesiredHistoryInDTO,
  QueryDeviceDesiredHistoryOutDTO,
  QuerySingleDeviceInfoOutDTO,
  ServiceCapabilityDTO,
  ServiceCommand,
  ServiceCommandPara,
  ServiceCommandResponse,
  ServiceInfo,
  ServiceProperty,
} from './dto/data-collection.js';
export type {
  CommandDTOV4,
  CommandResultDTO,
  CommandStatusValue,
  CreateDeviceCmdCancelTaskInDTO,
  CreateDeviceCmdCancelTaskOutDTO,
  DeviceCommandRespV4,
  Pagination,
  PostDeviceCommandInDTO2,
  PostDeviceCommandOutDTO2,
  QueryDeviceCmdCancelTaskInDTO2,
  QueryDeviceCmdCancelTaskOutDTO2,
  QueryDeviceCommandInDTO2,
  QueryDeviceCommandOutDTO2,
  UpdateDeviceCommandInDTO,
  UpdateDeviceCommandOutDTO,
} from './dto/signal-delivery.js';
export type {
  CommandDTO2,
  CommandNA2CloudHeader,
  InvokeDeviceServiceOutDTO,
} from './dto/device-service-invocation.js';
export type {
  DeleteBatchSubInDTO,
  ManagementDataNotifyType,
  QueryBatchSubInDTO,
  QueryBatchSubOutDTO,
  ServiceDataNotifyType,
  SubDeviceDataInDTO,
  SubDeviceManagementDataInDTO,
  SubscriptionDTO,
} from './dto/subscription-management.js';
export type {
  BatchTaskCreateInDTO2,
  BatchTaskCreateOutDTO,
  DeviceCmd,
  QueryOneTaskOutDTO,
  QueryTaskDetailDTO,
  QueryTaskDetailsInDTO,
  QueryTaskDetailsOutDTO,
  TagDTO2,
} from './dto/batch-process.js';
export type {
  CreateDeviceGroupInDTO,
  CreateDeviceGroupOutDTO,
  DeviceGroupDTO,
  DeviceGroupWithDeviceListDTO,
  ModifyDeviceGroupInDTO,
  ModifyDeviceGroupOutDTO,
  QueryDeviceGroupMembersInDTO,
  QueryDeviceGroupMembersOutDTO,
  QueryDeviceGroupsInDTO,
  QueryDeviceGroupsOutDTO,
  QuerySingleDeviceGroupOutDTO,
} from './dto/device-group-management.js';
export type {
  CategoryInfo,
  CreateUpgradeTaskInDTO,
  CreateUpgradeTaskOutDTO,
  OperateDevices,
  OperatePolicy,
  OperationInfo,
  OperationStaResult,
  QueryUpgradePackageListInDTO,
  QueryUpgradePackageListOutDTO,
  QueryUpgradePackageOutDTO,
  QueryUpgradeSubTaskInDTO,
  QueryUpgradeSubTaskOutDTO,
  QueryUpgradeTaskListInDTO,
  QueryUpgradeTaskListOutDTO,
  QueryUpgradeTaskOutDTO,
  SubOperationInfo,
} from './dto/device-upgrade.js';
export type {
  ActionDelay,
  ActionDeviceAlarm,
  ActionDeviceCMD,
  ActionEiCMD,
  ActionEmail,
  ActionRule,
  ActionSMS,
  CMD,
  CondiotionDeviceInfo,
  ConditionCycleTimer,
  ConditionDailyTimer,
  ConditionDeviceData,
  ConditionDeviceGroupData,
  ConditionDeviceTypeData,
  ConditionNoDetected,
  DeviceCommandActionPreProcessor,
  DeviceGroupInfo,
  DeviceTypeInfo,
  GroupElement2,
  GroupExpress2,
  QueryRulesInDTO2,
  RuleAction,
  RuleCondition,
  RuleCreateOrUpdateOutDTO,
  RuleDTO2,
  RulePreProcessor,
  RuleResultBodyDTO,
  RuleStatusError,
  RuleStatusResponse,
  Strategy,
  TimeRange,
  TriggerSource,
  TriggerSourceDevice,
  TriggerSourceTimer,
  UpdateBatchRuleStatusInDTO,
  UpdateBatchRuleStatusOutDTO,
  UpdateRuleStatusInDTO,
} from './dto/rule-engine.js';
export type {
  CommandRspHeader,
  DeviceEventHeader,
  DeviceModelFields,
  DeviceServiceData,
  MessageConfirmHeader,
  NotifyBindDeviceDTO,
  NotifyCommandRspDTO,
  NotifyDeviceAddedDTO,
  NotifyDeviceCapabilitiesAddedDTO,
  NotifyDeviceCapabilitiesChangedDTO,
  NotifyDeviceCapabilitiesDeletedDTO,
  NotifyDeviceDataChangedDTO,
  NotifyDeviceDatasChangedDTO,
  NotifyDeviceDeletedDTO,
  NotifyDeviceDesiredStatusChangedDTO,
  NotifyDeviceEventDTO,
  NotifyDeviceInfoChangedDTO,
  NotifyDeviceModelAddedDTO,
  NotifyDeviceModelDeletedDTO,
  NotifyFwUpgradeResultDTO,
  NotifyFwUpgradeStateChangedDTO,
  NotifyMessageBase,
  NotifyMessageConfirmDTO,
  NotifyNBCommandStatusChangedDTO,
  NotifyRuleEventDTO,
  NotifyServiceInfoChangedDTO,
  NotifySwUpgradeResultDTO,
  NotifySwUpgradeStateChangedDTO,
  PushNotification,
  PushNotificationMap,
  PushNotifyType,
  RuleActionResult,
  RuleEventReason,
  UnknownPushMessage,
  UpgradeNotifyFields,
} from './dto/push.js';
