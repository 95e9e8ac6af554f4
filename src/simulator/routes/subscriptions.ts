/**
 * SubscriptionManagement routes: service-data subscriptions (create, query
 * one, query a page, delete one, delete by filter) and management-data
 * subscriptions (software / firmware upgrade notifications).
 */
import { page, pagingParams, UNSIGNED_INTEGER } from '../query-params.js';
import { bodyApp, type BusinessContext, type RouteResult, type Router } from '../router.js';
import {
  isValidCallbackUrl,
  MANAGEMENT_NOTIFY_TYPES,
  SERVICE_NOTIFY_TYPES,
  SubscriptionErrors,
  type Subscription,
  type SubscriptionFilter,
} from '../subscriptions.js';
import { optionalString } from '../util.js';

export const SUBSCRIPTIONS_PATH = '/iocm/app/sub/v1.2.0/subscriptions';
export const MANAGEMENT_SUBSCRIBE_PATH = '/iodm/app/sub/v1.1.0/subscribe';
/** The older service-data subscription API (the Java SDK's deprecated `subscribeNotify`), still served by the platform. */
export const LEGACY_SUBSCRIBE_PATH = '/iocm/app/sub/v1.1.0/subscribe';

/** Page size when none is given (documented default 10). */
const DEFAULT_PAGE_SIZE = 10;
/** Largest page size accepted (no upper bound is documented; this one keeps answers small). */
const MAX_PAGE_SIZE = 1000;
/** Paging of the subscription list: pageNo and pageSize written as digits only (a minus sign is malformed, 400 / 100228). */
const PAGE_LIMITS = { defaultSize: DEFAULT_PAGE_SIZE, maxSize: MAX_PAGE_SIZE, syntax: UNSIGNED_INTEGER };

function view(s: Subscription): Record<string, unknown> {
  return { subscriptionId: s.subscriptionId, notifyType: s.notifyType, callbackUrl: s.callbackUrl };
}

/** An optional string field of the body: absent, or a string (else 100228). */
function bodyString(body: Record<string, unknown>, key: string): string | undefined {
  return optionalString(body, key, SubscriptionErrors.invalidInput);
}

/**
 * The notifyType and callback URL of a subscription request: a notifyType of `notifyTypes` (else 100228), then a
 * valid callback URL (else 100222). The v1.2.0 API reads the URL from `callbackUrl` only; the management-data and
 * legacy APIs also from `callbackurl`, which the Java SDK sends (the REST documentation spells it `callbackUrl`).
 */
function subscriptionRequest(
  body: Record<string, unknown>,
  notifyTypes: ReadonlySet<string>,
  urlKeys: 'callbackUrl' | 'either',
): { notifyType: string; callbackUrl: string } {
  const notifyType = bodyString(body, 'notifyType');
  if (notifyType === undefined || !notifyTypes.has(notifyType)) throw SubscriptionErrors.invalidInput();
  const callbackUrl = urlKeys === 'either' ? (body['callbackurl'] ?? body['callbackUrl']) : body['callbackUrl'];
  if (!isValidCallbackUrl(callbackUrl)) throw SubscriptionErrors.invalidCallbackUrl();
  return { notifyType, callbackUrl };
}

/** `?notifyType=` of queries and batch deletes: absent, or a known service-data type. */
function notifyTypeFilter(ctx: BusinessContext): string | undefined {
  const notifyType = ctx.query['notifyType'];
  if (notifyType === undefined || notifyType === '') return undefined;
  if (!SERVICE_NOTIFY_TYPES.has(notifyType)) throw SubscriptionErrors.invalidInput();
  return notifyType;
}

/** `channel`: the simulator pushes over HTTP(S) only, so only `HTTP` (or nothing) is accepted. */
function checkChannel(channel: string | undefined): void {
  if (channel !== undefined && channel !== '' && channel !== 'HTTP') throw SubscriptionErrors.invalidInput();
}

function subscribe(ctx: BusinessContext): RouteResult {
  const ownerFlagText = ctx.query['ownerFlag'];
  if (ownerFlagText !== undefined && ownerFlagText !== 'true' && ownerFlagText !== 'false') throw SubscriptionErrors.invalidInput();
  const body = ctx.jsonObject();
  const { notifyType, callbackUrl } = subscriptionRequest(body, SERVICE_NOTIFY_TYPES, 'callbackUrl');
  checkChannel(bodyString(body, 'channel'));
  // The body's appId names an authorised application, checked like ?appId= (100203 / 100217).
  const app = bodyApp(ctx, bodyString(body, 'appId'));
  // Subscribing the same notifyType and callbackUrl again answers the existing subscription (nothing is added).
  const { subscription } = app.subscriptions.subscribe({
    notifyType,
    callbackUrl,
    kind: 'service',
    ...(ownerFlagText !== undefined ? { ownerFlag: ownerFlagText === 'true' } : {}),
  });
  return { status: 201, body: view(subscription) };
}

function subscribeManagementData(ctx: BusinessContext): RouteResult {
  const { notifyType, callbackUrl } = subscriptionRequest(ctx.jsonObject(), MANAGEMENT_NOTIFY_TYPES, 'either');
  // As for service data, subscribing the same type and URL again changes nothing.
  ctx.target.subscriptions.subscribe({ notifyType, callbackUrl, kind: 'management' });
  return { status: 200 };
}

/**
 * Legacy subscription: `{notifyType, callbackurl}`. Stored like a current one. Its answer is not documented; the
 * simulator answers like its v1.1.0 sibling for management data: 200 with no body.
 */
function subscribeLegacy(ctx: BusinessContext): RouteResult {
  const { notifyType, callbackUrl } = subscriptionRequest(ctx.jsonObject(), SERVICE_NOTIFY_TYPES, 'either');
  ctx.target.subscriptions.subscribe({ notifyType, callbackUrl, kind: 'service' });
  return { status: 200 };
}

function querySingle(ctx: BusinessContext): RouteResult {
  const subscription = ctx.target.subscriptions.get(ctx.params['subscriptionId']!);
  if (!subscription) throw SubscriptionErrors.notFound();
  return { status: 200, body: view(subscription) };
}

function queryBatch(ctx: BusinessContext): RouteResult {
  const notifyType = notifyTypeFilter(ctx);
  const { pageNo, pageSize } = pagingParams(ctx.query, PAGE_LIMITS, SubscriptionErrors.invalidInput);
  const all = ctx.target.subscriptions.list(notifyType === undefined ? {} : { notifyType });
  return { status: 200, body: { totalCount: all.length, pageNo, pageSize, subscriptions: page(all, pageNo, pageSize).map(view) } };
}

function deleteSingle(ctx: BusinessContext): RouteResult {
  if (!ctx.target.subscriptions.delete(ctx.params['subscriptionId']!)) throw SubscriptionErrors.notFound();
  return { status: 204 };
}

/** Deletes all subscriptions of the app, or those of one notifyType and / or callbackUrl. */
function deleteBatch(ctx: BusinessContext): RouteResult {
  const filter: SubscriptionFilter = {};
  const notifyType = notifyTypeFilter(ctx);
  if (notifyType !== undefined) filter.notifyType = notifyType;
  const callbackUrl = ctx.query['callbackUrl'];
  if (callbackUrl !== undefined && callbackUrl !== '') filter.callbackUrl = callbackUrl;
  checkChannel(ctx.query['channel']);
  if (ctx.target.subscriptions.deleteWhere(filter).length === 0) throw SubscriptionErrors.nothingToDelete();
  return { status: 204 };
}

export function registerSubscriptionRoutes(router: Router): void {
  router.business('POST', SUBSCRIPTIONS_PATH, subscribe);
  router.business('GET', SUBSCRIPTIONS_PATH, queryBatch);
  router.business('DELETE', SUBSCRIPTIONS_PATH, deleteBatch);
  router.business('GET', `${SUBSCRIPTIONS_PATH}/{subscriptionId}`, querySingle);
  router.business('DELETE', `${SUBSCRIPTIONS_PATH}/{subscriptionId}`, deleteSingle);
  router.business('POST', MANAGEMENT_SUBSCRIBE_PATH, subscribeManagementData);
  router.business('POST', LEGACY_SUBSCRIBE_PATH, subscribeLegacy);
}
