/**
 * Push notifications: the simulator POSTs compact JSON to the callback URLs applications subscribed to, and a
 * command's status changes to the command's own callbackUrl, as the platform does.
 *
 * A {@link PushSender} listens to `SimulatorState.changes` while the simulator runs. Each change is turned into
 * notifications the moment it is announced ({@link notificationsOf}): the bodies are built then, so a device that
 * changes or is deleted afterwards does not alter them. Each (notification, URL) pair is one delivery, recorded in
 * the state's push records. Deliveries to one URL go out one at a time, in the order of the changes; a delivery
 * waiting for a retry holds back the later ones to its URL, which keeps them in order.
 *
 * Outcome of an attempt: a 2xx answer delivers; a connection error, a timeout or a 5xx answer is retried up to
 * `retries` times, after `backoffMs`, then twice that, four times that, ...; any other answer (4xx, 3xx) fails at
 * once. A delivery that fails for good is logged as a `push-failed` event. Stopping cancels whatever is pending.
 */
import { randomUUID, X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { createSecureContext, rootCertificates } from 'node:tls';
import { MAX_TIMER_MS } from '../http/abort.js';
import { deviceInfoView, type DeviceRecord } from './devices.js';
import type { AppState, ReportedServiceData, SimulatorChange, SimulatorState } from './state.js';
import { subscribersOf } from './subscriptions.js';
import type { PushAttempt, PushDelivery, PushOptions } from './types.js';
import type { UpgradeChange } from './upgrades.js';
import { isPlainObject } from './util.js';

/** Push options with defaults filled in. */
export interface ResolvedPushOptions {
  retries: number;
  backoffMs: number;
  timeoutMs: number;
  /** Extra trusted PEM certificates. */
  ca: string[];
}

export const DEFAULT_PUSH_RETRIES = 3;
export const DEFAULT_PUSH_BACKOFF_MS = 200;
export const DEFAULT_PUSH_TIMEOUT_MS = 5000;
/** Most retries accepted. */
export const MAX_PUSH_RETRIES = 100;
/** `notifyType` of a delivery that is a command's status callback. */
export const COMMAND_STATUS_NOTIFY_TYPE = 'commandStatus';

function nonNegativeNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new TypeError(`${name} must be a number >= 0`);
  return value;
}

/** The PEM certificates of `push.ca`: each string holds one or more certificates, every one of them readable. */
function trustedCertificates(ca: unknown): string[] {
  if (ca === undefined) return [];
  const list: unknown[] = Array.isArray(ca) ? ca : [ca];
  const pems: string[] = [];
  for (const entry of list) {
    if (typeof entry !== 'string') throw new TypeError('push.ca must be a PEM string or an array of them');
    const blocks = entry.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    if (blocks.length === 0) throw new TypeError('push.ca must hold PEM certificates');
    for (const block of blocks) {
      try {
        new X509Certificate(block);
      } catch {
        throw new TypeError('push.ca holds a certificate that cannot be read');
      }
      pems.push(block);
    }
  }
  return pems;
}

/** Validates `SimulatorOptions.push` and fills in the defaults (TypeError naming the bad option). */
export function resolvePushOptions(push: PushOptions | undefined): ResolvedPushOptions {
  const input: unknown = push ?? {};
  if (!isPlainObject(input)) throw new TypeError('push must be an object');
  const retries = input['retries'] ?? DEFAULT_PUSH_RETRIES;
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > MAX_PUSH_RETRIES) {
    throw new TypeError(`push.retries must be an integer 0..${MAX_PUSH_RETRIES}`);
  }
  const backoffMs = nonNegativeNumber(input['backoffMs'] ?? DEFAULT_PUSH_BACKOFF_MS, 'push.backoffMs');
  const timeoutMs = input['timeoutMs'] ?? DEFAULT_PUSH_TIMEOUT_MS;
  if (typeof timeoutMs !== 'number' || !Number.isFinite(timeoutMs) || timeoutMs <= 0) {
    throw new TypeError('push.timeoutMs must be a positive number');
  }
  return { retries, backoffMs, timeoutMs, ca: trustedCertificates(input['ca']) };
}

// ---- notifications ------------------------------------------------------------------------------------------------

/** One notification: its type, the exact body and where it goes. */
export interface Notification {
  appId: string;
  /** The subscribed notification type, or {@link COMMAND_STATUS_NOTIFY_TYPE}. */
  notifyType: string;
  body: string;
  urls: string[];
}

/**
 * A notification of `notifyType` to the app's subscribers of that type, or nothing when there are none (the body is
 * then not even built). A URL subscribed twice gets it once.
 */
function toSubscribers(app: AppState, notifyType: string, build: () => Record<string, unknown>): Notification[] {
  const urls = [...new Set(subscribersOf(app, notifyType).map((s) => s.callbackUrl))];
  if (urls.length === 0) return [];
  return [{ appId: app.appId, notifyType, body: JSON.stringify({ notifyType, ...build() }), urls }];
}

function deviceIds(device: DeviceRecord): { deviceId: string; gatewayId: string } {
  return { deviceId: device.deviceId, gatewayId: device.gatewayId };
}

function serviceData(service: ReportedServiceData): Record<string, unknown> {
  return { serviceId: service.serviceId, serviceType: service.serviceType, data: service.data, eventTime: service.eventTime };
}

/**
 * Data reports: subscribers of `deviceDataChanged` get one notification per service, subscribers of
 * `deviceDatasChanged` one listing every service (a one-element list for a single report). A URL subscribed to both
 * gets the per-service ones first. Every notification has its own requestId.
 */
function dataNotifications(app: AppState, device: DeviceRecord, services: ReportedServiceData[]): Notification[] {
  const single = services.flatMap((service) =>
    toSubscribers(app, 'deviceDataChanged', () => ({ requestId: randomUUID(), ...deviceIds(device), service: serviceData(service) })),
  );
  const batch = toSubscribers(app, 'deviceDatasChanged', () => ({
    requestId: randomUUID(),
    ...deviceIds(device),
    services: services.map(serviceData),
  }));
  return [...single, ...batch];
}

/**
 * Shadow changes: one `deviceDesiredPropertiesModifyStatusChanged` per service touched, carrying the service's
 * desired properties as they stand after the change (the change does not say which of them the request named).
 */
function desiredNotifications(app: AppState, device: DeviceRecord, serviceIds: string[]): Notification[] {
  return [...new Set(serviceIds)].flatMap((serviceId) =>
    toSubscribers(app, 'deviceDesiredPropertiesModifyStatusChanged', () => ({
      deviceId: device.deviceId,
      serviceId,
      properties: { ...device.services.get(serviceId)?.desiredProps },
      status: 'DELIVERED',
    })),
  );
}

/**
 * Software upgrade states (`swUpgradeState`) and firmware upgrade steps (`step`, `stepDesc`) of a state-change
 * notification. The simulator does not model downloading: a sub-operation that starts (`processing`) is `updating`
 * (step 3) at once; one that waits again (its failure is retried) is `idle` (step 0), as is any other status.
 */
function upgradeState(change: UpgradeChange): { state: string; step: string } {
  return change.status === 'processing' ? { state: 'updating', step: '3' } : { state: 'idle', step: '0' };
}

/** The result notification's facts that the change does not carry: read from the task and device as they are now. */
function upgradeResultFacts(app: AppState, change: UpgradeChange): { curVersion?: string; seconds: number; detail: string } {
  const sub = app.upgrades.getTask(change.operationId)?.subOperations.find((s) => s.subOperationId === change.subOperationId);
  const device = app.devices.get(change.deviceId);
  const field = change.type.startsWith('sw') ? 'swVersion' : 'fwVersion';
  const current = device?.info[field];
  // A device without a version (or one deleted meanwhile) still has the version it started from.
  const curVersion = typeof current === 'string' ? current : change.sourceVersion;
  const started = sub?.startTime;
  const seconds = started === undefined || sub?.stopTime === undefined ? 0 : Math.max(0, Math.round((sub.stopTime - started) / 1000));
  return { ...(curVersion !== undefined ? { curVersion } : {}), seconds, detail: sub?.detailInfo ?? '' };
}

/**
 * Upgrade notifications for the management-data subscribers of the change's type. Results: `success` is `SUCCESS`;
 * `fail`, `timeout` and `stop` are `FAIL`. `upgradeTime` is how long the device upgraded, in seconds (0 when it never
 * started); `resultDesc` and `statusDesc` are the sub-operation's detail text; `errorCode` is `0` for success and
 * `1` otherwise, with the detail text as `description`.
 */
function upgradeNotifications(app: AppState, change: UpgradeChange): Notification[] {
  const ids = { deviceId: change.deviceId, appId: change.appId, operationId: change.operationId, subOperationId: change.subOperationId };
  switch (change.type) {
    case 'swUpgradeStateChangeNotify':
      return toSubscribers(app, change.type, () => ({ ...ids, swUpgradeState: upgradeState(change).state }));
    case 'fwUpgradeStateChangeNotify': {
      return toSubscribers(app, change.type, () => {
        const { state, step } = upgradeState(change);
        return { ...ids, step, stepDesc: state };
      });
    }
    case 'swUpgradeResultNotify':
    case 'fwUpgradeResultNotify':
      return toSubscribers(app, change.type, () => {
        const facts = upgradeResultFacts(app, change);
        const success = change.status === 'success';
        const versions = { curVersion: facts.curVersion, targetVersion: change.targetVersion, sourceVersion: change.sourceVersion };
        if (change.type === 'fwUpgradeResultNotify') {
          return { ...ids, ...versions, status: success ? 'SUCCESS' : 'FAIL', statusDesc: facts.detail, upgradeTime: facts.seconds };
        }
        return {
          ...ids,
          ...versions,
          swUpgradeResult: success ? 'SUCCESS' : 'FAIL',
          upgradeTime: facts.seconds,
          resultDesc: facts.detail,
          errorCode: success ? '0' : '1',
          description: success ? 'success' : facts.detail,
        };
      });
  }
}

/**
 * The notifications a change causes, bodies built now:
 * - deviceAdded: `{notifyType, deviceId, gatewayId, nodeType, deviceInfo}` (deviceInfo as the device query shows it);
 * - deviceInfoChanged and deviceStatusChanged: a `deviceInfoChanged` `{notifyType, deviceId, gatewayId, deviceInfo}`;
 * - deviceDeleted: `{notifyType, deviceId, gatewayId}`;
 * - deviceDataChanged / deviceDatasChanged: see `dataNotifications`;
 * - deviceDesiredChanged: see `desiredNotifications`;
 * - upgrade changes: see `upgradeNotifications`;
 * - commandStatusChanged of a command with a callbackUrl: `{deviceId, commandId, result: {resultCode, resultDetail}}`
 *   to that URL (not to subscribers), resultCode being the command's new status and resultDetail null when none.
 * Subscribers are those of the application that owns the device.
 */
export function notificationsOf(state: SimulatorState, change: SimulatorChange): Notification[] {
  const app = state.app(change.appId);
  if (!app) return [];
  switch (change.type) {
    case 'deviceAdded': {
      const { device } = change;
      return toSubscribers(app, 'deviceAdded', () => ({ ...deviceIds(device), nodeType: device.nodeType, deviceInfo: deviceInfoView(device) }));
    }
    case 'deviceInfoChanged':
    case 'deviceStatusChanged': {
      const { device } = change;
      return toSubscribers(app, 'deviceInfoChanged', () => ({ ...deviceIds(device), deviceInfo: deviceInfoView(device) }));
    }
    case 'deviceDeleted':
      return toSubscribers(app, 'deviceDeleted', () => deviceIds(change.device));
    case 'deviceDesiredChanged':
      return desiredNotifications(app, change.device, change.serviceIds ?? []);
    case 'deviceDataChanged':
      return dataNotifications(app, change.device, [change.service]);
    case 'deviceDatasChanged':
      return dataNotifications(app, change.device, change.services);
    case 'commandStatusChanged': {
      if (change.callbackUrl === undefined || change.callbackUrl === '') return [];
      const result = { resultCode: change.status, resultDetail: change.result?.resultDetail ?? null };
      const body = JSON.stringify({ deviceId: change.deviceId, commandId: change.commandId, result });
      return [{ appId: app.appId, notifyType: COMMAND_STATUS_NOTIFY_TYPE, body, urls: [change.callbackUrl] }];
    }
    default:
      return upgradeNotifications(app, change);
  }
}

// ---- delivery -----------------------------------------------------------------------------------------------------

/** Where a delivery connects to. */
interface Target {
  secure: boolean;
  host: string;
  port: number;
  path: string;
}

/** The connection target of an http(s) URL; undefined for anything else. */
function targetOf(url: string): Target | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const secure = parsed.protocol === 'https:';
  return {
    secure,
    host: parsed.hostname.replace(/^\[|\]$/g, ''),
    port: parsed.port === '' ? (secure ? 443 : 80) : Number(parsed.port),
    path: `${parsed.pathname}${parsed.search}`,
  };
}

/**
 * The URL as records and events show it: a password and the query's values, where an application may carry a
 * token, are replaced by `***`.
 */
export function recordedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '' && parsed.search === '') return url;
    if (parsed.password !== '') parsed.password = '***';
    for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, '***');
    return parsed.href;
  } catch {
    return url;
  }
}

interface Delivery {
  readonly record: PushDelivery;
  readonly target: Target | undefined;
}

/** The deliveries to one URL, sent one at a time; the head is the one being sent (or waiting for a retry). */
interface UrlQueue {
  readonly url: string;
  readonly deliveries: Delivery[];
  /** True from the moment sending is scheduled until the queue is empty. */
  busy: boolean;
}

type AttemptResult = { status: number } | { error: string };

/** The outcome an attempt's result leads to: delivered, failed for good, or worth another try. */
function verdict(result: AttemptResult): 'delivered' | 'failed' | 'retry' {
  if ('error' in result) return 'retry';
  if (result.status >= 200 && result.status < 300) return 'delivered';
  return result.status >= 500 ? 'retry' : 'failed';
}

const CANCELLED = 'cancelled: the simulator stopped';

/**
 * Sends the notifications of the state's changes (see the module comment). `start()` attaches it to the changes;
 * `stop()` detaches it, cancels every pending delivery, clears its timers and closes its connections at once.
 */
export class PushSender {
  private readonly listener = (change: SimulatorChange): void => this.onChange(change);
  private readonly queues = new Map<string, UrlQueue>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly requests = new Set<http.ClientRequest>();
  private readonly httpAgent = new http.Agent({ keepAlive: true });
  private readonly httpsAgent: https.Agent;
  private started = false;
  private stopped = false;

  /** `simulatorCa`: the simulator's own CA (PEM), trusted besides Node's roots and `options.ca`. */
  constructor(
    private readonly state: SimulatorState,
    private readonly options: ResolvedPushOptions,
    simulatorCa?: string,
  ) {
    const ca = [...rootCertificates, ...(simulatorCa ? [simulatorCa] : []), ...options.ca];
    // One context for every connection: the roots are parsed once, not per connection.
    this.httpsAgent = new https.Agent({ keepAlive: true, secureContext: createSecureContext({ ca }), rejectUnauthorized: true });
  }

  /** Starts listening to the state's changes. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.state.changes.on('change', this.listener);
  }

  /** Stops for good: pending deliveries are marked `cancelled`, timers cleared, connections closed. Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.state.changes.off('change', this.listener);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    for (const queue of this.queues.values()) for (const delivery of queue.deliveries) this.cancel(delivery);
    this.queues.clear();
    for (const request of this.requests) request.destroy();
    this.requests.clear();
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private onChange(change: SimulatorChange): void {
    if (this.stopped) return;
    for (const notification of notificationsOf(this.state, change)) {
      for (const url of notification.urls) this.enqueue(notification, url);
    }
  }

  private enqueue(notification: Notification, url: string): void {
    const record: PushDelivery = {
      id: randomUUID(),
      appId: notification.appId,
      notifyType: notification.notifyType,
      url: recordedUrl(url),
      body: notification.body,
      attempts: [],
      outcome: 'pending',
    };
    this.state.recordPush(record);
    let queue = this.queues.get(url);
    if (!queue) {
      queue = { url, deliveries: [], busy: false };
      this.queues.set(url, queue);
    }
    queue.deliveries.push({ record, target: targetOf(url) });
    if (!queue.busy) {
      queue.busy = true;
      // Sending starts after the change's caller has finished.
      const ready = queue;
      this.later(0, () => this.next(ready));
    }
  }

  /** Sends the queue's head, or forgets the queue when it is empty. */
  private next(queue: UrlQueue): void {
    const head = queue.deliveries[0];
    if (!head) {
      queue.busy = false;
      this.queues.delete(queue.url);
      return;
    }
    this.attempt(queue, head);
  }

  private attempt(queue: UrlQueue, delivery: Delivery): void {
    const attempt: PushAttempt = { time: Date.now() };
    delivery.record.attempts.push(attempt);
    const done = (result: AttemptResult): void => {
      if (this.stopped || delivery.record.outcome !== 'pending') return;
      Object.assign(attempt, result);
      const outcome = verdict(result);
      const made = delivery.record.attempts.length;
      if (outcome === 'retry' && made <= this.options.retries) {
        this.later(this.backoff(made), () => this.attempt(queue, delivery));
        return;
      }
      this.settle(queue, delivery, outcome === 'delivered' ? 'delivered' : 'failed');
    };
    if (!delivery.target) {
      // Only a command's callbackUrl can be malformed (subscriptions check theirs); trying again would not help.
      attempt.error = 'not an http(s) URL';
      this.later(0, () => this.settle(queue, delivery, 'failed'));
      return;
    }
    this.send(delivery.target, delivery.record.body, done);
  }

  /** Wait before the retry that follows attempt number `made`: backoffMs, doubled for each further retry. */
  private backoff(made: number): number {
    return Math.min(this.options.backoffMs * 2 ** (made - 1), MAX_TIMER_MS);
  }

  private settle(queue: UrlQueue, delivery: Delivery, outcome: 'delivered' | 'failed'): void {
    const { record } = delivery;
    record.outcome = outcome;
    if (outcome === 'failed') {
      const last = record.attempts[record.attempts.length - 1];
      const why = last?.status !== undefined ? `answered ${last.status}` : (last?.error ?? 'no attempt');
      this.state.event({
        type: 'push-failed',
        appId: record.appId,
        status: last?.status,
        detail: `${record.notifyType} to ${record.url} failed after ${record.attempts.length} attempt(s): ${why}`,
      });
    }
    queue.deliveries.shift();
    this.next(queue);
  }

  private cancel(delivery: Delivery): void {
    const { record } = delivery;
    if (record.outcome !== 'pending') return;
    record.outcome = 'cancelled';
    const last = record.attempts[record.attempts.length - 1];
    // An attempt under way when the simulator stopped gets no answer any more.
    if (last && last.status === undefined && last.error === undefined) last.error = CANCELLED;
  }

  /**
   * One POST of `body`. `done` gets the answer's status once its status line arrives (the rest of the answer is
   * read and dropped), or the error: connection failure or no answer within `timeoutMs`.
   */
  private send(target: Target, body: string, done: (result: AttemptResult) => void): void {
    let finished = false;
    let request: http.ClientRequest | undefined;
    let timer: NodeJS.Timeout | undefined;
    const finish = (result: AttemptResult): void => {
      if (finished) return;
      finished = true;
      if (timer) {
        clearTimeout(timer);
        this.timers.delete(timer);
      }
      if (request) this.requests.delete(request);
      done(result);
    };
    const transport = target.secure ? https : http;
    try {
      request = transport.request(
        {
          host: target.host,
          port: target.port,
          path: target.path,
          method: 'POST',
          agent: target.secure ? this.httpsAgent : this.httpAgent,
          headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        },
        (response) => {
          response.on('error', () => {});
          response.resume();
          finish({ status: response.statusCode ?? 0 });
        },
      );
    } catch (err) {
      this.later(0, () => finish({ error: err instanceof Error ? err.message : String(err) }));
      return;
    }
    const sent = request;
    this.requests.add(sent);
    sent.on('error', (err: Error) => finish({ error: err.message }));
    timer = this.later(this.options.timeoutMs, () => {
      finish({ error: `no answer within ${this.options.timeoutMs} ms` });
      sent.destroy();
    });
    sent.end(body);
  }

  /** A timer that `stop()` clears; its callback does nothing once stopped. */
  private later(ms: number, callback: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) callback();
    }, Math.min(ms, MAX_TIMER_MS));
    this.timers.add(timer);
    return timer;
  }
}
