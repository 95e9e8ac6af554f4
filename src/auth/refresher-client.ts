import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { NorthApiException, SdkErrorCode, errorMessage } from '../errors.js';
import { isTerminalLoginError, type RefresherEvent, type RefresherStatus } from './refresh-policy.js';
import { isRefresherPush, type RefresherWorkerApi, type RefresherWorkerConfig, type RpcResult } from './refresher-protocol.js';
import type { TokenState } from './token-grant.js';

const WORKER_URL = new URL('../../workers/token-refresher.js', import.meta.url);
const RESTART_BASE_MS = 100;
const RESTART_CAP_MS = 10_000;
const STOP_GRACE_MS = 250;

export interface RefresherClientHooks {
  /** A token from the worker; `generation` counts worker (re)starts, so tokens of a dead worker never win. */
  onToken(state: TokenState, generation: number): void;
  onEvent(event: RefresherEvent): void;
  onLog(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/** One call on the worker's API, made once the worker is there. */
type WorkerCall<T> = (api: Comlink.Remote<RefresherWorkerApi>) => Promise<RpcResult<T>>;

/**
 * The main-thread side of one refresher worker: starts it, calls it over comlink, restarts it after a crash.
 *
 * - Every call races the worker's death and a timeout, so no caller waits forever: comlink itself never rejects
 *   a call whose worker has gone.
 * - The Worker is unref'd except while a call is in flight, so a program that never stops the timer still exits.
 * - After a crash, pending calls reject with 1014 and the worker is restarted with exponential backoff; calls made
 *   meanwhile wait for the new worker (within the call timeout).
 */
export class RefresherClient {
  readonly #config: RefresherWorkerConfig;
  readonly #hooks: RefresherClientHooks;
  readonly #callTimeoutMs: number;
  #worker: Worker | undefined;
  #api: Comlink.Remote<RefresherWorkerApi> | undefined;
  #generation = 0;
  /** Calls in flight per worker: the worker is ref'd while its count is above zero. */
  readonly #inflight = new WeakMap<Worker, number>();
  readonly #pending = new Set<(error: NorthApiException) => void>();
  #stopped = false;
  #restartAttempt = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  /** Set while a restart is under way; calls wait for it. */
  #restarting: Promise<void> | undefined;
  #restarted: (() => void) | undefined;
  #fatal: NorthApiException | undefined;
  #tokenRequests = 0;

  constructor(config: RefresherWorkerConfig, hooks: RefresherClientHooks) {
    this.#config = config;
    this.#hooks = hooks;
    // A renewal is at most a refresh plus a login, each bounded by the HTTP timeout.
    this.#callTimeoutMs = config.transport.timeoutMs * 2 + 5_000;
  }

  /** The worker's thread id, while one runs. */
  get threadId(): number | undefined {
    return this.#worker?.threadId;
  }

  /** How many times the main thread has asked the worker for a token (all generations, start excluded). */
  get tokenRequests(): number {
    return this.#tokenRequests;
  }

  /** Spawns the worker and waits for its first token. */
  async start(): Promise<TokenState> {
    this.#spawn();
    return this.#call((api) => api.start());
  }

  /** Counted in `tokenRequests` once the request reaches the worker. */
  getToken(): Promise<TokenState> {
    return this.#call((api) => {
      this.#tokenRequests += 1;
      return api.getToken();
    });
  }

  /** Counted in `tokenRequests` once the request reaches the worker. */
  forceRefresh(staleToken: string): Promise<TokenState> {
    return this.#call((api) => {
      this.#tokenRequests += 1;
      return api.forceRefresh(staleToken);
    });
  }

  status(): Promise<RefresherStatus> {
    return this.#call((api) => api.status());
  }

  /** Stops the loop and terminates the worker. Idempotent. Calls still waiting reject with 1016. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    clearTimeout(this.#restartTimer);
    const worker = this.#worker;
    const api = this.#api;
    this.#rejectPending(NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED));
    this.#worker = undefined;
    this.#api = undefined;
    if (!worker || !api) return;
    // Let the worker close its connections politely, but never wait long for it.
    let timer: NodeJS.Timeout | undefined;
    // In fleet mode the worker also gives its lease up, so that another instance takes over at once.
    const grace = this.#config.tokenStore ? Math.max(STOP_GRACE_MS, this.#config.tokenStore.connectTimeoutMs) : STOP_GRACE_MS;
    await Promise.race([api.stop().catch(() => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, grace)))]);
    clearTimeout(timer);
    await worker.terminate();
  }

  /** For fault-injection tests: ends the worker abruptly, as a crash would. */
  async killWorkerForTesting(): Promise<void> {
    await this.#worker?.terminate();
  }

  #spawn(): void {
    const generation = ++this.#generation;
    const worker = new Worker(WORKER_URL, { workerData: this.#config, name: `oceanconnect-token-refresher ${this.#config.transport.appId}` });
    worker.unref();
    worker.on('message', (message: unknown) => {
      if (!isRefresherPush(message) || generation !== this.#generation) return;
      if (message.kind === 'oc:token') this.#hooks.onToken(message.state, generation);
      else if (message.kind === 'oc:event') this.#hooks.onEvent(message.event);
      else this.#hooks.onLog(message.level, message.message);
    });
    worker.on('error', (error) => {
      this.#hooks.onLog('error', `token refresher worker failed: ${errorMessage(error)}`);
    });
    worker.on('exit', (code) => {
      if (generation !== this.#generation || this.#stopped) return;
      this.#hooks.onLog('warn', `token refresher worker exited unexpectedly (code ${code}); restarting`);
      this.#worker = undefined;
      this.#api = undefined;
      this.#rejectPending(NorthApiException.sdk(SdkErrorCode.REFRESHER_CRASHED, `Worker exit code ${code}.`));
      this.#scheduleRestart();
    });
    this.#worker = worker;
    this.#api = Comlink.wrap<RefresherWorkerApi>(nodeEndpoint(worker as unknown as Parameters<typeof nodeEndpoint>[0]));
  }

  #scheduleRestart(): void {
    if (!this.#restarting) {
      this.#restarting = new Promise<void>((resolve) => {
        this.#restarted = resolve;
      });
    }
    const delay = Math.min(RESTART_CAP_MS, RESTART_BASE_MS * 2 ** this.#restartAttempt);
    this.#restartAttempt += 1;
    this.#restartTimer = setTimeout(() => {
      if (this.#stopped) return this.#endRestart();
      this.#spawn();
      this.#invoke((api) => api.start()).then(
        () => {
          this.#restartAttempt = 0;
          this.#hooks.onLog('warn', 'token refresher worker restarted');
          this.#endRestart();
        },
        (error: NorthApiException) => {
          if (this.#stopped) return this.#endRestart();
          if (isTerminalLoginError(error)) {
            this.#fatal = error;
            this.#endRestart();
            return;
          }
          this.#hooks.onLog('warn', `token refresher restart failed (${error.errorCode}); trying again`);
          // Ending this worker brings the exit handler, which schedules the next attempt.
          void this.#worker?.terminate();
        },
      );
    }, delay);
    this.#restartTimer.unref();
  }

  #endRestart(): void {
    const resolve = this.#restarted;
    this.#restarting = undefined;
    this.#restarted = undefined;
    resolve?.();
  }

  async #call<T>(send: WorkerCall<T>): Promise<T> {
    if (this.#stopped) throw NorthApiException.sdk(SdkErrorCode.REFRESHER_STOPPED);
    if (this.#restarting) await this.#withTimeout(this.#restarting);
    if (this.#fatal) throw this.#fatal;
    return this.#invoke(send);
  }

  /** Runs `send` on the current worker, unless there is none; `send` runs synchronously, before any await. */
  async #invoke<T>(send: WorkerCall<T>): Promise<T> {
    const api = this.#api;
    const worker = this.#worker;
    if (!api || !worker) throw NorthApiException.sdk(this.#stopped ? SdkErrorCode.REFRESHER_STOPPED : SdkErrorCode.REFRESHER_CRASHED);
    const generation = this.#generation;
    this.#hold(worker);
    try {
      const result = await this.#withTimeout(send(api));
      if (!result.ok) throw NorthApiException.fromData(result.error);
      const value = result.value;
      if (isTokenState(value) && generation === this.#generation) this.#hooks.onToken(value, generation);
      return value;
    } finally {
      this.#release(worker);
    }
  }

  /** Races a promise with the worker's death and the call timeout. */
  #withTimeout<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onDeath = (error: NorthApiException): void => {
        clearTimeout(timer);
        reject(error);
      };
      const timer = setTimeout(() => {
        this.#pending.delete(onDeath);
        reject(NorthApiException.sdk(SdkErrorCode.REQUEST_TIMEOUT, `The token refresher did not answer within ${this.#callTimeoutMs} ms.`));
      }, this.#callTimeoutMs);
      timer.unref();
      this.#pending.add(onDeath);
      promise.then(
        (value) => {
          clearTimeout(timer);
          this.#pending.delete(onDeath);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.#pending.delete(onDeath);
          reject(error);
        },
      );
    });
  }

  #rejectPending(error: NorthApiException): void {
    const pending = [...this.#pending];
    this.#pending.clear();
    for (const reject of pending) reject(error);
  }

  #hold(worker: Worker): void {
    const count = this.#inflight.get(worker) ?? 0;
    this.#inflight.set(worker, count + 1);
    if (count === 0) worker.ref();
  }

  #release(worker: Worker): void {
    const count = (this.#inflight.get(worker) ?? 1) - 1;
    this.#inflight.set(worker, count);
    if (count === 0) worker.unref();
  }
}

function isTokenState(value: unknown): value is TokenState {
  return value !== null && typeof value === 'object' && typeof (value as TokenState).accessToken === 'string' && typeof (value as TokenState).version === 'number';
}
