/**
 * Push subscriptions of one application: service-data subscriptions
 * (`/iocm/app/sub/v1.2.0/subscriptions`) and management-data subscriptions
 * (`/iodm/app/sub/v1.1.0/subscribe`, software/firmware upgrade notifications).
 *
 * The push sender finds the callback URLs of a notification with
 * `subscribersOf`.
 */
import { randomUUID } from 'node:crypto';
import { Errors, platformError } from './errors.js';
import type { AppState } from './state.js';

/**
 * Service-data notification types: the subscribable types of the subscription API plus those the push
 * documentation describes (serviceInfoChanged, deviceEvent, deviceModelAdded, deviceModelDeleted).
 */
export const SERVICE_NOTIFY_TYPES: ReadonlySet<string> = new Set([
  'deviceAdded',
  'bindDevice',
  'deviceInfoChanged',
  'deviceDataChanged',
  'deviceDatasChanged',
  'deviceCapabilitiesChanged',
  'deviceCapabilitiesAdded',
  'deviceCapabilitiesDeleted',
  'deviceDeleted',
  'messageConfirm',
  'commandRsp',
  'deviceEvent',
  'serviceInfoChanged',
  'ruleEvent',
  'deviceModelAdded',
  'deviceModelDeleted',
  'deviceDesiredPropertiesModifyStatusChanged',
]);

/** Management-data notification types (software / firmware upgrade). */
export const MANAGEMENT_NOTIFY_TYPES: ReadonlySet<string> = new Set([
  'swUpgradeStateChangeNotify',
  'swUpgradeResultNotify',
  'fwUpgradeStateChangeNotify',
  'fwUpgradeResultNotify',
]);

/** Longest callback URL accepted (documented: at most 1024 characters). */
export const MAX_CALLBACK_URL_LENGTH = 1024;

/** Error answers of the subscription routes (documented codes). */
export const SubscriptionErrors = {
  /** Bad input other than the callback URL: unknown notifyType, bad ownerFlag, channel or paging values. */
  invalidInput: () => platformError(400, '100228', 'The application input is invalid.'),
  /** The callback URL is missing, not http(s), has no explicit port or is too long. */
  invalidCallbackUrl: () => platformError(400, '100222', 'The callbackurl is illegal.'),
  notFound: Errors.notFound,
  /**
   * Batch delete that matched nothing. The Java SDK sample reads error_code 200001 as "no subscription left"; its
   * HTTP status is not documented (404 is an assumption).
   */
  nothingToDelete: () => platformError(404, '200001', 'The subscription is not existed.'),
} as const;

/** True for an http(s) URL with an explicit port and at most `MAX_CALLBACK_URL_LENGTH` characters. */
export function isValidCallbackUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_CALLBACK_URL_LENGTH) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  // URL drops a port equal to the scheme's default, so look for it in the authority as written.
  const authority = /^https?:\/\/([^/?#]*)/i.exec(value)?.[1] ?? '';
  const hostPort = authority.slice(authority.lastIndexOf('@') + 1);
  return /:\d{1,5}$/.test(hostPort) && url.hostname !== '';
}

export interface Subscription {
  /** uuid. */
  readonly subscriptionId: string;
  readonly notifyType: string;
  readonly callbackUrl: string;
  /** The application whose notifications are pushed. */
  readonly appId: string;
  /** `service` (v1.2.0 subscriptions API) or `management` (upgrade notifications). */
  readonly kind: 'service' | 'management';
  /** `ownerFlag` given at subscription time (service data only). */
  readonly ownerFlag?: boolean;
  readonly createTime: number;
}

export interface SubscriptionFilter {
  notifyType?: string;
  callbackUrl?: string;
}

export class SubscriptionStore {
  private readonly byId = new Map<string, Subscription>();

  constructor(readonly appId: string) {}

  get size(): number {
    return this.byId.size;
  }

  /**
   * Adds a subscription. Subscribing the same notifyType and callbackUrl again (same kind) creates nothing and
   * returns the existing subscription with `created: false`.
   */
  subscribe(input: { notifyType: string; callbackUrl: string; kind: Subscription['kind']; ownerFlag?: boolean }): { subscription: Subscription; created: boolean } {
    for (const existing of this.byId.values()) {
      if (existing.kind === input.kind && existing.notifyType === input.notifyType && existing.callbackUrl === input.callbackUrl) {
        return { subscription: existing, created: false };
      }
    }
    const subscription: Subscription = {
      subscriptionId: randomUUID(),
      notifyType: input.notifyType,
      callbackUrl: input.callbackUrl,
      appId: this.appId,
      kind: input.kind,
      ...(input.ownerFlag !== undefined ? { ownerFlag: input.ownerFlag } : {}),
      createTime: Date.now(),
    };
    this.byId.set(subscription.subscriptionId, subscription);
    return { subscription, created: true };
  }

  /** A service-data subscription by id (management-data subscriptions have no id in the API). */
  get(subscriptionId: string): Subscription | undefined {
    const found = this.byId.get(subscriptionId);
    return found?.kind === 'service' ? found : undefined;
  }

  /** Service-data subscriptions matching the filter, oldest first. */
  list(filter: SubscriptionFilter = {}): Subscription[] {
    return [...this.byId.values()].filter((s) => s.kind === 'service' && matches(s, filter));
  }

  /** Deletes one service-data subscription; undefined when there is none with that id. */
  delete(subscriptionId: string): Subscription | undefined {
    const found = this.get(subscriptionId);
    if (found) this.byId.delete(subscriptionId);
    return found;
  }

  /** Deletes the service-data subscriptions matching the filter (all of them for an empty filter). */
  deleteWhere(filter: SubscriptionFilter): Subscription[] {
    const gone = this.list(filter);
    for (const s of gone) this.byId.delete(s.subscriptionId);
    return gone;
  }

  /** Every subscription (service or management data) of the notification type, oldest first. */
  subscribersOf(notifyType: string): Subscription[] {
    return [...this.byId.values()].filter((s) => s.notifyType === notifyType);
  }
}

function matches(s: Subscription, filter: SubscriptionFilter): boolean {
  return (filter.notifyType === undefined || s.notifyType === filter.notifyType) && (filter.callbackUrl === undefined || s.callbackUrl === filter.callbackUrl);
}

/** The subscriptions a notification of `notifyType` about `app`'s resources goes to. */
export function subscribersOf(app: AppState, notifyType: string): Subscription[] {
  return app.subscriptions.subscribersOf(notifyType);
}
