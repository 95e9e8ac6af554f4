import { NorthApiException, SdkErrorCode, type NorthApiExceptionData } from '../errors.js';
import type { TokenGrant, TokenState } from './token-grant.js';
import type { FleetStatus } from './fleet-refresher.js';
import { jittered } from '../http/retry-policy.js';

/** The two token endpoints, as the refresher sees them. */
export interface TokenEndpoints {
  login(): Promise<TokenGrant>;
  refresh(refreshToken: string): Promise<TokenGrant>;
}

/** Time and chance, injected so the rules can be tested with a fake clock. */
export interface Scheduler {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  random(): number;
}

export type RenewReason = 'start' | 'scheduled' | 'retry' | 'forced' | 'read';

export type RefresherEvent =
  | { type: 'refreshed'; via: 'login' | 'refresh' | 'store'; reason: RenewReason; version: number; expiresAt: number }
  | { type: 'refresh-failed'; error: NorthApiExceptionData; terminal: boolean; retryInMs?: number; tokenValid: boolean };

export interface RefresherListener {
  onToken(state: TokenState): void;
  onEvent(event: RefresherEvent): void;
}

export interface RefresherStatus {
  running: boolean;
  version: number;
  expiresAt?: number;
  refreshAt?: number;
  consecutiveFailures: number;
  terminal: boolean;
  lastErrorCode?: string;
  /** Present in fleet mode (NorthApiClient option `tokenStore`). */
  fleet?: FleetStatus;
}

/** Login errors that no retry can fix: wrong credentials, frozen app, missing or invalid parameters. */
const TERMINAL_LOGIN_CODES = new Set(['100208', '100247', '102202', '50400']);
/** True for a login error that retrying cannot fix. */
export function isTerminalLoginError(error: NorthApiException): boolean {
  return TERMINAL_LOGIN_CODES.has(error.errorCode);
}

/** The refresh token is invalid or expired: log in again. */
const BAD_REFRESH_TOKEN_CODE = '100208';
/** How many times the first login is tried before startRefreshTokenTimer() gives up. */
const START_ATTEMPTS = 3;

/** How long before expiry to refresh: a quarter of the lifetime, at most 5 minutes (3600 s -> 300 s, 2 s -> 0.5 s). */
export function refreshMarginMs(lifetimeMs: number): number {
  return Math.min(300_000, lifetimeMs / 4);
}

/** A token this close to expiry is not handed out from a cache: a call sent now could arrive after it expired. */
export function readSafetyMs(lifetimeMs: number): number {
  return Math.min(1_000, lifetimeMs / 20);
}

/** Exponential backoff with jitter, from 1 % of the lifetime (20 ms to 5 s), capped by half the margin (up to 60 s). */
export function backoffMs(lifetimeMs: number, attempt: number, random: number): number {
  const base = Math.min(5_000, Math.max(20, lifetimeMs / 100));
  const cap = Math.min(60_000, Math.max(base, refreshMarginMs(lifetimeMs) / 2));
  return jittered(Math.min(cap, base * 2 ** Math.min(attempt, 20)), () => random);
}

const DEFAULT_LIFETIME_MS = 3_600_000;
/** Longest wait a Retry-After on a token endpoint obtains: a longer one would let the token lapse for nothing. */
const MAX_RETRY_AFTER_MS = 300_000;
/** Rule 7's bounds: a caller waits for a renewal at least this long... */
const MIN_WAIT_MS = 2_000;
/** ...and at most this long, unless the refresher is told otherwise (the worker uses the HTTP timeout). */
const DEFAULT_MAX_WAIT_MS = 30_000;

/** Rule 7: how long a caller waits for a renewal: a quarter of the token's lifetime, at least 2 s, at most `maxWaitMs`. */
export function callerWaitMs(lifetimeMs: number, maxWaitMs: number): number {
  return Math.min(maxWaitMs, Math.max(MIN_WAIT_MS, lifetimeMs / 4));
}

interface Waiter {
  resolve(state: TokenState): void;
  reject(error: NorthApiException): void;
  timer: unknown;
}

/**
 * Keeps one application's access token valid. Runs inside the refresher worker; pure apart from what is injected.
 *
 * The rules, in the order the code below applies them:
 * 1. Refresh at `sentAt + expiresIn - margin - jitter`; `sentAt` is taken before the request, so clock time spent
 *    on the wire only makes the refresh earlier. Jitter is up to a quarter of the margin.
 * 2. Use the refresh endpoint while there is a refresh token; if it answers 100208 (refresh token invalid or
 *    expired), log in instead.
 * 3. One renewal in flight at a time; every concurrent ask shares it.
 * 4. A failure while the current token is still valid: keep serving it and retry with exponential backoff and jitter,
 *    honouring Retry-After up to 5 minutes. Past expiry, readers get a typed error (1015), never an expired token.
 * 5. A login refused for wrong credentials (100208), a frozen app or invalid parameters is terminal: no more retries;
 *    readers get that error once the current token has expired.
 * 6. Validity is checked on every read as well, because timers fire late after a sleep or a stalled event loop:
 *    a read that finds the refresh overdue starts it.
 * 7. A caller that needs a new token (none usable, or the platform rejected the current one) waits for the next
 *    renewal that succeeds, across failed attempts and their backoff, for a quarter of the token's lifetime but at
 *    least 2 s, and never longer than `maxWaitMs`; then it gets 1015 naming the last failure. A terminal error or stop() ends
 *    the wait at once.
 */
export class TokenRefresher {
  readonly #endpoints: TokenEndpoints;
  readonly #clock: Scheduler;
  readonly #listener: RefresherListener;
  #state: TokenState | undefined;
  #lifetimeMs = DEFAULT_LIFETIME_MS;
  #refreshAt = 0;
  #refreshToken: string | undefined;
  #version = 0;
  #inflight: Promise<TokenState> | undefined;
  #timer: unknown;
  #retryPending = false;
  #failures = 0;
  #lastError: NorthApiException | undefined;
  #terminal: NorthApiException | undefined;
  #running = false;
  #firstToken: { resolve(state: TokenState): void; reject(error: NorthApiException): void } | undefined;
  /** Callers waiting for the next successful renewal (rule 7). */
  readonly #waiters = new Set<Waiter>();
  readonly #maxWaitMs: number;

  constructor(endpoints: TokenEndpoints, clock: Scheduler, listener: RefresherListener, options: { maxWaitMs?: number } = {}) {
    this.#endpoints = endpoints;
    this.#clock = clock;
    this.#listener = listener;
    this.#maxWaitMs = options.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  }

  /**
   * Logs in and starts the schedule. Resolves with the first token; rejects on a terminal error or after 3 failures.
   *
   * With a `seed` still usable (a token another refresher obtained, as in fleet mode), no request is sent now: the
   * seed is served and the schedule starts from it. Without a refresh token, its renewal is a login.
   */
  start(seed?: TokenState): Promise<TokenState> {
    if (this.#running && this.#state && this.#usable(this.#state)) return Promise.resolve(this.#state);
    if (this.#running && this.#firstToken === undefined && this.#inflight) return this.#inflight;
    this.#running = true;
    this.#terminal = undefined;
    this.#failures = 0;
    if (seed && seed.expiresAt > seed.issuedAt && this.#usableFor(seed, seed.expiresAt - seed.issuedAt)) {
      return Promise.resolve(this.#seed(seed));
    }
    const first = new Promise<TokenState>((resolve, reject) => {
      this.#firstToken = { resolve, reject };
    });
    this.#renew('start').catch(() => undefined);
    return first;
  }

  /** Stops the schedule. A renewal in flight completes but its token is dropped. */
  stop(): void {
    this.#running = false;
    this.#clearTimer();
    this.#firstToken?.reject(NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED));
    this.#firstToken = undefined;
    this.#settleWaiters({ error: NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED) });
  }

  /** A token valid for at least the read safety window (rule 4, 6). */
  getToken(): Promise<TokenState> {
    if (!this.#running) return Promise.reject(NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED));
    const state = this.#state;
    const now = this.#clock.now();
    if (state && this.#usable(state, now)) {
      if (now >= this.#refreshAt && !this.#inflight && !this.#retryPending && !this.#terminal) {
        this.#renew('read').catch(() => undefined); // rule 6: the timer is late
      }
      return Promise.resolve(state);
    }
    if (this.#terminal) return Promise.reject(this.#terminal);
    if (this.#retryPending && state && now < state.expiresAt) return Promise.resolve(state);
    if (!this.#inflight && !this.#retryPending) this.#renew('read').catch(() => undefined);
    return this.#nextToken();
  }

  /**
   * The platform rejected `stale`. If a newer token exists, return it; if `stale` is still the newest, renew
   * (compare-and-refresh), joining a renewal already in flight.
   */
  forceRefresh(stale: string): Promise<TokenState> {
    if (!this.#running) return Promise.reject(NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED));
    const state = this.#state;
    if (state && state.accessToken !== stale && this.#usable(state)) return Promise.resolve(state);
    if (this.#terminal) return Promise.reject(this.#terminal);
    if (!this.#inflight && !this.#retryPending) this.#renew('forced').catch(() => undefined);
    return this.#nextToken();
  }

  status(): RefresherStatus {
    return {
      running: this.#running,
      version: this.#version,
      expiresAt: this.#state?.expiresAt,
      refreshAt: this.#state ? this.#refreshAt : undefined,
      consecutiveFailures: this.#failures,
      terminal: this.#terminal !== undefined,
      lastErrorCode: this.#lastError?.errorCode,
    };
  }

  #usable(state: TokenState, now = this.#clock.now()): boolean {
    return this.#usableFor(state, this.#lifetimeMs, now);
  }

  #usableFor(state: TokenState, lifetimeMs: number, now = this.#clock.now()): boolean {
    return now < state.expiresAt - readSafetyMs(lifetimeMs);
  }

  /** Serves a token obtained elsewhere, and schedules its renewal as if this refresher had obtained it. */
  #seed(seed: TokenState): TokenState {
    this.#lifetimeMs = seed.expiresAt - seed.issuedAt;
    this.#refreshToken = undefined;
    const state: TokenState = { accessToken: seed.accessToken, expiresAt: seed.expiresAt, issuedAt: seed.issuedAt, version: ++this.#version };
    this.#state = state;
    this.#lastError = undefined;
    this.#retryPending = false;
    this.#scheduleRenewal(seed.issuedAt, this.#lifetimeMs);
    this.#listener.onToken(state);
    return state;
  }

  /** Rule 1: the next renewal, at `sentAt + lifetime - margin - jitter`. */
  #scheduleRenewal(sentAt: number, lifetimeMs: number): void {
    const margin = refreshMarginMs(lifetimeMs);
    const jitter = this.#clock.random() * (margin / 4);
    this.#refreshAt = sentAt + lifetimeMs - margin - jitter;
    this.#schedule(Math.max(0, this.#refreshAt - this.#clock.now()), 'scheduled');
  }

  /** Rule 7: the next token a renewal brings, or 1015 once the wait is over. */
  #nextToken(): Promise<TokenState> {
    return new Promise<TokenState>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      const limit = callerWaitMs(this.#lifetimeMs, this.#maxWaitMs);
      waiter.timer = this.#clock.setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(this.#unavailable());
      }, limit);
      this.#waiters.add(waiter);
    });
  }

  #settleWaiters(outcome: { state: TokenState } | { error: NorthApiException }): void {
    for (const waiter of this.#waiters) {
      this.#clock.clearTimeout(waiter.timer);
      if ('state' in outcome) waiter.resolve(outcome.state);
      else waiter.reject(outcome.error);
    }
    this.#waiters.clear();
  }

  #unavailable(): NorthApiException {
    const last = this.#lastError;
    return NorthApiException.sdk(
      SdkErrorCode.TOKEN_UNAVAILABLE,
      last ? `Last refresh attempt failed with ${last.httpStatusCode} ${last.errorCode}: ${last.errorDesc}` : undefined,
    );
  }

  /** Rule 3: single flight. */
  #renew(reason: RenewReason): Promise<TokenState> {
    if (this.#inflight) return this.#inflight;
    const attempt = this.#attempt(reason);
    this.#inflight = attempt;
    return attempt;
  }

  async #attempt(reason: RenewReason): Promise<TokenState> {
    this.#clearTimer();
    const sentAt = this.#clock.now();
    let via: 'login' | 'refresh' = this.#refreshToken ? 'refresh' : 'login';
    let grant: TokenGrant;
    try {
      if (this.#refreshToken) {
        try {
          grant = await this.#endpoints.refresh(this.#refreshToken);
        } catch (error) {
          if (!(error instanceof NorthApiException) || error.errorCode !== BAD_REFRESH_TOKEN_CODE) throw error;
          this.#refreshToken = undefined; // rule 2
          via = 'login';
          grant = await this.#endpoints.login();
        }
      } else {
        grant = await this.#endpoints.login();
      }
    } catch (error) {
      // Cleared before anyone can observe the outcome, so no caller ever joins a finished attempt.
      this.#inflight = undefined;
      throw this.#failed(asException(error), via);
    }
    this.#inflight = undefined;
    if (!this.#running) throw NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED);
    return this.#apply(grant, sentAt, via, reason);
  }

  #apply(grant: TokenGrant, sentAt: number, via: 'login' | 'refresh', reason: RenewReason): TokenState {
    const lifetimeMs = grant.expiresIn > 0 ? grant.expiresIn * 1000 : DEFAULT_LIFETIME_MS;
    this.#lifetimeMs = lifetimeMs;
    this.#refreshToken = grant.refreshToken || undefined;
    const state: TokenState = { accessToken: grant.accessToken, expiresAt: sentAt + lifetimeMs, issuedAt: sentAt, version: ++this.#version };
    this.#state = state;
    this.#failures = 0;
    this.#lastError = undefined;
    this.#retryPending = false;
    this.#scheduleRenewal(sentAt, lifetimeMs); // rule 1
    this.#listener.onToken(state);
    this.#listener.onEvent({ type: 'refreshed', via, reason, version: state.version, expiresAt: state.expiresAt });
    this.#firstToken?.resolve(state);
    this.#firstToken = undefined;
    // A token that arrived too late to be used (slow answer, short lifetime) goes to no waiter: the renewal scheduled
    // above at once brings the next one.
    if (this.#usable(state)) this.#settleWaiters({ state });
    return state;
  }

  #failed(error: NorthApiException, via: 'login' | 'refresh'): NorthApiException {
    if (!this.#running) return NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED);
    this.#lastError = error;
    this.#failures += 1;
    const now = this.#clock.now();
    const tokenValid = this.#state !== undefined && now < this.#state.expiresAt;
    const terminal = via === 'login' && isTerminalLoginError(error); // rule 5
    const startFailed = this.#firstToken !== undefined && (terminal || this.#failures >= START_ATTEMPTS);
    if (terminal || startFailed) {
      if (terminal) this.#terminal = error;
      this.#retryPending = false;
      this.#clearTimer();
      this.#listener.onEvent({ type: 'refresh-failed', error: error.toData(), terminal: true, tokenValid });
      if (startFailed) {
        this.#running = false;
        this.#firstToken?.reject(error);
        this.#firstToken = undefined;
      }
      this.#settleWaiters({ error });
      return error;
    }
    // rule 4: retry with backoff, honouring Retry-After
    const delay = Math.min(Math.max(backoffMs(this.#lifetimeMs, this.#failures - 1, this.#clock.random()), error.retryAfterMs ?? 0), MAX_RETRY_AFTER_MS);
    this.#retryPending = true;
    this.#schedule(delay, 'retry');
    this.#listener.onEvent({ type: 'refresh-failed', error: error.toData(), terminal: false, retryInMs: Math.round(delay), tokenValid });
    return error;
  }

  #schedule(delayMs: number, reason: RenewReason): void {
    this.#clearTimer();
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#retryPending = false;
      if (this.#running) this.#renew(reason).catch(() => undefined);
    }, delayMs);
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}

function asException(error: unknown): NorthApiException {
  if (error instanceof NorthApiException) return error;
  return NorthApiException.sdk(SdkErrorCode.CLIENT_INTERNAL_ERROR, undefined, error);
}
