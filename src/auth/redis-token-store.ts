import { isIP } from 'node:net';
import { Redis, type RedisOptions } from 'ioredis';
import { NorthApiException, SdkErrorCode, errorMessage } from '../errors.js';
import { rememberSecret } from '../http/redact.js';
import type { FleetStore, FleetStoreListener, StoredToken } from './fleet-refresher.js';
import { describeTokenStore, type TokenStoreConfig } from './token-store-options.js';

// Every script runs atomically in Redis. Values of the token key read `<version>:<lifetimeMs>:<accessToken>`; the key
// expires with the token. Messages on the channel carry versions only, never a token.

/**
 * Takes the lease if it is vacant (a lease without expiry was not written by the SDK and counts as vacant), or
 * extends it if `holder` has it already (a reconnection that kept it).
 */
const ACQUIRE = `
local h = redis.call('GET', KEYS[1])
if not h or redis.call('PTTL', KEYS[1]) == -1 then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if h == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
/** Renews the lease if `holder` still has it. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;
/** Gives the lease up if `holder` still has it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Fenced write: only the lease holder writes; each write takes the next version and announces it. */
const WRITE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local v = redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], 604800000)
redis.call('SET', KEYS[2], v .. ':' .. ARGV[2] .. ':' .. ARGV[3], 'PX', ARGV[4])
redis.call('PUBLISH', ARGV[5], 'token:' .. v)
return v`;
/** The token with the time it has left. */
const READ = `local v = redis.call('GET', KEYS[1]) if not v then return false end return {v, redis.call('PTTL', KEYS[1])}`;
/** Compare-and-refresh: asks the leader for a renewal only if the stored version is still `stale` (or none is stored). */
const REQUEST = `
local v = redis.call('GET', KEYS[1])
if v and tonumber(string.match(v, '^(%d+):')) ~= tonumber(ARGV[1]) then return 0 end
redis.call('PUBLISH', ARGV[2], 'refresh:' .. ARGV[1])
return 1`;

/** Errors that no reconnection fixes: the store is reachable but refuses us. */
const REFUSAL = /WRONGPASS|NOAUTH|NOPERM|invalid password|invalid username|user is disabled|DB index|certificate|self[- ]signed|CERT_|ERR_TLS_|unable to verify/i;

/** Reconnection delay after the `attempt`-th failure: 100 ms doubling to 2 s, with jitter. */
function reconnectDelay(attempt: number): number {
  const cap = Math.min(2_000, 100 * 2 ** Math.min(attempt, 5));
  return Math.round(cap / 2 + (Math.random() * cap) / 2);
}

/**
 * The fleet's shared state in Redis, for one (platform, appId): the lease key (who leads), the token key, the version
 * counter and one pub/sub channel. Two connections: one for commands, one subscribed to the channel.
 *
 * Commands fail at once while the connection is down (no offline queue), so the refresher can fall back without
 * waiting; ioredis keeps reconnecting in the background and `up` is reported when it is back.
 */
export class RedisTokenStore implements FleetStore {
  readonly #config: TokenStoreConfig;
  readonly #keys: { lease: string; token: string; version: string; channel: string };
  #listener: FleetStoreListener | undefined;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  #up = false;
  #closed = false;
  #lastError: string | undefined;

  constructor(config: TokenStoreConfig, appKey: string) {
    this.#config = config;
    if (config.password !== undefined) rememberSecret(config.password);
    const base = `${config.keyPrefix}{${appKey}}`;
    this.#keys = { lease: `${base}:lease`, token: `${base}:token`, version: `${base}:version`, channel: `${base}:events` };
    const options: RedisOptions = {
      host: config.host,
      port: config.port,
      db: config.db,
      username: config.username,
      password: config.password,
      tls: config.tls ? { ...config.tls, servername: config.tls.servername ?? hostForTls(config.host) } : undefined,
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: config.connectTimeoutMs,
      commandTimeout: config.connectTimeoutMs,
      retryStrategy: (attempt) => (this.#closed ? null : reconnectDelay(attempt)),
      connectionName: 'oceanconnect-north-sdk',
    };
    this.#redis = new Redis(options);
    // Pub/sub ignores the database number.
    this.#subscriber = new Redis({ ...options, db: 0, enableOfflineQueue: true, commandTimeout: undefined, connectionName: 'oceanconnect-north-sdk-events' });
    for (const connection of [this.#redis, this.#subscriber]) {
      // Without a listener, ioredis prints every connection error to the console.
      connection.on('error', (error: Error) => {
        this.#lastError = error.message;
      });
    }
    this.#redis.on('ready', () => this.#setUp(true));
    this.#redis.on('close', () => this.#setUp(false, this.#lastError ?? 'connection closed'));
    this.#subscriber.on('message', (_channel: string, message: string) => this.#onMessage(message));
    // Subscribed on every (re)connection, the first included even when it came late; messages sent while the channel
    // was away are lost, so the refresher is told to read the store.
    this.#subscriber.on('ready', () => {
      this.#subscriber.subscribe(this.#keys.channel).then(
        () => {
          // Only once commands can be sent: the command connection may come up after this one.
          if (this.#up) this.#listener?.tokenWritten(0);
        },
        () => undefined,
      );
    });
  }

  get connected(): boolean {
    return this.#up && !this.#closed;
  }

  get lastError(): string | undefined {
    return this.#lastError;
  }

  /** Where the store is, without credentials. */
  describe(): string {
    return describeTokenStore(this.#config);
  }

  /**
   * Connects both connections and checks, once, everything fleet mode needs: the database, the channel (subscribe
   * and publish) and the scripts on the keys. A store that refuses any of it is 1018 now, rather than a fall-back
   * loop later. One that does not answer within `connectTimeoutMs` is unreachable for now (false): ioredis goes on
   * connecting, and `up` says when it is back.
   */
  async connect(listener: FleetStoreListener): Promise<boolean> {
    this.#listener = listener;
    const check = this.#connectAndCheck();
    check.catch(() => undefined); // observed below, or too late to matter (the deadline came first)
    try {
      if ((await within(check, this.#config.connectTimeoutMs)) === LATE) {
        this.#lastError = `no answer within ${this.#config.connectTimeoutMs} ms`;
        return false;
      }
      return true;
    } catch (error) {
      // ioredis rejects with "Connection is closed."; the cause came on the 'error' event.
      const message = errorMessage(error);
      const replied = error instanceof Error && error.name === 'ReplyError';
      const ended = this.#redis.status === 'end' || this.#subscriber.status === 'end';
      const refusal = replied ? message : [this.#lastError, message].find((m) => m !== undefined && REFUSAL.test(m));
      if (refusal !== undefined || ended) {
        await this.close();
        throw NorthApiException.sdk(SdkErrorCode.TOKEN_STORE_ERROR, `Token store ${this.describe()} refused the connection: ${refusal ?? this.#lastError ?? message}`);
      }
      this.#lastError = message;
      return false;
    }
  }

  async #connectAndCheck(): Promise<void> {
    await Promise.all([this.#redis.connect(), this.#subscriber.connect()]);
    await this.#redis.select(this.#config.db);
    await this.#subscriber.subscribe(this.#keys.channel);
    await this.#redis.publish(this.#keys.channel, 'hello');
    await this.read();
    await this.leaseRemaining();
  }

  async acquire(holder: string, ttlMs: number): Promise<boolean> {
    return Number(await this.#redis.eval(ACQUIRE, 1, this.#keys.lease, holder, ttlMs)) === 1;
  }

  async renew(holder: string, ttlMs: number): Promise<boolean> {
    return Number(await this.#redis.eval(RENEW, 1, this.#keys.lease, holder, ttlMs)) === 1;
  }

  async release(holder: string): Promise<void> {
    await this.#redis.eval(RELEASE, 1, this.#keys.lease, holder);
  }

  /** Milliseconds the lease has left; a lease without an expiry (written by something else) counts as vacant. */
  async leaseRemaining(): Promise<number> {
    return Math.max(0, await this.#redis.pttl(this.#keys.lease));
  }

  async write(holder: string, token: { accessToken: string; lifetimeMs: number; remainingMs: number }): Promise<number | undefined> {
    const ttl = Math.max(1, Math.floor(token.remainingMs));
    const { lease, token: key, version } = this.#keys;
    const result = Number(await this.#redis.eval(WRITE, 3, lease, key, version, holder, Math.round(token.lifetimeMs), token.accessToken, ttl, this.#keys.channel));
    return result > 0 ? result : undefined;
  }

  async read(): Promise<StoredToken | undefined> {
    const result = (await this.#redis.eval(READ, 1, this.#keys.token)) as [string, number] | null;
    if (!result) return undefined;
    const [value, remainingMs] = result;
    const match = /^(\d+):(\d+):(.+)$/s.exec(value);
    if (!match || remainingMs <= 0) return undefined;
    const accessToken = match[3]!;
    rememberSecret(accessToken);
    return { version: Number(match[1]), lifetimeMs: Number(match[2]), accessToken, remainingMs: Number(remainingMs) };
  }

  async requestRefresh(staleVersion: number): Promise<boolean> {
    return Number(await this.#redis.eval(REQUEST, 1, this.#keys.token, staleVersion, this.#keys.channel)) === 1;
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  /** Ends both connections: politely within `connectTimeoutMs` (a hung server gets no longer), then at once. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#up = false;
    for (const connection of [this.#redis, this.#subscriber]) {
      // A socket ended mid-handshake can still report an error, after ioredis stopped listening to it.
      (connection.stream as NodeJS.EventEmitter | undefined)?.on('error', () => undefined);
    }
    this.#subscriber.disconnect();
    await within(this.#redis.quit().catch(() => undefined), this.#config.connectTimeoutMs);
    this.#redis.disconnect();
  }

  #setUp(up: boolean, reason?: string): void {
    if (this.#closed || up === this.#up) return;
    this.#up = up;
    if (up) {
      this.#lastError = undefined;
      this.#listener?.up();
    } else {
      this.#listener?.down(reason ?? 'connection lost');
    }
  }

  #onMessage(message: string): void {
    const match = /^(token|refresh):(\d+)$/.exec(message);
    if (!match || !this.#listener) return;
    const version = Number(match[2]);
    if (match[1] === 'token') this.#listener.tokenWritten(version);
    else this.#listener.refreshRequested(version);
  }
}

/** TLS servername: a host name, never an IP address (Node refuses SNI with an address). */
function hostForTls(host: string): string | undefined {
  return isIP(host) === 0 ? host : undefined;
}

const LATE = Symbol('late');

/** `promise`'s outcome, or LATE once `ms` have passed first; the timer never outlives the race. */
async function within<T>(promise: Promise<T>, ms: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([promise, new Promise<typeof LATE>((resolve) => (timer = setTimeout(() => resolve(LATE), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}
