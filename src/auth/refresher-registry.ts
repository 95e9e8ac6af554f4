import { EventEmitter } from 'node:events';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import { log, type NorthApiLogger } from '../logger.js';
import type { RefresherEvent } from './refresh-policy.js';
import { RefresherClient } from './refresher-client.js';
import type { RefresherWorkerConfig } from './refresher-protocol.js';
import { TokenCache } from './token-cache.js';
import { sameTokenStore, type TokenStoreConfig } from './token-store-options.js';

/** One running refresher: its worker, the main-thread cache it feeds, and who uses it. */
export class RefresherHandle {
  readonly key: string;
  readonly client: RefresherClient;
  readonly cache: TokenCache;
  /** Emits 'event' with every RefresherEvent of the worker. */
  readonly events = new EventEmitter();
  readonly ready: Promise<void>;
  readonly #secret: string;
  readonly #tokenStore: TokenStoreConfig | undefined;
  users = 0;
  /** The latest 'refreshed' event, replayed to an Authentication that joins later. */
  lastRefreshed: Extract<RefresherEvent, { type: 'refreshed' }> | undefined;

  constructor(key: string, config: RefresherWorkerConfig, logger: NorthApiLogger) {
    this.key = key;
    this.#secret = config.secret;
    this.#tokenStore = config.tokenStore;
    this.events.setMaxListeners(0); // one listener per Authentication sharing this refresher, however many
    this.client = new RefresherClient(config, {
      onToken: (state, generation) => this.cache.update(state, generation),
      onEvent: (event: RefresherEvent) => {
        if (event.type === 'refreshed') this.lastRefreshed = event;
        this.events.emit('event', event);
      },
      onLog: (level, message) => log(logger, level, `${config.transport.appId}: ${message}`),
    });
    this.cache = new TokenCache(this.client);
    this.ready = this.client.start().then(() => undefined);
    this.ready.catch(() => undefined); // observed by acquire(); never an unhandled rejection here
  }

  sameSecret(secret: string): boolean {
    return secret === this.#secret;
  }

  sameTokenStore(store: TokenStoreConfig | undefined): boolean {
    return sameTokenStore(store, this.#tokenStore);
  }
}

/**
 * One refresher per (platform, appId) per process. The platform keeps only the newest token valid, so two
 * refreshers for one app would void each other's tokens: every Authentication for that app shares one, counted.
 */
export class RefresherRegistry {
  readonly #handles = new Map<string, RefresherHandle>();

  /** Joins (or starts) the refresher for this app and waits for its first token. */
  async acquire(config: RefresherWorkerConfig, logger: NorthApiLogger): Promise<RefresherHandle> {
    const key = `${config.transport.baseUrl}|${config.transport.appId}`;
    let handle = this.#handles.get(key);
    if (handle && !handle.sameSecret(config.secret)) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INFO_ERROR, `A refresher for appId ${config.transport.appId} already runs with a different secret.`);
    }
    if (handle && !handle.sameTokenStore(config.tokenStore)) {
      throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, `A refresher for appId ${config.transport.appId} already runs in this process with a different tokenStore setting.`);
    }
    if (!handle) {
      handle = new RefresherHandle(key, config, logger);
      this.#handles.set(key, handle);
    }
    handle.users += 1;
    try {
      await handle.ready;
    } catch (error) {
      await this.release(handle);
      throw error;
    }
    return handle;
  }

  /** Leaves the refresher; the last user stops it and ends its worker. */
  async release(handle: RefresherHandle): Promise<void> {
    handle.users -= 1;
    if (handle.users > 0) return;
    if (this.#handles.get(handle.key) === handle) this.#handles.delete(handle.key);
    handle.cache.clear();
    await handle.client.stop();
  }

  /** Running refreshers (for diagnostics and tests). */
  handles(): RefresherHandle[] {
    return [...this.#handles.values()];
  }
}

export const refresherRegistry = new RefresherRegistry();
