import type { NorthApiExceptionData } from '../errors.js';
import type { TransportConfig } from '../http/transport.js';
import type { RefresherEvent, RefresherStatus } from './refresh-policy.js';
import type { TokenState } from './token-grant.js';
import type { TokenStoreConfig } from './token-store-options.js';

/** What the worker receives as `workerData`: plain data only (PEM strings, no agents, no file paths). */
export interface RefresherWorkerConfig {
  transport: TransportConfig;
  secret: string;
  /** Fleet mode: the Redis token store shared with the app's other instances. */
  tokenStore?: TokenStoreConfig;
}

/** Worker methods never throw across the boundary: comlink would keep only name and message. */
export type RpcResult<T> = { ok: true; value: T } | { ok: false; error: NorthApiExceptionData };

/** The comlink-exposed API of the refresher worker. */
export interface RefresherWorkerApi {
  start(): Promise<RpcResult<TokenState>>;
  stop(): Promise<RpcResult<null>>;
  getToken(): Promise<RpcResult<TokenState>>;
  forceRefresh(staleToken: string): Promise<RpcResult<TokenState>>;
  status(): Promise<RpcResult<RefresherStatus>>;
}

/** Messages the worker pushes with a plain postMessage (no `id` field, so comlink ignores them). */
export type RefresherPush =
  | { kind: 'oc:token'; state: TokenState }
  | { kind: 'oc:event'; event: RefresherEvent }
  | { kind: 'oc:log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string };

export function isRefresherPush(value: unknown): value is RefresherPush {
  if (value === null || typeof value !== 'object') return false;
  const kind = (value as { kind?: unknown }).kind;
  return kind === 'oc:token' || kind === 'oc:event' || kind === 'oc:log';
}
