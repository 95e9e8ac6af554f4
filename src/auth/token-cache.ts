import { rememberSecret } from '../http/redact.js';
import type { TokenProvider } from '../client/north-api-client.js';
import { readSafetyMs } from './refresh-policy.js';
import type { TokenState } from './token-grant.js';

/** Where the cache gets tokens it does not hold: the refresher worker. */
export interface TokenSource {
  getToken(): Promise<TokenState>;
  forceRefresh(staleToken: string): Promise<TokenState>;
}

/**
 * The main thread's copy of the refresher's token. While the token is valid beyond a small safety window, a read is
 * a clock check and a field read: no message to the worker. Otherwise the read waits for the worker, and concurrent
 * readers share one request (single flight). Tokens of a restarted worker (a higher generation) always win.
 */
export class TokenCache implements TokenProvider {
  readonly #source: TokenSource;
  #token: string | undefined;
  #freshUntil = 0;
  #generation = 0;
  #version = 0;
  #pendingRead: Promise<string> | undefined;
  readonly #pendingRenewals = new Map<string, Promise<string>>();

  constructor(source: TokenSource) {
    this.#source = source;
  }

  /** Takes a token from the worker unless the cache already holds a newer one. */
  update(state: TokenState, generation: number): void {
    if (generation < this.#generation || (generation === this.#generation && state.version <= this.#version)) return;
    rememberSecret(state.accessToken);
    this.#generation = generation;
    this.#version = state.version;
    this.#token = state.accessToken;
    this.#freshUntil = state.expiresAt - readSafetyMs(state.expiresAt - state.issuedAt);
  }

  /** Drops the token (timer stopped). */
  clear(): void {
    this.#token = undefined;
    this.#freshUntil = 0;
  }

  current(): string | Promise<string> {
    const token = this.#token;
    if (token !== undefined && Date.now() < this.#freshUntil) return token;
    this.#pendingRead ??= this.#source.getToken().then(
      (state) => this.#settleRead(state.accessToken),
      (error: unknown) => {
        this.#pendingRead = undefined;
        throw error;
      },
    );
    return this.#pendingRead;
  }

  renewAfterRejection(rejected: string): Promise<string> {
    const token = this.#token;
    if (token !== undefined && token !== rejected && Date.now() < this.#freshUntil) return Promise.resolve(token);
    let renewal = this.#pendingRenewals.get(rejected);
    if (!renewal) {
      renewal = this.#source.forceRefresh(rejected).then((state) => state.accessToken);
      const cleanup = (): void => {
        this.#pendingRenewals.delete(rejected);
      };
      renewal.then(cleanup, cleanup);
      this.#pendingRenewals.set(rejected, renewal);
    }
    return renewal;
  }

  #settleRead(token: string): string {
    this.#pendingRead = undefined;
    return token;
  }
}
