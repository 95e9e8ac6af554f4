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
  /** Bound of the request log (oldest entries are dropped). Default 10000. */
  maxRecordedRequests?: number;
}

export type FaultKind = 'latency' | 'status' | 'reset' | 'hang' | 'throttle';

export interface FaultRule {
  /** HTTP method to match, e.g. `'POST'`. Default: any. */
  method?: string;
  /** Exact path, a prefix ending in `'*'`, or a RegExp tested against the path. Default: any. */
  path?: string | RegExp;
  kind: FaultKind;
  /** For `latency`: delay before the request is handled normally. */
  latencyMs?: number;
  /** For `status`: HTTP status to answer (body `{"error_code":"50252",...}`). */
  status?: number;
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
  | 'fault';

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
  body: string;
  /** Status answered, or 0 when the request was never answered (reset, hang, server stopped). */
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

export interface Simulator extends SimulatorAddress {
  /** Closes the server and every open connection and clears all timers. Idempotent. */
  stop(): Promise<void>;
  /** Counters of one app, or of all apps summed when `appId` is omitted. */
  stats(appId?: string): SimulatorStats;
  /** The event log, oldest first. */
  events(): SimulatorEvent[];
  /** Requests received (bounded), oldest first. Admin API calls are not included. */
  requests(): RecordedRequest[];
  /** Empties events and requests and zeroes the counters. */
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
  /** Device side: the device connects (activated, ONLINE) or goes OFFLINE. */
  setDeviceOnline(deviceId: string, online: boolean): void;
  /** A client certificate signed by the simulator CA, for mutual TLS. */
  issueClientCertificate(commonName?: string): { cert: string; key: string };
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
  /** Ends the child (closing its stdin; killed after 5 s) and removes its temp files. Idempotent. */
  stop(): Promise<void>;
}
