/**
 * Simulator state: applications and their tokens, per-app resource stores,
 * counters, the event log and the request log.
 *
 * Route groups keep their data on {@link AppState} (one store per group, e.g.
 * `devices`); add a field there when a new group needs per-app state. Device
 * changes are announced on {@link SimulatorState.changes}, where the push
 * sender (push.ts) turns them into notifications without the route handlers
 * knowing; a listener that fails never fails the request that made the change
 * (see {@link SimulatorState.emitChange}).
 */
import { EventEmitter } from 'node:events';
import { assertOnlineFlag, DeviceStore, setOnline, type DeviceRecord } from './devices.js';
import { Errors } from './errors.js';
import { FaultSet } from './faults.js';
import { CommandStore, releasePendingCommands } from './commands.js';
import { DeviceDataStore } from './device-data.js';
import { SubscriptionStore } from './subscriptions.js';
import { GroupStore } from './groups.js';
import { BatchTaskStore, keepOutcomesOfDeletedDevice } from './batch-tasks.js';
import { publishCredential } from './credential-channel.js';
import { RuleStore } from './rules.js';
import { failUpgradesOfDeletedDevice, startWaitingUpgrades, UpgradeStore, type UpgradeChange } from './upgrades.js';
import { resolvePushOptions, type ResolvedPushOptions } from './push.js';
import type {
  PushDelivery,
  RecordedRequest,
  SimulatorApp,
  SimulatorEvent,
  SimulatorOptions,
  SimulatorStats,
} from './types.js';
import { BoundedLog, randomHex, withoutUndefined } from './util.js';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: number;
  refreshExpiresAt: number;
  /** `expiresIn` announced for this pair. */
  expiresIn: number;
}

export interface AppState {
  readonly config: SimulatorApp;
  readonly appId: string;
  tokens?: TokenPair;
  readonly stats: SimulatorStats;
  /** Times of accepted business calls inside the throttle window. */
  callTimes: number[];
  readonly devices: DeviceStore;
  readonly commands: CommandStore;
  readonly subscriptions: SubscriptionStore;
  readonly groups: GroupStore;
  readonly batchTasks: BatchTaskStore;
  readonly rules: RuleStore;
  readonly upgrades: UpgradeStore;
  /** Reported-data and desired-property history of the app's devices. */
  readonly deviceData: DeviceDataStore;
}

export type AccessCheck =
  | { ok: true }
  | { ok: false; reason: 'no token' | 'unknown token' | 'expired token' | 'superseded token' | 'token of another app' };

export type RefreshCheck = { ok: true } | { ok: false; reason: 'unknown' | 'expired' | 'superseded' };

/** Changes emitted on {@link SimulatorState.changes}. */
export interface DeviceChange {
  type: 'deviceAdded' | 'deviceInfoChanged' | 'deviceDeleted' | 'deviceDesiredChanged' | 'deviceStatusChanged';
  appId: string;
  device: DeviceRecord;
  /** For deviceDesiredChanged: the serviceIds touched. */
  serviceIds?: string[];
}

/** Data of one service as a data report left it (copied: later reports do not change it). */
export interface ReportedServiceData {
  serviceId: string;
  serviceType: string;
  data: Record<string, unknown>;
  /** Platform time. */
  eventTime: string;
}

/** A device reported data of one service (the deviceDataChanged push). */
export interface DeviceDataChange {
  type: 'deviceDataChanged';
  appId: string;
  device: DeviceRecord;
  service: ReportedServiceData;
}

/** A device reported data of several services at once (the deviceDatasChanged push). */
export interface DeviceDatasChange {
  type: 'deviceDatasChanged';
  appId: string;
  device: DeviceRecord;
  services: ReportedServiceData[];
}

/** A device command changed status (the command-status push posted to the command's callbackUrl). */
export interface CommandStatusChange {
  type: 'commandStatusChanged';
  appId: string;
  deviceId: string;
  commandId: string;
  status: string;
  callbackUrl?: string;
  result?: { resultCode: string; resultDetail?: unknown };
}

/** Everything announced on {@link SimulatorState.changes}. */
export type SimulatorChange = DeviceChange | DeviceDataChange | DeviceDatasChange | CommandStatusChange | UpgradeChange;

export interface ResolvedOptions {
  host: string;
  port: number;
  protocol: 'https' | 'http';
  apps: SimulatorApp[];
  tokenLifetimeSeconds: number;
  refreshTokenLifetimeSeconds: number;
  throttle: { limit: number; windowMs: number } | false;
  requireClientCertificate: boolean;
  maxRecordedRequests: number;
  push: ResolvedPushOptions;
}

export function zeroStats(): SimulatorStats {
  return {
    logins: 0,
    loginFailures: 0,
    refreshes: 0,
    refreshFailures: 0,
    rejectedTokens: 0,
    calls: 0,
    throttled: 0,
    faults: 0,
  };
}

function positiveNumber(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(`${name} must be a positive number`);
  }
  return value;
}

/** Validates options and fills in defaults. */
export function resolveOptions(options: SimulatorOptions = {}): ResolvedOptions {
  const apps = (options.apps ?? [{ appId: `sim${randomHex(8)}`, secret: randomHex(16) }]).map((app) => {
    if (typeof app.appId !== 'string' || app.appId === '' || /\s/.test(app.appId)) {
      throw new TypeError('every app needs a non-empty appId without spaces');
    }
    if (typeof app.secret !== 'string' || app.secret === '') throw new TypeError('every app needs a non-empty secret');
    return { appId: app.appId, secret: app.secret, ...(app.grants ? { grants: [...app.grants] } : {}) };
  });
  if (apps.length === 0) throw new TypeError('at least one app is required');
  if (new Set(apps.map((a) => a.appId)).size !== apps.length) throw new TypeError('appIds must be unique');
  const throttle = options.throttle ?? false;
  if (throttle !== false) {
    if (!Number.isInteger(throttle.limit) || throttle.limit < 0) throw new TypeError('throttle.limit must be an integer >= 0');
    positiveNumber(throttle.windowMs, 'throttle.windowMs');
  }
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('port must be an integer 0..65535');
  const protocol = options.protocol ?? 'https';
  if (protocol !== 'https' && protocol !== 'http') throw new TypeError("protocol must be 'https' or 'http'");
  const maxRecorded = options.maxRecordedRequests ?? 10000;
  if (!Number.isInteger(maxRecorded) || maxRecorded < 0) throw new TypeError('maxRecordedRequests must be an integer >= 0');
  return {
    host: options.host ?? '127.0.0.1',
    port,
    protocol,
    apps,
    tokenLifetimeSeconds: positiveNumber(options.tokenLifetimeSeconds ?? 3600, 'tokenLifetimeSeconds'),
    refreshTokenLifetimeSeconds: positiveNumber(options.refreshTokenLifetimeSeconds ?? 86400, 'refreshTokenLifetimeSeconds'),
    throttle: throttle === false ? false : { limit: throttle.limit, windowMs: throttle.windowMs },
    requireClientCertificate: options.requireClientCertificate ?? false,
    maxRecordedRequests: maxRecorded,
    push: resolvePushOptions(options.push),
  };
}

/** How many superseded tokens are remembered (only to explain rejections). */
const RETIRED_MEMORY = 1000;

/** Most bytes of a request body the request log keeps (the first 64 KiB, cut at a character boundary). */
export const MAX_RECORDED_BODY_BYTES = 64 * 1024;

/** The body as the request log keeps it: at most {@link MAX_RECORDED_BODY_BYTES} UTF-8 bytes. */
function recordedBody(body: string): { body: string; truncated: boolean } {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: shorter bodies need no measuring.
  if (body.length * 3 <= MAX_RECORDED_BODY_BYTES) return { body, truncated: false };
  const bytes = Buffer.from(body, 'utf8');
  if (bytes.length <= MAX_RECORDED_BODY_BYTES) return { body, truncated: false };
  let end = MAX_RECORDED_BODY_BYTES;
  // Back off from UTF-8 continuation bytes so that no character is cut in half.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return { body: bytes.subarray(0, end).toString('utf8'), truncated: true };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

export class SimulatorState {
  readonly apps = new Map<string, AppState>();
  readonly faults = new FaultSet();
  readonly changes = new EventEmitter();
  tokenLifetimeSeconds: number;
  readonly refreshTokenLifetimeSeconds: number;
  readonly throttle: { limit: number; windowMs: number } | false;
  readonly maxRecordedRequests: number;
  readonly maxEvents: number;

  /** Counters of requests that cannot be tied to a known app. */
  private unattributed = zeroStats();
  private readonly eventLog: BoundedLog<SimulatorEvent>;
  private readonly requestLog: BoundedLog<RecordedRequest>;
  private readonly pushLog: BoundedLog<PushDelivery>;
  /** Current access token -> owning appId. */
  private readonly accessIndex = new Map<string, string>();
  /** Superseded access and refresh tokens (bounded), to tell "superseded" from "unknown". */
  private readonly retired = new Set<string>();

  constructor(options: ResolvedOptions) {
    for (const app of options.apps) {
      publishCredential('secret', app.secret);
      this.apps.set(app.appId, {
        config: app,
        appId: app.appId,
        stats: zeroStats(),
        callTimes: [],
        devices: new DeviceStore(app.appId),
        commands: new CommandStore(app.appId),
        subscriptions: new SubscriptionStore(app.appId),
        groups: new GroupStore(app.appId),
        batchTasks: new BatchTaskStore(app.appId),
        rules: new RuleStore(app.appId),
        upgrades: new UpgradeStore(app.appId),
        deviceData: new DeviceDataStore(app.appId),
      });
    }
    this.tokenLifetimeSeconds = options.tokenLifetimeSeconds;
    this.refreshTokenLifetimeSeconds = options.refreshTokenLifetimeSeconds;
    this.throttle = options.throttle;
    this.maxRecordedRequests = options.maxRecordedRequests;
    this.maxEvents = Math.max(1000, options.maxRecordedRequests * 4);
    this.eventLog = new BoundedLog(this.maxEvents);
    this.requestLog = new BoundedLog(options.maxRecordedRequests);
    this.pushLog = new BoundedLog(options.maxRecordedRequests);
  }

  app(appId: string | undefined): AppState | undefined {
    return appId === undefined ? undefined : this.apps.get(appId);
  }

  /** The app, or a TypeError naming the unknown id. */
  requireApp(appId: string): AppState {
    const app = this.apps.get(appId);
    if (!app) throw new TypeError(`unknown appId: ${appId}`);
    return app;
  }

  // ---- counters and logs ---------------------------------------------------

  count(app: AppState | undefined, key: keyof SimulatorStats): void {
    (app ? app.stats : this.unattributed)[key] += 1;
  }

  stats(appId?: string): SimulatorStats {
    if (appId !== undefined) {
      const app = this.apps.get(appId);
      return app ? { ...app.stats } : zeroStats();
    }
    const total = { ...this.unattributed };
    for (const app of this.apps.values()) {
      for (const key of Object.keys(total) as Array<keyof SimulatorStats>) total[key] += app.stats[key];
    }
    return total;
  }

  /** Appends to the event log. Callers must never put secrets or tokens in an event. */
  event(event: Omit<SimulatorEvent, 'time'>): void {
    this.eventLog.push(withoutUndefined({ time: Date.now(), ...event }));
  }

  events(): SimulatorEvent[] {
    return this.eventLog.list().map((e) => ({ ...e }));
  }

  /**
   * Adds a request to the log and returns the live entry (its status is filled in later). A body over
   * {@link MAX_RECORDED_BODY_BYTES} is cut to that size and the entry marked `bodyTruncated`.
   */
  record(entry: RecordedRequest): RecordedRequest {
    const { body, truncated } = recordedBody(entry.body);
    if (truncated) {
      entry.body = body;
      entry.bodyTruncated = true;
    }
    this.requestLog.push(entry);
    return entry;
  }

  requests(): RecordedRequest[] {
    return this.requestLog.list().map((r) => ({ ...r, query: { ...r.query }, headers: { ...r.headers } }));
  }

  /**
   * Adds a push delivery to the records (bounded by `maxRecordedRequests`, oldest dropped). The record is live: the
   * push sender fills in its attempts and outcome later.
   */
  recordPush(delivery: PushDelivery): void {
    this.pushLog.push(delivery);
  }

  /** Copies of the recorded push deliveries, oldest first. */
  pushDeliveries(): PushDelivery[] {
    return this.pushLog.list().map((d) => ({ ...d, attempts: d.attempts.map((a) => ({ ...a })) }));
  }

  clearRecords(): void {
    this.eventLog.clear();
    this.requestLog.clear();
    this.pushLog.clear();
    this.unattributed = zeroStats();
    for (const app of this.apps.values()) Object.assign(app.stats, zeroStats());
  }

  // ---- tokens ---------------------------------------------------------------

  setTokenLifetime(seconds: number): void {
    this.tokenLifetimeSeconds = positiveNumber(seconds, 'token lifetime');
  }

  /**
   * Issues a new token pair for the app; the previous pair (if any) stops
   * working at once, which is logged as a `token-voided` event.
   */
  issueTokens(app: AppState, cause: string): TokenPair {
    const now = Date.now();
    this.voidTokens(app, cause);
    const pair: TokenPair = {
      accessToken: randomHex(16),
      refreshToken: randomHex(16),
      expiresIn: this.tokenLifetimeSeconds,
      accessExpiresAt: now + this.tokenLifetimeSeconds * 1000,
      refreshExpiresAt: now + this.refreshTokenLifetimeSeconds * 1000,
    };
    app.tokens = pair;
    this.accessIndex.set(pair.accessToken, app.appId);
    publishCredential('accessToken', pair.accessToken);
    publishCredential('refreshToken', pair.refreshToken);
    return pair;
  }

  /** Voids the app's current pair, if it has one. */
  voidTokens(app: AppState, cause: string): void {
    const old = app.tokens;
    if (!old) return;
    app.tokens = undefined;
    this.accessIndex.delete(old.accessToken);
    this.retire(old.accessToken);
    this.retire(old.refreshToken);
    this.event({ type: 'token-voided', appId: app.appId, detail: cause });
  }

  private retire(token: string): void {
    this.retired.add(token);
    if (this.retired.size > RETIRED_MEMORY) {
      const oldest = this.retired.values().next();
      if (!oldest.done) this.retired.delete(oldest.value);
    }
  }

  checkAccessToken(app: AppState, token: string | undefined, now = Date.now()): AccessCheck {
    if (!token) return { ok: false, reason: 'no token' };
    const pair = app.tokens;
    if (pair && pair.accessToken === token) {
      return now < pair.accessExpiresAt ? { ok: true } : { ok: false, reason: 'expired token' };
    }
    const owner = this.accessIndex.get(token);
    if (owner !== undefined && owner !== app.appId) return { ok: false, reason: 'token of another app' };
    if (this.retired.has(token)) return { ok: false, reason: 'superseded token' };
    return { ok: false, reason: 'unknown token' };
  }

  checkRefreshToken(app: AppState, token: string, now = Date.now()): RefreshCheck {
    const pair = app.tokens;
    if (pair && pair.refreshToken === token) {
      return now < pair.refreshExpiresAt ? { ok: true } : { ok: false, reason: 'expired' };
    }
    return { ok: false, reason: this.retired.has(token) ? 'superseded' : 'unknown' };
  }

  /** The app's current access token if it is still valid. */
  currentAccessToken(appId: string): string | undefined {
    const pair = this.apps.get(appId)?.tokens;
    if (!pair || Date.now() >= pair.accessExpiresAt) return undefined;
    return pair.accessToken;
  }

  /** Logout: voids the access token's pair if the token is current. Returns the owning app. */
  logout(token: string): AppState | undefined {
    const owner = this.accessIndex.get(token);
    const app = this.app(owner);
    if (!app || app.tokens?.accessToken !== token) return undefined;
    this.voidTokens(app, 'logout');
    return app;
  }

  /** Another client logs in with the app's credentials: the current pair is voided. */
  loginFromElsewhere(appId: string): void {
    const app = this.requireApp(appId);
    this.issueTokens(app, 'login from elsewhere');
  }

  // ---- flow control -----------------------------------------------------------

  /** Counts a business call against the app's window; false when it exceeds the limit. */
  admitCall(app: AppState, now = Date.now()): boolean {
    if (this.throttle === false) return true;
    const { limit, windowMs } = this.throttle;
    const from = now - windowMs;
    let drop = 0;
    while (drop < app.callTimes.length && app.callTimes[drop]! <= from) drop += 1;
    if (drop > 0) app.callTimes.splice(0, drop);
    if (app.callTimes.length >= limit) return false;
    app.callTimes.push(now);
    return true;
  }

  // ---- authorised applications ---------------------------------------------------

  /**
   * The application a request acts on: the caller when `requested` is absent, empty or the caller's own id,
   * otherwise the named app, which must exist (100203) and grant the caller access (100217). Used for `?appId=`
   * (or `?accessAppId=`) and for the `appId` fields some request bodies carry.
   */
  authorisedApp(caller: AppState, requested: string | undefined): AppState {
    if (requested === undefined || requested === '' || requested === caller.appId) return caller;
    const target = this.app(requested);
    if (!target) throw Errors.appNotExist();
    if (!(target.config.grants ?? []).includes(caller.appId)) throw Errors.appNotAuthorized();
    return target;
  }

  // ---- devices ------------------------------------------------------------------

  findDevice(deviceId: string): { app: AppState; device: DeviceRecord } | undefined {
    for (const app of this.apps.values()) {
      const device = app.devices.get(deviceId);
      if (device) return { app, device };
    }
    return undefined;
  }

  /**
   * Device side: the device connects or disconnects. A deviceStatusChanged change is announced only when its status
   * changes. Once online, the commands cached for it are issued and its waiting upgrades start. An unknown deviceId,
   * or an `online` that is not a boolean, is a TypeError.
   */
  setDeviceOnline(deviceId: unknown, online: unknown): void {
    if (typeof deviceId !== 'string' || deviceId === '') throw new TypeError('deviceId must be a non-empty string');
    assertOnlineFlag(online);
    const found = this.findDevice(deviceId);
    if (!found) throw new TypeError(`unknown deviceId: ${deviceId}`);
    const now = Date.now();
    if (setOnline(found.device, online, now)) {
      this.emitChange({ type: 'deviceStatusChanged', appId: found.app.appId, device: found.device });
    }
    if (online) {
      // Commands cached while the device was offline are issued now, and its waiting upgrades start.
      releasePendingCommands(this, found.app, found.device);
      startWaitingUpgrades(this, found.app, found.device, now);
    }
  }

  /**
   * Deletes a device of `app` and everything kept about it: its commands (whatever their status), command cancel
   * tasks, the sendCommand requests it received and its data and desired-property history. Batch tasks keep the
   * outcome the device had; its open upgrades fail (see `failUpgradesOfDeletedDevice`); groups drop it when they
   * are next read. `at` is when the device ceased to exist. Announces no deviceDeleted change: the caller does,
   * where one is due.
   */
  removeDevice(app: AppState, device: DeviceRecord, at = Date.now()): void {
    keepOutcomesOfDeletedDevice(app.batchTasks, app.commands, device.deviceId, at);
    failUpgradesOfDeletedDevice(this, app, device.deviceId, at);
    app.devices.delete(device.deviceId);
    app.commands.removeDevice(device.deviceId);
    app.deviceData.removeDevice(device.deviceId);
  }

  /**
   * Deletes every device whose registration timeout ran out before it ever connected, as the platform does. Called
   * before each request and each device-side call, so an expired device no longer exists for any of them. Each is
   * logged as a `device-expired` event.
   */
  expireDevices(now = Date.now()): void {
    for (const app of this.apps.values()) {
      for (const device of app.devices.expired(now)) {
        this.removeDevice(app, device, device.activationDeadline);
        this.event({
          type: 'device-expired',
          appId: app.appId,
          detail: `device ${device.deviceId} did not connect within its registration timeout of ${device.timeout} s`,
        });
      }
    }
  }

  /**
   * Announces a change to every listener of {@link SimulatorState.changes}. The change has already been applied: a
   * listener that throws (or whose promise rejects) is logged as a `change-listener-failed` event and the other
   * listeners still run, so the request that made the change never fails because of a listener.
   */
  emitChange(change: SimulatorChange): void {
    for (const listener of this.changes.rawListeners('change')) {
      try {
        const result: unknown = Reflect.apply(listener, this.changes, [change]);
        if (isThenable(result)) result.then(undefined, (err: unknown) => this.listenerFailed(change, err));
      } catch (err) {
        this.listenerFailed(change, err);
      }
    }
  }

  private listenerFailed(change: SimulatorChange, err: unknown): void {
    this.event({ type: 'change-listener-failed', appId: change.appId, detail: `${change.type}: ${errorText(err)}` });
  }
}
