import { EventEmitter } from 'node:events';
import { inspect } from 'node:util';
import { inject, injectable } from '../di.js';
import { NorthApiClient, kTokenProvider } from '../client/north-api-client.js';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import { rememberSecret } from '../http/redact.js';
import type { AuthOutDTO, AuthRefreshInDTO, AuthRefreshOutDTO, RefreshFailedEvent, TokenRefreshedEvent } from '../dto/auth.js';
import { hideFromInspect } from '../dto/redacted-view.js';
import { requireObject, requireString } from '../services/validation.js';
import { checkCallOptions, type CallOptions } from '../services/call-options.js';
import { abortable, throwIfAborted } from '../http/abort.js';
import type { RefresherEvent, RefresherStatus } from './refresh-policy.js';
import { refresherRegistry, type RefresherHandle } from './refresher-registry.js';
import type { ApiTable } from '../services/api-table.js';
import { TOKEN_API, login, logout, refresh } from './token-endpoints.js';
import type { TokenGrant } from './token-grant.js';

export interface AuthenticationEvents {
  tokenRefreshed: [TokenRefreshedEvent];
  refreshFailed: [RefreshFailedEvent];
}

export interface RefresherInfo {
  /** Thread id of the refresher worker (shared by every Authentication of the same platform and appId). */
  threadId: number | undefined;
  /** How many started timers share this refresher in this process. */
  sharedBy: number;
  /** Times a call had to ask the worker for a token. Null-token calls ask none while the cached token is valid. */
  workerTokenRequests: number;
  status: RefresherStatus;
}

/** How many started timers feed each client: the last one to stop detaches the token provider. */
const timersPerClient = new WeakMap<NorthApiClient, number>();

/**
 * Login, token refresh and the refresh timer (Java SDK `Authentication`).
 *
 * `startRefreshTokenTimer()` starts (or joins) the refresher worker for this platform and appId; from then on every
 * service method called with `accessToken = null` gets a valid token from the main-thread cache.
 *
 * Events (payloads carry no token or secret): `tokenRefreshed` ({@link TokenRefreshedEvent}) and `refreshFailed`
 * ({@link RefreshFailedEvent}).
 */
@injectable()
export class Authentication extends EventEmitter<AuthenticationEvents> {
  readonly #client: NorthApiClient;
  #handle: RefresherHandle | undefined;
  #starting: Promise<void> | undefined;
  /** Callers still waiting for the start under way (those whose signal fired are not counted). */
  #startCallers = 0;
  readonly #relay = (event: RefresherEvent): void => this.#emitRefresherEvent(event);

  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = TOKEN_API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super();
    if (!(client instanceof NorthApiClient)) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'Authentication needs a NorthApiClient.');
    }
    this.#client = client;
  }

  /**
   * Logs in with the ClientInfo's appId and secret. Note: the platform then voids any earlier token of the app,
   * including the one a running refresh timer holds (calls recover by themselves, at the cost of a refresh).
   */
  async getAuthToken(options?: CallOptions): Promise<AuthOutDTO> {
    const { signal } = checkCallOptions(options);
    const info = this.#client.requireClientInfo();
    return grantResult(await login(this.#client.transport(), { appId: info.appId, secret: info.secret }, signal));
  }

  /** Exchanges a refresh token for a new token pair. */
  async refreshAuthToken(arInDTO: AuthRefreshInDTO, options?: CallOptions): Promise<AuthRefreshOutDTO> {
    const { signal } = checkCallOptions(options);
    requireObject(arInDTO, 'arInDTO');
    const appId = requireString(arInDTO.appId, 'arInDTO.appId');
    const secret = requireString(arInDTO.secret, 'arInDTO.secret');
    const refreshToken = requireString(arInDTO.refreshToken, 'arInDTO.refreshToken');
    rememberSecret(secret);
    rememberSecret(refreshToken);
    return grantResult(await refresh(this.#client.transport(), { appId, secret }, refreshToken, signal));
  }

  /**
   * Starts the refresh timer: resolves once the first token is held. Calling it again while it runs does nothing.
   * Rejects with the platform's error (e.g. 100208 for a wrong secret) if no first token can be had. A `signal` that
   * fires first makes it reject with 1013; the start is undone once it finishes, unless another caller still waits
   * for it. A start given up on may already have logged in, which voids the app's earlier tokens (as any login does).
   */
  async startRefreshTokenTimer(options?: CallOptions): Promise<void> {
    const { signal } = checkCallOptions(options);
    throwIfAborted(signal);
    if (this.#handle) return;
    if (!this.#starting) {
      const starting = this.#start().finally(() => {
        this.#starting = undefined;
      });
      this.#starting = starting;
      this.#startCallers = 0;
      // Every caller gave up (its signal fired) before the start finished: undo it.
      starting.then(
        () => {
          if (this.#startCallers === 0) this.stopRefreshTokenTimer().catch(() => undefined);
        },
        () => undefined,
      );
    }
    this.#startCallers += 1;
    try {
      await abortable(this.#starting, signal);
    } catch (error) {
      if (error instanceof NorthApiException && error.errorCode === SdkErrorCode.REQUEST_ABORTED) this.#startCallers -= 1;
      throw error;
    }
  }

  /** Stops the timer: the worker ends when no other timer of the same app shares it. Idempotent. */
  async stopRefreshTokenTimer(): Promise<void> {
    if (this.#starting) await this.#starting.catch(() => undefined);
    const handle = this.#handle;
    if (!handle) return;
    this.#handle = undefined;
    handle.events.off('event', this.#relay);
    const remaining = (timersPerClient.get(this.#client) ?? 1) - 1;
    timersPerClient.set(this.#client, remaining);
    if (remaining === 0 && this.#client[kTokenProvider] === handle.cache) this.#client[kTokenProvider] = undefined;
    await refresherRegistry.release(handle);
  }

  isRefreshTokenTimerRunning(): boolean {
    return this.#handle !== undefined;
  }

  /** Diagnostics of the running refresher, or undefined when the timer is not running. */
  async getRefresherInfo(): Promise<RefresherInfo | undefined> {
    const handle = this.#handle;
    if (!handle) return undefined;
    const status = await handle.client.status();
    return { threadId: handle.client.threadId, sharedBy: handle.users, workerTokenRequests: handle.client.tokenRequests, status };
  }

  /** @deprecated Kept for parity with the Java SDK; the current platform documentation no longer lists logout. */
  async logoutAuthToken(accessToken: string, options?: CallOptions): Promise<void> {
    const { signal } = checkCallOptions(options);
    const token = requireString(accessToken, 'accessToken');
    rememberSecret(token);
    await logout(this.#client.transport(), token, signal);
  }

  override toString(): string {
    return `Authentication(${this.#client.toString()}, timer ${this.#handle ? 'running' : 'stopped'})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }

  toJSON(): { client: unknown; timerRunning: boolean } {
    return { client: this.#client.toJSON(), timerRunning: this.#handle !== undefined };
  }

  async #start(): Promise<void> {
    const info = this.#client.requireClientInfo();
    const handle = await refresherRegistry.acquire(
      { transport: this.#client.transportConfig(), secret: info.secret, tokenStore: this.#client.tokenStoreConfig() },
      this.#client.logger,
    );
    this.#handle = handle;
    handle.events.on('event', this.#relay);
    timersPerClient.set(this.#client, (timersPerClient.get(this.#client) ?? 0) + 1);
    this.#client[kTokenProvider] = handle.cache;
    // The first token arrived before this listener was attached: report the token in use now.
    if (handle.lastRefreshed) this.#emitRefresherEvent(handle.lastRefreshed);
  }

  #emitRefresherEvent(event: RefresherEvent): void {
    const appId = this.#client.getClientInfo()?.appId ?? '';
    if (event.type === 'refreshed') {
      this.emit('tokenRefreshed', { appId, version: event.version, expiresAt: new Date(event.expiresAt), via: event.via });
    } else {
      this.emit('refreshFailed', {
        appId,
        error: NorthApiException.fromData(event.error),
        terminal: event.terminal,
        retryInMs: event.retryInMs,
        tokenValid: event.tokenValid,
      });
    }
  }
}

function grantResult(grant: TokenGrant): AuthOutDTO {
  return hideFromInspect<AuthOutDTO>(
    { accessToken: grant.accessToken, tokenType: grant.tokenType, refreshToken: grant.refreshToken, expiresIn: grant.expiresIn, scope: grant.scope },
    ['accessToken', 'refreshToken'],
  );
}
