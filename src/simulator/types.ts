/**
 * Public types of the embedded OceanConnect platform simulator.
 *
 * Everything here is re-exported from `oceanconnect-north-sdk/simulator`.
 */

/** An application known to the simulator (the northbound "app" that logs in). */
export interface SimulatorApp {
  appId: string;
  secret: string;
  /**
   * appIds that may act on this app's resources by passing `?appId=<this app>`
   * (the platform's "authorised application" scenario).
   */
  grants?: string[];
}

export interface SimulatorOptions {
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** TCP port. Default `0` (ephemeral). */
  port?: number;
  /** Default `'https'`. */
  protocol?: 'https' | 'http';
  /** Default: one app with a generated appId and secret. */
  apps?: SimulatorApp[];
  /** `expiresIn` returned at login/refresh, in seconds (fractions allowed). Default 3600. */
  tokenLifetimeSeconds?: number;
  /** Lifetime of refresh tokens in seconds. Default 86400. */
  refreshTokenLifetimeSeconds?: number;
  /** Per-app flow control on business calls. Default `false` (off). */
  throttle?: { limit: number; windowMs: number } | false;
  /** Faults active from the start. */
  faults?: FaultRule[];
  /** Mutual TLS: refuse clients without a certificate signed by the simulator CA. Default false. */
  requireClientCertificate?: boolean;
  /** Bound of the request log and of the push-delivery records (oldest entries are dropped). Default 10000. */
  maxRecordedRequests?: number;
  /** How push notifications are sent (see {@link PushOptions}). */
  push?: PushOptions;
}

/**
 * Delivery of push notifications. An attempt fails on a connection error, a timeout or a 5xx answer and is then
 * retried, after `backoffMs`, twice that, four times that, ...; a 2xx answer delivers, any other answer (4xx, 3xx) is
 * a final failure. TLS certificates of HTTPS callback URLs are always verified.
 */
export interface PushOptions {
  /** Retries after a failed attempt (so at most `retries + 1` attempts). Integer 0..100, default 3. */
  retries?: number;
  /** Wait before the first retry in ms, doubled for each further retry. Default 200. */
  backoffMs?: number;
  /** How long one attempt may take until its answer's status line arrives, in ms. Default 5000. */
  timeoutMs?: number;
  /**
   * PEM certificates (one or several per string) trusted for HTTPS callback URLs, besides Node's default roots and
   * the simulator's own CA (which signs `Simulator.issueServerCertificate()`).
   */
  ca?: string | string[];
}

/**
 * What a fault does. Request side (the route never runs): `status`, `throttle`, `html` and `oversize` answer in the
 * route's place, `reset` cuts the connection, `hang` never answers. `latency` delays the request, which is then
 * handled on. Response side: `truncate` lets the route handle the request (its side effects happen) and cuts its
 * answer.
 */
export type FaultKind = 'latency' | 'status' | 'reset' | 'hang' | 'throttle' | 'html' | 'truncate' | 'oversize';

export interface FaultRule {
  /** HTTP method to match, e.g. `'POST'`. Default: any. */
  method?: string;
  /** Exact path, a prefix ending in `'*'`, or a RegExp tested against the path. Default: any. */
  path?: string | RegExp;
  kind: FaultKind;
  /** For `latency`: delay before the request is handled normally. */
  latencyMs?: number;
  /**
   * HTTP status answered (200..599). Required for `status` (body `{"error_code":"50252",...}`); for `html` default
   * 502, for `oversize` default 200 (neither takes 204 or 304, which have no body). Ignored by the other kinds.
   */
  status?: number;
  /**
   * For `status` and `throttle`: sends `Retry-After: <retryAfterSeconds>`. A non-negative integer. Default: no
   * Retry-After header. Ignored by the other kinds.
   */
  retryAfterSeconds?: number;
  /**
   * For `truncate`: how many bytes of the route's body are written before the connection is destroyed (the headers
   * declare the full Content-Length). A non-negative integer; a value at or past the body's length writes the whole
   * body, then still destroys the connection. Default: half the body (rounded down), at least 1 byte when the body is
   * not empty.
   */
  truncateAt?: number;
  /**
   * For `oversize`: size in bytes of the JSON body (`{"padding":"xxx..."}`; below 14 bytes a shorter JSON value),
   * an integer from 1 to 268435456 (256 MiB). Default 16778240 (16 MiB + 1 KiB), more than an SDK client accepts by
   * default.
   */
  sizeBytes?: number;
  /**
   * For `oversize`: `true` declares the size in a Content-Length header; default `false`, the body is sent chunked
   * without one, so only a client that counts the bytes it reads notices the size.
   */
  declareLength?: boolean;
  /** Number of matching requests the rule applies to. Default: unlimited. */
  times?: number;
  /** Chance (0..1) that a matching request is affected. Default 1. */
  probability?: number;
}

export interface SimulatorStats {
  logins: number;
  loginFailures: number;
  refreshes: number;
  refreshFailures: number;
  rejectedTokens: number;
  calls: number;
  throttled: number;
  faults: number;
}

/**
 * Kinds of event-log entries. Besides token, call and fault events: `device-expired`, a registered device that never
 * connected within its registration timeout was deleted (`detail` names it); `change-listener-failed`, a listener of
 * the simulator's internal change announcements threw or rejected (the request that made the change was unaffected);
 * `push-failed`, a push notification could not be delivered (`detail` names its type, URL and last error, `status`
 * is the last HTTP status answered, if any).
 */
export type SimulatorEventType =
  | 'login'
  | 'login-failed'
  | 'refresh'
  | 'refresh-failed'
  | 'logout'
  | 'token-rejected'
  | 'token-voided'
  | 'call'
  | 'throttled'
  | 'fault'
  | 'device-expired'
  | 'change-listener-failed'
  | 'push-failed';

/** One entry of the event log. Never carries secrets or tokens. */
export interface SimulatorEvent {
  /** `Date.now()` when the event happened. */
  time: number;
  type: SimulatorEventType;
  appId?: string;
  method?: string;
  path?: string;
  status?: number;
  detail?: string;
}

/** A request as received (raw headers and body are kept: this is test data). */
export interface RecordedRequest {
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** The body as received, up to its first 64 KiB (UTF-8, never cutting a character in half; see `bodyTruncated`). */
  body: string;
  /** Present (and true) when the body was longer than 64 KiB: `body` holds only its beginning. */
  bodyTruncated?: true;
  /**
   * Status answered, or 0 when the request was never answered (reset, hang, server stopped). A `truncate` fault keeps
   * the route's status: the status line and headers were sent, only the body was cut.
   */
  status: number;
}

/** Where a simulator listens and what a client needs to reach it. */
export interface SimulatorAddress {
  /** Base URL, e.g. `https://127.0.0.1:43211`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: 'https' | 'http';
  /** PEM of the generated CA (https only; `''` for http). */
  readonly ca: string;
  readonly apps: readonly SimulatorApp[];
}

/** A software or firmware package uploaded through the platform portal (see `addUpgradePackage`). */
export interface UpgradePackageInput {
  fileType: 'softwarePackage' | 'firmwarePackage';
  name: string;
  /** The version a device has once it installed the package. */
  version: string;
  deviceType: string;
  model: string;
  manufacturerName: string;
  protocolType?: string;
  description?: string;
  /** Date the package was built, free text. */
  date?: string;
  /** The application that owns the package. Default: the first app of the simulator. */
  appId?: string;
}

/** Options of a device's data report (see `reportDeviceData`). */
export interface DeviceDataReportOptions {
  /** Service type shown in queries and pushes. Default: the service's current type (initially its serviceId). */
  serviceType?: string;
  /** When the data was measured: platform time `yyyyMMdd'T'HHmmss'Z'` or ms since the epoch. Default: now. */
  eventTime?: string | number;
}

/** One service's data in a batch report (see `reportDeviceDatas`). */
export interface ServiceDataReport extends DeviceDataReportOptions {
  serviceId: string;
  data: Record<string, unknown>;
}

/** One try of a push delivery. */
export interface PushAttempt {
  /** `Date.now()` when the attempt started. */
  time: number;
  /** HTTP status answered. */
  status?: number;
  /** Why no answer came: connection error, timeout, a callback URL that is no http(s) URL, or the simulator stopped. */
  error?: string;
}

/**
 * One push notification sent to one URL, with its attempts. `pending` while it waits for its turn, is being sent or
 * waits for a retry; `cancelled` when the simulator stopped first.
 */
export interface PushDelivery {
  id: string;
  /** The application whose subscription (or command) the push answers. */
  appId: string;
  /** The notification type, or `commandStatus` for a command's status callback. */
  notifyType: string;
  /** The callback URL (a password in it shows as `***`). */
  url: string;
  /** The exact JSON text sent. */
  body: string;
  attempts: PushAttempt[];
  outcome: 'pending' | 'delivered' | 'failed' | 'cancelled';
}

/** How a device acknowledges a command: received, then executed successfully or not. */
export type CommandAcknowledgement = 'DELIVERED' | 'SUCCESSFUL' | 'FAILED';

/** A sendCommand (DeviceServiceInvocation) request as the device received it. */
export interface ServiceInvocation {
  requestId: string;
  /** The application that sent it. */
  appId: string;
  deviceId: string;
  serviceId: string;
  /** The command header as sent (mode, method, callbackURL...). */
  header: Record<string, unknown>;
  body?: Record<string, unknown>;
  /** Status answered to the application. */
  status: string;
  /** Platform time `yyyyMMdd'T'HHmmss'Z'`. */
  timeStamp: string;
}

export interface Simulator extends SimulatorAddress {
  /**
   * Closes the server and every open connection and clears all timers. Pending push deliveries (waiting, being sent
   * or waiting for a retry) are cancelled, not waited for. Idempotent.
   */
  stop(): Promise<void>;
  /** Counters of one app, or of all apps summed when `appId` is omitted. */
  stats(appId?: string): SimulatorStats;
  /** The event log, oldest first. */
  events(): SimulatorEvent[];
  /** Requests received (bounded), oldest first. Admin API calls are not included. */
  requests(): RecordedRequest[];
  /** Empties events, requests and push-delivery records and zeroes the counters. */
  clearRecords(): void;
  /**
   * Issues a new token pair for the app as if another client had logged in,
   * which voids the current access token and refresh token.
   */
  loginFromElsewhere(appId: string): void;
  /** The app's current, unexpired access token (for tests). */
  currentAccessToken(appId: string): string | undefined;
  addFault(rule: FaultRule): string;
  removeFault(id: string): void;
  clearFaults(): void;
  /** Lifetime (seconds) of tokens issued from now on. */
  setTokenLifetime(seconds: number): void;
  /**
   * Device side: the device connects (activated, ONLINE) or goes OFFLINE. Once online, its PENDING commands are
   * issued and its waiting upgrades start (inside their execution window). A status change is announced only when the
   * status actually changes. Unknown device, or an `online` that is not a boolean, throws TypeError.
   */
  setDeviceOnline(deviceId: string, online: boolean): void;
  /**
   * Device side: the device reports data of one service. It is online afterwards (which issues its PENDING
   * commands); the service's reported data and the data history are updated and a deviceDataChanged change is
   * announced. Unknown device or bad input (an `eventTime` that is no valid time, data that cannot be copied, ...)
   * throws TypeError before anything changes.
   */
  reportDeviceData(deviceId: string, serviceId: string, data: Record<string, unknown>, options?: DeviceDataReportOptions): void;
  /**
   * Device side: the device reports data of several services at once. Each service is updated as by
   * {@link Simulator.reportDeviceData}, and one deviceDatasChanged change is announced for the whole batch:
   * subscribers of `deviceDatasChanged` get one notification listing every service, subscribers of
   * `deviceDataChanged` one notification per service. `services` must not be empty; every entry is checked before
   * anything changes (bad input or an unknown device throws TypeError).
   */
  reportDeviceDatas(deviceId: string, services: ServiceDataReport[]): void;
  /**
   * Device side: the device acknowledges a command it was sent. A SENT command may become DELIVERED, SUCCESSFUL or
   * FAILED, a DELIVERED one SUCCESSFUL or FAILED; the command's result becomes `{resultCode: status, resultDetail}`.
   * Any other transition, an unknown commandId or a bad status throws TypeError.
   */
  acknowledgeCommand(commandId: string, status: CommandAcknowledgement, resultDetail?: unknown): void;
  /** Device side: the sendCommand requests the device received, oldest first. Unknown device throws TypeError. */
  serviceInvocations(deviceId: string): ServiceInvocation[];
  /**
   * Portal side: uploads a software or firmware package (the platform takes packages through its portal, not the
   * northbound API). Returns the package's fileId. Bad input throws TypeError.
   */
  addUpgradePackage(pkg: UpgradePackageInput): string;
  /**
   * Device side: the device reports the end of its upgrade in a task. `success` sets its swVersion (software task)
   * or fwVersion (firmware task) to the package version; `fail` ends the device's upgrade, or restarts it when the
   * task's policy retries. Throws TypeError when the task is unknown, the device is not one of its targets or its
   * upgrade is not under way (the device must be online for its upgrade to start).
   */
  finishUpgrade(deviceId: string, operationId: string, result: 'success' | 'fail'): void;
  /** A client certificate signed by the simulator CA, for mutual TLS. */
  issueClientCertificate(commonName?: string): { cert: string; key: string };
  /**
   * A TLS server certificate for `host` (and localhost, 127.0.0.1 and ::1) signed by the simulator CA: an HTTPS
   * receiver using it is trusted by the simulator's pushes, and clients trust it with {@link SimulatorAddress.ca}.
   * Needs the https protocol (an http simulator has no CA and throws).
   */
  issueServerCertificate(host?: string): { cert: string; key: string };
  /**
   * Push deliveries (bounded like the request log), oldest first: one per notification and callback URL, with its
   * attempts and outcome. Emptied by `clearRecords()`.
   */
  pushDeliveries(): PushDelivery[];
}

/** A simulator running in a child process, driven through its admin API. */
export interface RemoteSimulator extends SimulatorAddress {
  /** Process id of the child. */
  readonly pid: number;
  stats(appId?: string): Promise<SimulatorStats>;
  events(): Promise<SimulatorEvent[]>;
  requests(): Promise<RecordedRequest[]>;
  clearRecords(): Promise<void>;
  loginFromElsewhere(appId: string): Promise<void>;
  addFault(rule: FaultRule): Promise<string>;
  removeFault(id: string): Promise<void>;
  clearFaults(): Promise<void>;
  setTokenLifetime(seconds: number): Promise<void>;
  setDeviceOnline(deviceId: string, online: boolean): Promise<void>;
  /** See {@link Simulator.reportDeviceData}; bad input rejects (the admin API answers 400, or 404 for an unknown device). */
  reportDeviceData(deviceId: string, serviceId: string, data: Record<string, unknown>, options?: DeviceDataReportOptions): Promise<void>;
  /** See {@link Simulator.reportDeviceDatas}; bad input rejects (the admin API answers 400, or 404 for an unknown device). */
  reportDeviceDatas(deviceId: string, services: ServiceDataReport[]): Promise<void>;
  /** See {@link Simulator.pushDeliveries}. */
  pushDeliveries(): Promise<PushDelivery[]>;
  /** See {@link Simulator.acknowledgeCommand}; an illegal transition rejects (the admin API answers 400). */
  acknowledgeCommand(commandId: string, status: CommandAcknowledgement, resultDetail?: unknown): Promise<void>;
  /** See {@link Simulator.serviceInvocations}. */
  serviceInvocations(deviceId: string): Promise<ServiceInvocation[]>;
  /** See {@link Simulator.addUpgradePackage}. */
  addUpgradePackage(pkg: UpgradePackageInput): Promise<string>;
  /**
   * See {@link Simulator.finishUpgrade}. An unknown device or operationId rejects (the admin API answers 404); a
   * device that is not a target, an upgrade not under way or a bad result rejects (the admin API answers 400).
   */
  finishUpgrade(deviceId: string, operationId: string, result: 'success' | 'fail'): Promise<void>;
  /** Ends the child (closing its stdin; killed after 5 s) and removes its temp files. Idempotent. */
  stop(): Promise<void>;
}
