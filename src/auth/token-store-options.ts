import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { createSecureContext } from 'node:tls';
import { NorthApiException, SdkErrorCode, errorMessage } from '../errors.js';
import { rememberSecret } from '../http/redact.js';
import { pemText } from '../client/ssl-config.js';
import { positiveInteger, rejectUnknownKeys } from '../options.js';

/** TLS settings for a `rediss://` token store. Verification is always on; give `ca` for a private CA. */
export interface RedisTlsOptions {
  /** PEM certificate(s) of the CA that signed the server's certificate. Default: Node's trust store. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** PEM client certificate, for servers that ask for one (`tls-auth-clients`). */
  cert?: string | Buffer;
  /** PEM private key of `cert`. */
  key?: string | Buffer;
  /** Name to check the server certificate against, when it differs from the URL's host. */
  servername?: string;
}

/**
 * Fleet mode: the instances of an application share one token refresher through Redis (see README, "Running several
 * instances"). Only the access token, its expiry and its version are stored there.
 */
export interface TokenStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]`, or `rediss://...` for TLS. Credentials may be given here or in
   * `username`/`password` (which win).
   */
  redisUrl: string;
  /** Redis ACL user (Redis 6 and later). */
  username?: string;
  /** Redis password (AUTH). */
  password?: string;
  /** Only with a `rediss://` URL. */
  tls?: RedisTlsOptions;
  /** Prefix of every key and channel the SDK uses. Default `oceanconnect:`. */
  keyPrefix?: string;
  /**
   * How long the leader's lease lasts without renewal: after the leader dies, another instance takes over within this
   * time. Keep it well under the token's refresh margin (5 minutes for 1-hour tokens). Default 10000.
   */
  leaseTtlMs?: number;
  /** Time allowed to connect to Redis, and for one Redis command. Default 2000 ms. */
  connectTimeoutMs?: number;
}

/** Plain settings of the token store, as the refresher worker receives them (PEM strings, no Buffers). */
export interface TokenStoreConfig {
  host: string;
  port: number;
  db: number;
  tls: { ca?: string[]; cert?: string; key?: string; servername?: string } | undefined;
  username: string | undefined;
  password: string | undefined;
  keyPrefix: string;
  leaseTtlMs: number;
  connectTimeoutMs: number;
}

const STORE_KEYS = new Set(['redisUrl', 'username', 'password', 'tls', 'keyPrefix', 'leaseTtlMs', 'connectTimeoutMs']);
const TLS_KEYS = new Set(['ca', 'cert', 'key', 'servername']);
const DEFAULT_LEASE_TTL_MS = 10_000;
const MIN_LEASE_TTL_MS = 300;
const MAX_LEASE_TTL_MS = 300_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_KEY_PREFIX = 'oceanconnect:';

function invalid(message: string): NorthApiException {
  return NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, message);
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.length === 0) throw invalid(`${name} must be a non-empty string.`);
  return value;
}

function pem(value: unknown, name: string): string | undefined {
  return value === undefined ? undefined : pemText(value, name, SdkErrorCode.INVALID_OPTION);
}

/** Checks `tokenStore` options once, eagerly (1017 naming the option); the password is redacted from then on. */
export function resolveTokenStoreOptions(options: unknown): TokenStoreConfig {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw invalid('tokenStore must be an object with a redisUrl.');
  rejectUnknownKeys(options, STORE_KEYS, 'tokenStore option');
  const o = options as TokenStoreOptions;
  if (typeof o.redisUrl !== 'string' || o.redisUrl.length === 0) throw invalid('tokenStore.redisUrl must be a redis:// or rediss:// URL.');
  let url: URL;
  try {
    url = new URL(o.redisUrl);
  } catch {
    throw invalid('tokenStore.redisUrl is not a valid URL (expected redis://host:port or rediss://host:port).');
  }
  const fromUrl = (part: string, name: string): string | undefined => {
    if (part === '') return undefined;
    try {
      return decodeURIComponent(part);
    } catch {
      throw invalid(`tokenStore.redisUrl: the ${name} is not validly percent-encoded.`);
    }
  };
  const urlPassword = fromUrl(url.password, 'password');
  if (urlPassword !== undefined) rememberSecret(urlPassword);
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw invalid(`tokenStore.redisUrl must start with redis:// or rediss://, not ${url.protocol}//.`);
  if (url.hostname === '') throw invalid('tokenStore.redisUrl has no host.');
  if (url.search !== '' || url.hash !== '') throw invalid('tokenStore.redisUrl takes no query or fragment; use the tokenStore options.');
  const dbText = url.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,5}$/.test(dbText)) throw invalid('tokenStore.redisUrl: the path must be a database number (e.g. /0).');
  const password = optionalString(o.password, 'tokenStore.password') ?? urlPassword;
  if (password !== undefined) rememberSecret(password);
  const username = optionalString(o.username, 'tokenStore.username') ?? fromUrl(url.username, 'user name');
  const secure = url.protocol === 'rediss:';
  let tls: TokenStoreConfig['tls'];
  if (o.tls !== undefined) {
    if (!secure) throw invalid('tokenStore.tls needs a rediss:// URL.');
    if (o.tls === null || typeof o.tls !== 'object') throw invalid('tokenStore.tls must be an object.');
    rejectUnknownKeys(o.tls, TLS_KEYS, 'tokenStore.tls option');
    const cas = o.tls.ca === undefined ? undefined : (Array.isArray(o.tls.ca) ? o.tls.ca : [o.tls.ca]).map((ca, i) => pem(ca, `tokenStore.tls.ca[${i}]`)!);
    const key = pem(o.tls.key, 'tokenStore.tls.key');
    const cert = pem(o.tls.cert, 'tokenStore.tls.cert');
    if ((key === undefined) !== (cert === undefined)) throw invalid('tokenStore.tls.cert and tokenStore.tls.key go together.');
    const servername = optionalString(o.tls.servername, 'tokenStore.tls.servername');
    if (servername !== undefined && isIP(servername) !== 0) throw invalid('tokenStore.tls.servername must be a host name, not an IP address.');
    try {
      // Unreadable PEM would otherwise surface only at connection time, as a store that never comes up (Node drops a
      // CA it cannot read without a word, hence the X509Certificate check).
      for (const ca of cas ?? []) new X509Certificate(ca);
      createSecureContext({ ca: cas, cert, key });
    } catch (error) {
      throw invalid(`tokenStore.tls: the certificates or key cannot be read (${errorMessage(error)}).`);
    }
    tls = { ca: cas, cert, key, servername };
  } else if (secure) {
    tls = {};
  }
  if (url.port === '0') throw invalid('tokenStore.redisUrl: port 0 is not a port Redis listens on.');
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port === '' ? 6379 : Number(url.port),
    db: dbText === '' ? 0 : Number(dbText),
    tls,
    username,
    password,
    keyPrefix: o.keyPrefix === undefined ? DEFAULT_KEY_PREFIX : (optionalString(o.keyPrefix, 'tokenStore.keyPrefix') as string),
    leaseTtlMs: leaseTtl(o.leaseTtlMs),
    connectTimeoutMs: positiveInteger(o.connectTimeoutMs, DEFAULT_CONNECT_TIMEOUT_MS, 'tokenStore.connectTimeoutMs', 60_000),
  };
}

function leaseTtl(value: unknown): number {
  const ttl = positiveInteger(value, DEFAULT_LEASE_TTL_MS, 'tokenStore.leaseTtlMs', MAX_LEASE_TTL_MS);
  if (ttl < MIN_LEASE_TTL_MS) throw invalid(`tokenStore.leaseTtlMs must be at least ${MIN_LEASE_TTL_MS}.`);
  return ttl;
}

/** Where the store is, without credentials: what logs and toString() show. */
export function describeTokenStore(config: TokenStoreConfig): string {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `${config.tls ? 'rediss' : 'redis'}://${host}:${config.port}/${config.db}`;
}

/** True when two configs name the same store the same way (credentials included). */
export function sameTokenStore(a: TokenStoreConfig | undefined, b: TokenStoreConfig | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
