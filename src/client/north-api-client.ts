import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import { baseUrlOf, validateClientInfo, type ClientInfo } from './client-info.js';
import { resolveSslConfig, type SSLConfig, type TlsMaterial } from './ssl-config.js';
import { rememberSecret } from '../http/redact.js';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_TIMEOUT_MS, Transport, type RequestSpec, type TransportConfig } from '../http/transport.js';
import { defaultLogger, log, type NorthApiLogger } from '../logger.js';
import { nonNegativeInteger, positiveInteger, rejectUnknownKeys } from '../options.js';
import { abortable, MAX_TIMER_MS } from '../http/abort.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from '../http/retry-policy.js';
import { describeTokenStore, resolveTokenStoreOptions, type TokenStoreConfig, type TokenStoreOptions } from '../auth/token-store-options.js';

export interface HttpOptions {
  /**
   * Time allowed for one request, connection to last byte. Default 30000 ms. Requests started close together share
   * one timer, so one may run up to a tenth longer (at most 1 s), never shorter.
   */
  timeoutMs?: number;
  /** Largest response body accepted. Default 10 MiB. */
  maxResponseBytes?: number;
  /**
   * Attempts after the first for a request that may safely be repeated: one that never left (connection refused),
   * and GET, PUT or DELETE after a connection reset or a 500, 502, 503 or 504. POST is never repeated once sent.
   * Default 2; 0 turns retries off.
   */
  retries?: number;
  /** Wait before the first retry; it doubles per retry, with jitter. Default 200 ms. */
  retryBaseDelayMs?: number;
  /** Longest wait before a retry; a longer Retry-After ends the retries. Default 5000 ms. */
  retryMaxDelayMs?: number;
  /**
   * After a flow-control answer (1010009), every business request of this client waits between half and all of this
   * (or the Retry-After the platform sent) before it is sent, doubling for each 1010009 in a row; the throttled call fails
   * with 1010009 once the wait is over. Default 1000 ms.
   */
  throttleBaseDelayMs?: number;
  /** Longest flow-control wait. Default 30000 ms. */
  throttleMaxDelayMs?: number;
}

export interface NorthApiClientOptions {
  clientInfo?: ClientInfo;
  ssl?: SSLConfig;
  http?: HttpOptions;
  /** Where the SDK logs. Default: warnings and errors on stderr. Messages are redacted before they get here. */
  logger?: NorthApiLogger;
  /**
   * Fleet mode: instances of the application share one token refresher through Redis instead of voiding each other's
   * tokens. Without it, the refresher serves this process alone. See README, "Running several instances".
   */
  tokenStore?: TokenStoreOptions;
}

/**
 * Supplies the managed access token to calls made with `accessToken = null` while the refresh timer runs.
 * `current()` answers synchronously whenever the cached token is comfortably valid.
 */
export interface TokenProvider {
  current(): string | Promise<string>;
  /** The platform rejected `rejected`: return a newer token (refreshing only if `rejected` is still the newest). */
  renewAfterRejection(rejected: string): Promise<string>;
}

/** Parameters of one business call, as the service classes describe it. */
export interface ServiceCall extends Omit<RequestSpec, 'accessToken' | 'form'> {
  accessToken: string | null | undefined;
}

const OPTION_KEYS = new Set(['clientInfo', 'ssl', 'http', 'logger', 'tokenStore']);
const HTTP_KEYS = new Set(['timeoutMs', 'maxResponseBytes', 'retries', 'retryBaseDelayMs', 'retryMaxDelayMs', 'throttleBaseDelayMs', 'throttleMaxDelayMs']);
const INVALID_TOKEN_CODE = '1010005';
/**
 * Replays of a call whose token the platform rejected. The first may use a token that was already newer but is void
 * too (a login elsewhere voided both); the second then follows a renewal made for the rejected token itself.
 */
const MAX_REPLAYS = 2;

/** Not exported from the package: how Authentication attaches its token cache to a client. */
export const kTokenProvider = Symbol('oceanconnect.tokenProvider');

let cachedVersion: string | undefined;

/**
 * The connection to one platform for one application (Java SDK `NorthApiClient`): ClientInfo, TLS, HTTP settings and a
 * keep-alive connection pool. Every service class sends its calls through it.
 */
export class NorthApiClient {
  #clientInfo: Readonly<ClientInfo> | undefined;
  #tls: TlsMaterial = { rejectUnauthorized: true };
  readonly #http: { timeoutMs: number; maxResponseBytes: number };
  readonly #retry: RetryPolicy;
  readonly #logger: NorthApiLogger;
  readonly #tokenStore: TokenStoreConfig | undefined;
  #transport: Transport | undefined;
  readonly #retired: Transport[] = [];
  /** @internal Where Authentication attaches its token cache. */
  declare [kTokenProvider]: TokenProvider | undefined;

  constructor(options: NorthApiClientOptions = {}) {
    if (options === null || typeof options !== 'object') {
      throw NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, 'NorthApiClient options must be an object.');
    }
    rejectUnknownKeys(options, OPTION_KEYS, 'NorthApiClient option');
    const httpOptions = options.http ?? {};
    rejectUnknownKeys(httpOptions, HTTP_KEYS, 'http option');
    this.#http = {
      timeoutMs: positiveInteger(httpOptions.timeoutMs, DEFAULT_TIMEOUT_MS, 'http.timeoutMs'),
      maxResponseBytes: positiveInteger(httpOptions.maxResponseBytes, DEFAULT_MAX_RESPONSE_BYTES, 'http.maxResponseBytes'),
    };
    const d = DEFAULT_RETRY_POLICY;
    this.#retry = {
      retries: nonNegativeInteger(httpOptions.retries, d.retries, 'http.retries'),
      baseDelayMs: positiveInteger(httpOptions.retryBaseDelayMs, d.baseDelayMs, 'http.retryBaseDelayMs', MAX_TIMER_MS),
      maxDelayMs: positiveInteger(httpOptions.retryMaxDelayMs, d.maxDelayMs, 'http.retryMaxDelayMs', MAX_TIMER_MS),
      throttleBaseDelayMs: positiveInteger(httpOptions.throttleBaseDelayMs, d.throttleBaseDelayMs, 'http.throttleBaseDelayMs', MAX_TIMER_MS),
      throttleMaxDelayMs: positiveInteger(httpOptions.throttleMaxDelayMs, d.throttleMaxDelayMs, 'http.throttleMaxDelayMs', MAX_TIMER_MS),
    };
    this.#logger = options.logger ?? defaultLogger;
    this.#tokenStore = options.tokenStore === undefined ? undefined : resolveTokenStoreOptions(options.tokenStore);
    Object.defineProperty(this, kTokenProvider, { value: undefined, writable: true, enumerable: false });
    if (options.clientInfo !== undefined) this.setClientInfo(options.clientInfo);
    if (options.ssl !== undefined) this.initSSLConfig(options.ssl);
  }

  /** Validates and stores the ClientInfo: 1008 for a missing field, 1010 for a space in appId or secret. */
  setClientInfo(clientInfo: ClientInfo): void {
    this.#clientInfo = validateClientInfo(clientInfo);
    this.#retireTransport();
  }

  /** The ClientInfo in use (a frozen copy; its secret is hidden from JSON and inspect). */
  getClientInfo(): Readonly<ClientInfo> | undefined {
    return this.#clientInfo;
  }

  /** Sets the TLS configuration; with no argument, back to the defaults (Node's trust store, verification on). */
  initSSLConfig(ssl?: SSLConfig): void {
    const tls = resolveSslConfig(ssl);
    if (!tls.rejectUnauthorized) {
      log(this.#logger, 'warn', 'TLS certificate verification is OFF (ssl.rejectUnauthorized = false). Anyone on the path can read your credentials; use this only against a test platform.');
    }
    this.#tls = tls;
    this.#retireTransport();
  }

  /** The SDK version. */
  getVersion(): string {
    if (cachedVersion === undefined) {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
      cachedVersion = pkg.version;
    }
    return cachedVersion;
  }

  /** Closes idle connections. The client stays usable: a later call opens new ones. */
  close(): void {
    this.#transport?.close();
    this.#transport = undefined;
    for (const transport of this.#retired.splice(0)) transport.close();
  }

  get logger(): NorthApiLogger {
    return this.#logger;
  }

  /** @internal Plain settings of this client's transport (what the refresher worker receives). Throws 1008 without ClientInfo. */
  transportConfig(): TransportConfig {
    const info = this.requireClientInfo();
    return {
      baseUrl: baseUrlOf(info),
      scheme: info.scheme ?? 'https',
      appId: info.appId,
      tls: this.#tls,
      timeoutMs: this.#http.timeoutMs,
      maxResponseBytes: this.#http.maxResponseBytes,
      retry: { ...this.#retry },
    };
  }

  /** @internal The token store settings (fleet mode), if any: what the refresher worker receives. */
  tokenStoreConfig(): TokenStoreConfig | undefined {
    return this.#tokenStore;
  }

  requireClientInfo(): Readonly<ClientInfo> {
    if (!this.#clientInfo) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INFO_ERROR, 'Call setClientInfo() or pass clientInfo to the client first.');
    }
    return this.#clientInfo;
  }

  /** @internal The transport of this client (created on first use). */
  transport(): Transport {
    if (!this.#transport) {
      const transport = new Transport(this.transportConfig());
      transport.onRetry = (method, path, attempt, delayMs, error) =>
        log(this.#logger, 'debug', `${method} ${path}: ${error.errorCode}${error.httpStatusCode > 0 ? ` (HTTP ${error.httpStatusCode})` : ''}, retry ${attempt} in ${delayMs} ms`);
      transport.onThrottle = (delayMs, streak) =>
        log(this.#logger, 'warn', `Platform flow control (1010009) for appId ${transport.appId}: no request is sent for ${delayMs} ms${streak > 1 ? ` (${streak} in a row)` : ''}.`);
      this.#transport = transport;
    }
    return this.#transport;
  }

  /**
   * Sends one business call. With a token argument, that token is used as given (and redacted from messages from
   * then on); any other value than null, undefined or a non-empty string fails with 1009 before anything else. With
   * null, the token comes from the refresh timer (1009 when it is not running); if the platform rejects it as invalid
   * (1010005), the call is sent again with a newer token, at most twice. A 1010005 means the gateway refused the call,
   * so a replay cannot run it twice. `call.signal` cancels the call at any point, its wait for a token included (1013).
   */
  async invoke<T>(call: ServiceCall): Promise<T> {
    const explicit = tokenArgument(call.accessToken);
    const transport = this.transport();
    if (explicit !== null) {
      rememberSecret(explicit);
      return (await transport.request({ ...call, accessToken: explicit })) as T;
    }
    const provider = this[kTokenProvider];
    if (!provider) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_ACCESSTOKEN_INVALID, 'Start the refresh timer (Authentication.startRefreshTokenTimer()) or pass a token.');
    }
    const supplied = provider.current();
    let token = typeof supplied === 'string' ? supplied : await abortable(supplied, call.signal);
    for (let replay = 1; ; replay += 1) {
      try {
        return (await transport.request({ ...call, accessToken: token })) as T;
      } catch (error) {
        if (!(error instanceof NorthApiException) || error.errorCode !== INVALID_TOKEN_CODE || replay > MAX_REPLAYS) throw error;
        log(this.#logger, 'debug', `${call.method} ${call.path}: token rejected (1010005), replay ${replay} with a newer token`);
        token = await abortable(provider.renewAfterRejection(token), call.signal);
      }
    }
  }

  toString(): string {
    const info = this.#clientInfo;
    const store = this.#tokenStore ? `, tokenStore=${describeTokenStore(this.#tokenStore)}` : '';
    return info ? `NorthApiClient(${baseUrlOf(info)}, appId=${info.appId}${store})` : `NorthApiClient(no clientInfo${store})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  toJSON(): { platform?: string; appId?: string; tokenStore?: string } {
    const info = this.#clientInfo;
    const store = this.#tokenStore ? { tokenStore: describeTokenStore(this.#tokenStore) } : {};
    return info ? { platform: baseUrlOf(info), appId: info.appId, ...store } : store;
  }

  #retireTransport(): void {
    if (this.#transport) this.#retired.push(this.#transport);
    this.#transport = undefined;
  }
}

/** What a token can be sent as in an Authorization header unchanged: visible ASCII, no space. */
const TOKEN_SYNTAX = /^[\x21-\x7e]+$/;

/**
 * The token argument of a call: null for none (undefined too), or a non-empty string of visible ASCII characters;
 * anything else is 1009 (a space or control character would be trimmed or refused on the way into the header).
 */
function tokenArgument(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || !TOKEN_SYNTAX.test(value)) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_ACCESSTOKEN_INVALID, 'accessToken must be null or a non-empty string of visible ASCII characters.');
  }
  return value;
}
