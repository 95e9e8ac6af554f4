import { NorthApiException, SdkErrorCode, errorMessage } from '../errors.js';
import type { LogLevel } from '../logger.js';
import { jittered } from '../http/retry-policy.js';
import { callerWaitMs, isTerminalLoginError, readSafetyMs, TokenRefresher, type RefresherEvent, type RefresherListener, type RefresherStatus, type Scheduler, type TokenEndpoints } from './refresh-policy.js';
import type { TokenState } from './token-grant.js';

/** A token as the store holds it: the time it has left is measured by the store, so clocks need not agree. */
export interface StoredToken {
  accessToken: string;
  /** Fencing version: every write takes the next one. */
  version: number;
  lifetimeMs: number;
  remainingMs: number;
}

/** What the store tells the refresher. */
export interface FleetStoreListener {
  /** A leader wrote the token of this version (0: the channel reconnected and messages may have been lost). */
  tokenWritten(version: number): void;
  /** A follower asks the leader to renew the token of this version (the platform rejected it). */
  refreshRequested(version: number): void;
  /** The store became unreachable. */
  down(reason: string): void;
  /** The store is reachable again. */
  up(): void;
}

/** The shared state of one application's fleet (implemented on Redis by RedisTokenStore). */
export interface FleetStore {
  readonly connected: boolean;
  /** Why the store is not connected, when it knows (no credentials in it). */
  readonly lastError?: string;
  /** Where the store is, without credentials. */
  describe(): string;
  /** True when connected; false when unreachable for now; rejects when the store refuses us (credentials, TLS). */
  connect(listener: FleetStoreListener): Promise<boolean>;
  /** Takes the lease if nobody has it (or extends it if `holder` has it already). */
  acquire(holder: string, ttlMs: number): Promise<boolean>;
  /** Extends the lease if `holder` still has it. */
  renew(holder: string, ttlMs: number): Promise<boolean>;
  release(holder: string): Promise<void>;
  /** Milliseconds the current lease has left (0 when nobody holds it). */
  leaseRemaining(): Promise<number>;
  /** Writes the token if `holder` has the lease: its new version, or undefined when it has not. */
  write(holder: string, token: { accessToken: string; lifetimeMs: number; remainingMs: number }): Promise<number | undefined>;
  read(): Promise<StoredToken | undefined>;
  /** Asks the leader to renew if the stored version is still `staleVersion`; false when a newer one is stored. */
  requestRefresh(staleVersion: number): Promise<boolean>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type FleetRole = 'leader' | 'follower' | 'standalone';

/** Fleet mode in the refresher's status (RefresherStatus.fleet). */
export interface FleetStatus {
  /** leader: renews the token for every instance; follower: takes it from the store; standalone: store unreachable. */
  role: FleetRole;
  /** Where the store is, without credentials. */
  store: string;
  storeConnected: boolean;
  /** Version in the store of the token this instance serves (0 when it did not come through the store). */
  storeVersion: number;
  /** This instance's name in the lease: host, process id, thread id and a random part. */
  instance: string;
}

export interface FleetOptions {
  leaseTtlMs: number;
  /** Longest wait of a caller for a token (the HTTP timeout). */
  maxWaitMs: number;
  instance: string;
  log(level: LogLevel, message: string): void;
}

/** Thrown inside a call when the role changed under it: the call is served again in the new role. */
const ROLE_CHANGED = Symbol('role changed');
/** A call is served again at most this many times after role changes. */
const MAX_ROLE_RETRIES = 3;
/** Rule 8: a standalone instance's token rejected younger than this was voided by another instance's renewal. */
const CONTENTION_WINDOW_MS = 1_000;
const CONTENTION_BASE_MS = 100;
const CONTENTION_MAX_MS = 1_000;
/** Longest wait before rejoining a store that is connected but refuses commands. */
const MAX_REJOIN_BACKOFF_MS = 60_000;
/** A follower tries for the lease this long after it runs out (rule 5). */
const LEASE_EXPIRY_SLACK_MS = 5;
/** Wait before a local refresher that gave up (three failed attempts) is started again. */
const LOCAL_RETRY_MS = 1_000;

interface Waiter {
  stale: string | undefined;
  resolve(state: TokenState): void;
  /** With ROLE_CHANGED, the call is served again in the new role. */
  reject(error: NorthApiException | typeof ROLE_CHANGED): void;
  timer: unknown;
}

/**
 * The refresher of one instance in fleet mode. The same surface as TokenRefresher (start, stop, getToken,
 * forceRefresh, status), so the worker serves it in the same way.
 *
 * The rules:
 * 1. One lease per (platform, appId) in the store. Whoever holds it leads: it runs a TokenRefresher (the rules of
 *    refresh-policy.ts) and writes each new token with the next fencing version. A write by an instance that no
 *    longer holds the lease is refused by the store, and that instance steps down.
 * 2. The leader renews its lease every third of its lifetime, and does not renew the token when it cannot be sure
 *    the lease is still its own.
 * 3. A follower serves the stored token and learns of new ones on the channel (and by reading the store while a
 *    caller waits, in case a message was missed). It never logs in while a leader holds the lease.
 * 4. A follower whose token the platform rejected asks for a renewal through the store, only if the stored version
 *    is the rejected one (compare-and-refresh); the leader renews only if that version is still its newest.
 * 5. Every third of the lease lifetime a follower tries to take the lease: it gets it only once the leader has gone.
 *    A follower that sees the lease run out before its next try tries right after it does, so a dead leader is
 *    replaced within the lease lifetime. The new leader starts from the stored token while it is usable, so takeover
 *    voids no token early.
 * 6. Store unreachable: the instance refreshes on its own (standalone), says so loudly, and rejoins when the store
 *    is back. The fleet then elects one leader again.
 * 7. A caller waits for a token as in refresh-policy's rule 7, and at least long enough for a takeover.
 * 8. Standalone, a rejected token younger than a second was voided by another instance: the renewal waits a
 *    jittered backoff that doubles while this goes on (100 ms to 1 s), so the instances stop chasing each other.
 */
export class FleetRefresher {
  readonly #store: FleetStore;
  readonly #endpoints: TokenEndpoints;
  readonly #clock: Scheduler;
  readonly #listener: RefresherListener;
  readonly #options: FleetOptions;
  #role: FleetRole = 'follower';
  #running = false;
  /** The TokenRefresher of a leader or a standalone instance. */
  #local: TokenRefresher | undefined;
  /** The last token handed out, with this refresher's own version (monotonic across role changes). */
  #current: TokenState | undefined;
  #currentLifetimeMs = 0;
  #version = 0;
  /** Store version of the token handed out (0 when it did not come through the store). */
  #storeVersion = 0;
  /** Leader: the last token it wrote, and its version. */
  #written: { version: number; accessToken: string } | undefined;
  /** Leader: the local time before which the lease is certainly still its own. */
  #leaseUntil = 0;
  #tick: unknown;
  #poll: unknown;
  /** Standalone: renewals waiting out a contention backoff, by rejected token (rule 8). */
  readonly #contended = new Map<string, Promise<TokenState>>();
  /** Standalone: rejections in a row of tokens younger than CONTENTION_WINDOW_MS. */
  #contention = 0;
  /** Store commands refused in a row while connected, and when this instance may try to rejoin again. */
  #refusals = 0;
  #rejoinNotBefore = 0;
  /** A lease request in flight (stop() waits for it, to give the lease up). */
  #acquiring: Promise<boolean> | undefined;
  /** When a local refresher that gave up may be started again. */
  #localRetryAt = 0;
  #terminal: NorthApiException | undefined;
  readonly #waiters = new Set<Waiter>();

  constructor(store: FleetStore, endpoints: TokenEndpoints, clock: Scheduler, listener: RefresherListener, options: FleetOptions) {
    this.#store = store;
    this.#endpoints = endpoints;
    this.#clock = clock;
    this.#listener = listener;
    this.#options = options;
  }

  /** Joins the fleet (or, with the store unreachable, starts on its own) and resolves with the first token. */
  async start(): Promise<TokenState> {
    if (this.#running) return this.getToken();
    this.#running = true;
    this.#terminal = undefined;
    let connected: boolean;
    try {
      connected = await this.#store.connect({
        tokenWritten: () => this.#onTokenWritten(),
        refreshRequested: (version) => this.#onRefreshRequested(version),
        down: (reason) => this.#fallBack(reason),
        up: () => void this.#rejoin(),
      });
    } catch (error) {
      this.#running = false;
      throw error;
    }
    this.#scheduleTick();
    if (!connected) {
      this.#fallBack(this.#store.lastError ?? 'unreachable at start');
    } else {
      try {
        if (await this.#acquire()) await this.#lead('elected at start');
        else this.#log('info', 'follows the fleet leader for this app');
      } catch (error) {
        this.#fallBack(errorMessage(error));
      }
    }
    try {
      return await this.getToken();
    } catch (error) {
      await this.stop();
      throw error;
    }
  }

  /** Leaves the fleet: gives the lease up (so another instance takes over at once) and closes the store. */
  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#clock.clearTimeout(this.#tick);
    this.#stopPolling();
    this.#dropLocal();
    this.#settle({ error: NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED) });
    // A lease taken by a request still in flight is given up too (the store deletes it only if it is this instance's).
    await this.#acquiring?.catch(() => undefined);
    if (this.#store.connected) await this.#store.release(this.#options.instance).catch(() => undefined);
    await this.#store.close().catch(() => undefined);
  }

  getToken(): Promise<TokenState> {
    return this.#serve((local) => local.getToken(), undefined);
  }

  forceRefresh(stale: string): Promise<TokenState> {
    const current = this.#current;
    if (this.#role === 'standalone' && current?.accessToken === stale) {
      const age = this.#clock.now() - current.issuedAt;
      if (age < CONTENTION_WINDOW_MS) return this.#afterContentionBackoff(stale);
      this.#contention = 0;
    }
    return this.#serve((local) => local.forceRefresh(stale), stale);
  }

  /**
   * Rule 8: without the store, a token voided moments after it was obtained means other instances renew too, and
   * renewing at once would void theirs in turn. The renewal waits a jittered, doubling backoff (shared by every call
   * that saw the same token rejected), so the instances' renewals spread out instead of chasing each other.
   */
  #afterContentionBackoff(stale: string): Promise<TokenState> {
    let pending = this.#contended.get(stale);
    if (pending) return pending;
    const delay = jittered(Math.min(CONTENTION_MAX_MS, CONTENTION_BASE_MS * 2 ** Math.min(this.#contention, 10)), () => this.#clock.random());
    this.#contention += 1;
    pending = new Promise<void>((resolve) => {
      this.#clock.setTimeout(resolve, delay);
    }).then(() => this.#serve((local) => local.forceRefresh(stale), stale));
    const forget = (): void => {
      this.#contended.delete(stale);
    };
    pending.then(forget, forget);
    this.#contended.set(stale, pending);
    return pending;
  }

  status(): RefresherStatus {
    const fleet: FleetStatus = {
      role: this.#role,
      store: this.#store.describe(),
      storeConnected: this.#store.connected,
      storeVersion: this.#storeVersion,
      instance: this.#options.instance,
    };
    const local = this.#local?.status();
    if (local) return { ...local, running: this.#running, version: this.#version, fleet };
    const current = this.#current;
    return {
      running: this.#running,
      version: this.#version,
      expiresAt: current?.expiresAt,
      consecutiveFailures: 0,
      terminal: this.#terminal !== undefined,
      lastErrorCode: this.#terminal?.errorCode,
      fleet,
    };
  }

  // ---- serving calls ------------------------------------------------------

  /** Serves a call in the current role; when the role changes under it, serves it again in the new one. */
  async #serve(viaLocal: (local: TokenRefresher) => Promise<TokenState>, stale: string | undefined): Promise<TokenState> {
    for (let attempt = 0; ; attempt += 1) {
      if (!this.#running) throw NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED);
      if (this.#role === 'standalone' && !this.#local) this.#restartLocal();
      const role = this.#role;
      const local = this.#local;
      try {
        if (local) return this.#handOut(await viaLocal(local), local);
        if (role === 'standalone') throw this.#unavailable();
        return await this.#follow(stale);
      } catch (error) {
        const changed = this.#running && (this.#role !== role || this.#local !== local);
        if ((error === ROLE_CHANGED || changed) && attempt < MAX_ROLE_RETRIES) continue;
        // A local refresher dropped by a role change is no reason to say the timer stopped.
        if (error === ROLE_CHANGED || (this.#running && isStopped(error))) throw this.#unavailable();
        throw error;
      }
    }
  }

  /** Rules 3 and 4: a follower's token, from the store or the leader. */
  async #follow(stale: string | undefined): Promise<TokenState> {
    const current = this.#current;
    if (current && current.accessToken !== stale && this.#usable(current, this.#currentLifetimeMs)) return current;
    const stored = await this.#storeCall(() => this.#store.read());
    this.#throwIfStopped();
    if (stored && stored.accessToken !== stale && this.#storedUsable(stored)) return this.#adopt(stored);
    if (this.#terminal) throw this.#terminal;
    // Nothing usable in the store: ask the leader, or lead if there is none.
    await this.#storeCall(() => this.#store.requestRefresh(stored?.version ?? this.#storeVersion));
    this.#throwIfStopped();
    if (!stored || !this.#storedUsable(stored)) {
      if (await this.#tryTakeOver()) throw ROLE_CHANGED;
    }
    return this.#waitForStore(stale);
  }

  #throwIfStopped(): void {
    if (!this.#running) throw NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED);
  }

  #waitForStore(stale: string | undefined): Promise<TokenState> {
    return new Promise<TokenState>((resolve, reject) => {
      if (!this.#running) return reject(NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED));
      const waiter: Waiter = { stale, resolve, reject, timer: undefined };
      waiter.timer = this.#clock.setTimeout(() => {
        this.#waiters.delete(waiter);
        if (this.#waiters.size === 0) this.#stopPolling();
        reject(this.#unavailable());
      }, this.#waitLimitMs());
      this.#waiters.add(waiter);
      this.#startPolling();
    });
  }

  /** Rule 7: as long as the refresh policy lets a caller wait, and at least a takeover (lease TTL and a tick). */
  #waitLimitMs(): number {
    const ttl = this.#options.leaseTtlMs;
    const takeover = ttl + ttl / 3 + 1_000;
    return Math.min(this.#options.maxWaitMs, Math.max(callerWaitMs(this.#currentLifetimeMs, Infinity), takeover));
  }

  /** While callers wait: read the store now and then (a message may be missed) and take over a vacant lease. */
  #startPolling(): void {
    if (this.#poll !== undefined) return;
    const every = Math.min(1_000, Math.max(50, this.#options.leaseTtlMs / 4));
    const poll = (): void => {
      this.#poll = this.#clock.setTimeout(() => {
        this.#poll = undefined;
        if (!this.#running || this.#waiters.size === 0) return;
        void this.#pollOnce().finally(() => {
          if (this.#running && this.#waiters.size > 0 && this.#poll === undefined) poll();
        });
      }, every);
    };
    poll();
  }

  async #pollOnce(): Promise<void> {
    if (this.#role !== 'follower') return;
    try {
      const stored = await this.#store.read();
      if (!this.#running || this.#role !== 'follower') return;
      const usable = stored !== undefined && this.#storedUsable(stored);
      if (stored && usable && [...this.#waiters].some((w) => w.stale !== stored.accessToken)) {
        this.#settle({ state: this.#adopt(stored) });
        return;
      }
      // The request may have been lost (no leader then, or a missed message): ask again; the store compares.
      await this.#store.requestRefresh(stored?.version ?? this.#storeVersion);
      if (!usable) await this.#tryTakeOver();
    } catch (error) {
      this.#fallBack(errorMessage(error));
    }
  }

  #stopPolling(): void {
    if (this.#poll !== undefined) this.#clock.clearTimeout(this.#poll);
    this.#poll = undefined;
  }

  /** Settles waiting callers: with a token each of them can use, or with an error. */
  #settle(outcome: { state: TokenState } | { error: NorthApiException | typeof ROLE_CHANGED }): void {
    for (const waiter of this.#waiters) {
      if ('state' in outcome && outcome.state.accessToken === waiter.stale) continue;
      this.#clock.clearTimeout(waiter.timer);
      this.#waiters.delete(waiter);
      if ('state' in outcome) waiter.resolve(outcome.state);
      else waiter.reject(outcome.error);
    }
    if (this.#waiters.size === 0) this.#stopPolling();
  }

  // ---- tokens -----------------------------------------------------------------

  /** A follower takes the stored token. */
  #adopt(stored: StoredToken): TokenState {
    const now = this.#clock.now();
    const expiresAt = now + stored.remainingMs;
    const state = this.#handOutToken({ accessToken: stored.accessToken, expiresAt, issuedAt: expiresAt - stored.lifetimeMs }, stored.lifetimeMs, 'store');
    this.#storeVersion = stored.version;
    return state;
  }

  /** A token of the local refresher (leader or standalone), handed out under this refresher's version. */
  #handOut(state: TokenState, local: TokenRefresher): TokenState {
    if (local !== this.#local) return this.#current ?? state;
    return this.#handOutToken(state, state.expiresAt - state.issuedAt, undefined);
  }

  /**
   * Makes `token` the current one (a new version unless it is the current one already) and tells the main thread.
   * `via` is set for tokens from the store; the local refresher reports its own.
   */
  #handOutToken(token: Omit<TokenState, 'version'>, lifetimeMs: number, via: 'store' | undefined): TokenState {
    const current = this.#current;
    if (current && current.accessToken === token.accessToken) return current;
    const state: TokenState = { ...token, version: ++this.#version };
    this.#current = state;
    this.#currentLifetimeMs = lifetimeMs;
    if (via === undefined) this.#storeVersion = 0;
    this.#listener.onToken(state);
    if (via) this.#listener.onEvent({ type: 'refreshed', via, reason: 'read', version: state.version, expiresAt: state.expiresAt });
    if (this.#usable(state, lifetimeMs)) this.#settle({ state });
    return state;
  }

  #usable(state: TokenState, lifetimeMs: number): boolean {
    return this.#clock.now() < state.expiresAt - readSafetyMs(lifetimeMs);
  }

  #storedUsable(stored: StoredToken): boolean {
    return stored.remainingMs > readSafetyMs(stored.lifetimeMs);
  }

  // ---- roles ------------------------------------------------------------------

  /** Rule 1: becomes the leader (the lease is held), starting from the stored token while it is usable. */
  async #lead(why: string): Promise<void> {
    this.#role = 'leader';
    this.#leaseUntil = this.#clock.now() + this.#options.leaseTtlMs;
    let seed: TokenState | undefined;
    try {
      const stored = await this.#store.read();
      if (stored && this.#storedUsable(stored)) {
        seed = this.#adopt(stored);
        this.#written = { version: stored.version, accessToken: stored.accessToken };
      }
    } catch {
      // A failed read only means a login now; the store's state is dealt with by the next tick.
    }
    if (!this.#running || this.#role !== 'leader') return; // stopped, or fell back meanwhile (with a refresher of its own)
    this.#log('warn', `leads the token refresh for this app (${why})`);
    this.#startLocal(seed);
    this.#settle({ error: ROLE_CHANGED });
  }

  /** Steps down to follower: the lease is someone else's. */
  #stepDown(why: string): void {
    if (this.#role !== 'leader') return;
    this.#log('warn', `is no longer the leader (${why}); follows the token in the store`);
    this.#role = 'follower';
    this.#written = undefined;
    this.#dropLocal();
  }

  /** Rule 5: takes a vacant lease. */
  async #tryTakeOver(): Promise<boolean> {
    // After a terminal login error (wrong secret, frozen app) nobody here could do better: no login loop.
    if (this.#role !== 'follower' || !this.#running || this.#terminal) return false;
    const acquired = await this.#storeCall(() => this.#acquire());
    if (!acquired || this.#role !== 'follower') return false;
    await this.#lead('the lease was vacant');
    return true;
  }

  /** Takes the lease; one taken after stop() is given back at once. */
  async #acquire(): Promise<boolean> {
    const acquiring = this.#store.acquire(this.#options.instance, this.#options.leaseTtlMs);
    this.#acquiring = acquiring;
    try {
      return (await acquiring) && this.#running;
    } finally {
      if (this.#acquiring === acquiring) this.#acquiring = undefined;
    }
  }

  /** Rule 6: the store is unreachable: refresh on this instance's own. */
  #fallBack(reason: string): void {
    if (!this.#running || this.#role === 'standalone') return;
    const previous = this.#role;
    this.#role = 'standalone';
    this.#written = undefined;
    if (this.#store.connected) {
      // Connected, yet a command failed: the store refuses something (a permission changed, say). Rejoining at every
      // tick would renew the token each time for nothing: wait 1 s, doubling up to a minute, while this goes on.
      this.#refusals += 1;
      this.#rejoinNotBefore = this.#clock.now() + Math.min(MAX_REJOIN_BACKOFF_MS, 1_000 * 2 ** Math.min(this.#refusals - 1, 10));
    }
    this.#log(
      'error',
      `TOKEN STORE UNREACHABLE (${this.#store.describe()}: ${reason}): this instance now refreshes the token on its own. ` +
        'Instances of this app will void each other\'s tokens until the store is back; it rejoins by itself.',
    );
    // A leader keeps its refresher; a follower (or a leader that had not started one yet) starts its own.
    if (!this.#local || previous === 'follower') this.#restartLocal();
    this.#settle({ error: ROLE_CHANGED });
  }

  /** Rule 6: the store is back: elect a leader again. */
  async #rejoin(): Promise<void> {
    if (!this.#running || this.#role !== 'standalone' || this.#clock.now() < this.#rejoinNotBefore) return;
    let acquired: boolean;
    try {
      acquired = await this.#acquire();
    } catch {
      return; // still unreachable; the next tick tries again
    }
    if (!this.#running || this.#role !== 'standalone') return;
    this.#storeVersion = 0;
    if (acquired) {
      this.#role = 'leader';
      this.#leaseUntil = this.#clock.now() + this.#options.leaseTtlMs;
      this.#log('warn', `token store ${this.#store.describe()} is reachable again: this instance leads the token refresh`);
      // While the store was away, another instance may have renewed after this one: the token this instance holds
      // may be void. Renew it before the fleet takes it; the new token is written as usual.
      const local = this.#local;
      const current = this.#current;
      if (!local) this.#restartLocal();
      else if (current) local.forceRefresh(current.accessToken).catch(() => undefined);
      return;
    }
    this.#role = 'follower';
    this.#dropLocal();
    this.#log('warn', `token store ${this.#store.describe()} is reachable again: this instance follows the leader`);
    const stored = await this.#store.read().catch(() => undefined);
    if (stored && this.#storedUsable(stored) && this.#role === 'follower') {
      this.#adopt(stored);
      this.#refusals = 0;
    }
  }

  /** A local refresher, starting from the current token while it is usable; not again within a second of a failed one. */
  #restartLocal(): void {
    if (this.#clock.now() < this.#localRetryAt) return;
    const current = this.#current;
    this.#startLocal(current && this.#usable(current, this.#currentLifetimeMs) ? current : undefined);
  }

  #startLocal(seed: TokenState | undefined): void {
    this.#dropLocal(); // never two refreshers in one instance
    const listener: RefresherListener = {
      onToken: (state) => this.#onLocalToken(local, state),
      onEvent: (event) => {
        if (local === this.#local) this.#onLocalEvent(event);
      },
    };
    const local = new TokenRefresher(this.#fencedEndpoints(), this.#clock, listener, { maxWaitMs: this.#options.maxWaitMs });
    this.#local = local;
    local.start(seed).catch((error: unknown) => {
      if (local !== this.#local || !this.#running) return;
      // The first token could not be had: a terminal error ends the fleet's wait too; otherwise another may lead.
      const failure = error instanceof NorthApiException ? error : NorthApiException.sdk(SdkErrorCode.CLIENT_INTERNAL_ERROR, undefined, error);
      if (isTerminalLoginError(failure)) {
        this.#terminal = failure;
        this.#settle({ error: failure });
      }
      // Gave up (3 failed attempts, or terminal): a standalone instance tries again on a later call, a leader lets
      // another instance try.
      this.#local = undefined;
      this.#localRetryAt = this.#clock.now() + LOCAL_RETRY_MS;
      if (this.#role === 'leader') {
        void this.#store.release(this.#options.instance).catch(() => undefined);
        this.#role = 'follower';
        this.#written = undefined;
        this.#log('warn', `is no longer the leader (its first token failed: ${failure.errorCode})`);
      }
    });
  }

  #dropLocal(): void {
    const local = this.#local;
    this.#local = undefined;
    local?.stop();
  }

  #onLocalToken(local: TokenRefresher, state: TokenState): void {
    if (local !== this.#local) return;
    const out = this.#handOut(state, local);
    if (this.#role === 'leader') void this.#write(out);
  }

  #onLocalEvent(event: RefresherEvent): void {
    // The local refresher's versions are its own: report this refresher's.
    if (event.type === 'refreshed') this.#listener.onEvent({ ...event, version: this.#version });
    else this.#listener.onEvent(event);
  }

  /** Rule 1: the fenced write of a new token. */
  async #write(state: TokenState): Promise<void> {
    if (this.#written?.accessToken === state.accessToken) return;
    const now = this.#clock.now();
    let version: number | undefined;
    try {
      version = await this.#store.write(this.#options.instance, {
        accessToken: state.accessToken,
        lifetimeMs: state.expiresAt - state.issuedAt,
        remainingMs: state.expiresAt - now,
      });
    } catch (error) {
      this.#fallBack(errorMessage(error));
      return;
    }
    if (this.#role !== 'leader') return;
    if (version === undefined) {
      this.#stepDown('the store refused its token: another instance holds the lease');
      return;
    }
    this.#written = { version, accessToken: state.accessToken };
    this.#refusals = 0;
    if (this.#current?.accessToken === state.accessToken) this.#storeVersion = version;
  }

  /** Rule 2: a leader renews the token only while the lease is certainly its own. */
  #fencedEndpoints(): TokenEndpoints {
    const check = async (): Promise<void> => {
      if (this.#role !== 'leader' || this.#clock.now() < this.#leaseUntil - this.#options.leaseTtlMs / 3) return;
      const sentAt = this.#clock.now();
      let held = false;
      try {
        held = await this.#store.renew(this.#options.instance, this.#options.leaseTtlMs);
      } catch (error) {
        this.#fallBack(errorMessage(error));
        return; // standalone now: renewing on its own is the fallback
      }
      if (held) {
        this.#leaseUntil = sentAt + this.#options.leaseTtlMs;
        return;
      }
      this.#stepDown('its lease expired');
      throw NorthApiException.sdk(SdkErrorCode.TOKEN_UNAVAILABLE, 'Another instance leads the token refresh now.');
    };
    return {
      login: async () => {
        await check();
        return this.#endpoints.login();
      },
      refresh: async (refreshToken) => {
        await check();
        return this.#endpoints.refresh(refreshToken);
      },
    };
  }

  // ---- store events and the tick ---------------------------------------------------

  /**
   * A token was written (or the channel reconnected, when messages may have been lost). Versions are not compared:
   * the counter starts again if Redis loses it, so a stored token different from the current one is taken.
   */
  #onTokenWritten(): void {
    if (!this.#running || this.#role !== 'follower') return;
    void this.#store
      .read()
      .then((stored) => {
        if (stored && this.#running && this.#role === 'follower' && this.#storedUsable(stored) && stored.accessToken !== this.#current?.accessToken) this.#adopt(stored);
      })
      .catch((error: unknown) => this.#fallBack(errorMessage(error)));
  }

  /** Rule 4, the leader's side: renews only if the version asked about is still its newest. */
  #onRefreshRequested(version: number): void {
    const written = this.#written;
    const local = this.#local;
    if (!this.#running || this.#role !== 'leader' || !local || !written || version < written.version) return;
    local.forceRefresh(written.accessToken).catch(() => undefined);
  }

  /**
   * Every third of the lease lifetime: the leader renews its lease, a follower tries a vacant one, standalone rejoins.
   * A follower that sees the lease run out sooner tries again right after it does (rule 5).
   */
  #scheduleTick(delayMs = this.#options.leaseTtlMs / 3): void {
    this.#tick = this.#clock.setTimeout(() => {
      void this.#onTick().then((next) => {
        if (this.#running) this.#scheduleTick(next);
      });
    }, delayMs);
  }

  /** One tick; resolves with the delay of the next one when it is not the usual. */
  async #onTick(): Promise<number | undefined> {
    if (!this.#running) return undefined;
    try {
      if (this.#role === 'leader') {
        const sentAt = this.#clock.now();
        if (await this.#store.renew(this.#options.instance, this.#options.leaseTtlMs)) this.#leaseUntil = sentAt + this.#options.leaseTtlMs;
        else this.#stepDown('its lease expired');
      } else if (this.#role === 'follower') {
        if (await this.#tryTakeOver()) return undefined;
        const left = await this.#store.leaseRemaining();
        if (left > 0 && left < this.#options.leaseTtlMs / 3) return left + LEASE_EXPIRY_SLACK_MS;
      } else if (this.#store.connected) {
        await this.#store.ping();
        await this.#rejoin();
      }
    } catch (error) {
      this.#fallBack(errorMessage(error));
    }
    return undefined;
  }

  /** A store command; a failure makes the instance standalone and the call is served again in that role. */
  async #storeCall<T>(command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      this.#fallBack(errorMessage(error));
      throw ROLE_CHANGED;
    }
  }

  #unavailable(): NorthApiException {
    return NorthApiException.sdk(SdkErrorCode.TOKEN_UNAVAILABLE, 'No token arrived through the token store in time.');
  }

  #log(level: LogLevel, message: string): void {
    this.#options.log(level, `fleet instance ${this.#options.instance} ${message}`);
  }
}

function isStopped(error: unknown): boolean {
  return error instanceof NorthApiException && error.errorCode === SdkErrorCode.REFRESHER_STOPPED;
}

