// Request and response types of SubscriptionManagement. Field names are the platform's wire names.

/**
 * Notification types of service data, for {@link SubDeviceDataInDTO}: device added, bound, changed or deleted,
 * reported data, capability changes, message confirmations, command responses, device events, rule events and
 * desired-property status changes.
 */
export type ServiceDataNotifyType =
  | 'deviceAdded'
  | 'bindDevice'
  | 'deviceInfoChanged'
  | 'deviceDataChanged'
  | 'deviceDatasChanged'
  | 'deviceCapabilitiesChanged'
  | 'deviceCapabilitiesAdded'
  | 'deviceCapabilitiesDeleted'
  | 'deviceDeleted'
  | 'messageConfirm'
  | 'commandRsp'
  | 'deviceEvent'
  | 'serviceInfoChanged'
  | 'ruleEvent'
  | 'deviceModelAdded'
  | 'deviceModelDeleted'
  | 'deviceDesiredPropertiesModifyStatusChanged';

/** Notification types of management data (software and firmware upgrades), for {@link SubDeviceManagementDataInDTO}. */
export type ManagementDataNotifyType = 'swUpgradeStateChangeNotify' | 'swUpgradeResultNotify' | 'fwUpgradeStateChangeNotify' | 'fwUpgradeResultNotify';

/** A service-data subscription request (Java SDK SubDeviceDataInDTO). */
export interface SubDeviceDataInDTO {
  /** The notification to receive. Required. */
  notifyType: ServiceDataNotifyType;
  /**
   * Where the platform posts the notifications: an http or https URL with an explicit port, at most 1024
   * characters (https recommended, http for debugging). Required.
   */
  callbackUrl: string;
  /** The authorised application whose notifications are meant; leave it out for your own. */
  appId?: string;
}

/**
 * A management-data subscription request (Java SDK SubDeviceManagementDataInDTO). The URL travels as `callbackurl`
 * (lower-case u), as the Java SDK sends it; give it either as `callbackurl` or as `callbackUrl`.
 */
export interface SubDeviceManagementDataInDTO {
  /** The upgrade notification to receive. Required. */
  notifyType: ManagementDataNotifyType;
  /** Callback URL (http or https, explicit port, at most 1024 characters). Required unless `callbackUrl` is given. */
  callbackurl?: string;
  /** Alternative spelling of `callbackurl`; sent as `callbackurl`. */
  callbackUrl?: string;
}

/** One service-data subscription, as created or queried. */
export interface SubscriptionDTO {
  subscriptionId: string;
  notifyType: string;
  callbackUrl: string;
}

/** Filter and page of a subscription query (Java SDK QueryBatchSubInDTO); every field is optional. */
export interface QueryBatchSubInDTO {
  /** The authorised application whose subscriptions are listed; leave it out for your own. */
  appId?: string;
  /** Only subscriptions of this notification type. */
  notifyType?: string;
  /** Page number from 0 (default 0). */
  pageNo?: number;
  /** Subscriptions per page, at least 1 (default 10). */
  pageSize?: number;
}

/** One page of subscriptions. */
export interface QueryBatchSubOutDTO {
  /** Subscriptions matching the filter, all pages together. */
  totalCount: number;
  pageNo: number;
  pageSize: number;
  subscriptions: SubscriptionDTO[];
}

/**
 * Which subscriptions a batch deletion removes (Java SDK DeleteBatchSubInDTO): all of the application's, or those of
 * one notification type and / or callback URL.
 */
export interface DeleteBatchSubInDTO {
  /** The authorised application whose subscriptions are deleted; leave it out for your own. */
  appId?: string;
  /** Only subscriptions of this notification type. */
  notifyType?: string;
  /** Only subscriptions with this callback URL. */
  callbackUrl?: string;
}
