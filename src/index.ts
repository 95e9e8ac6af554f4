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
export type { ApiOperation, ApiTable } from './services/api-table.js';
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
export type { AuthOutDTO, AuthRefreshInDTO, AuthRefreshOutDTO, RefreshFailedEvent, TokenRefreshedEvent } from './dto/auth.js';
export type {
  CoordinateReferenceSystemDTO,
  CustomField,
  DeviceConfigDTO,
  DeviceInfo,
  DeviceServiceB,
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
