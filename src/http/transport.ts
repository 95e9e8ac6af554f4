import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import { NorthApiException, SDK_ERROR_DESCRIPTIONS, SdkErrorCode } from '../errors.js';
import type { TlsMaterial } from '../client/ssl-config.js';
import { createAgent } from './agent.js';
import { decodeResponse, parseRetryAfter } from './response-decoder.js';
import { abortable, abortedByCaller, linkSignals, MAX_TIMER_MS, sleep, throwIfAborted } from './abort.js';
import { retryDelay, throttleDelay, type Failure, type RetryPolicy } from './retry-policy.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type QueryValue = string | number | boolean | null | undefined;
export type QueryParams = Record<string, QueryValue>;

export interface RequestSpec {
  method: HttpMethod;
  /** Path with every dynamic segment already encoded. */
  path: string;
  /** Query parameters; null and undefined values are left out. */
  query?: QueryParams;
  /** JSON body (POST/PUT). */
  json?: unknown;
  /** Form body (the login call only). */
  form?: Record<string, string>;
  /** When set, the call carries `app_key` and `Authorization: Bearer`. */
  accessToken?: string;
  signal?: AbortSignal;
}

/** Plain settings, so that the refresher worker can build its own transport from `workerData`. */
export interface TransportConfig {
  baseUrl: string;
  scheme: 'https' | 'http';
  /** Sent as `app_key` on business calls. */
  appId: string;
  tls: TlsMaterial;
  timeoutMs: number;
  maxResponseBytes: number;
  /**
   * Retries and flow-control backoff (see retry-policy.ts). Absent: one attempt per request and no backoff, for
   * callers with a policy of their own (the token refresher).
   */
  retry?: RetryPolicy;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Requests started within one slot share a timeout signal: a new AbortSignal per request costs more than the rest of a call's own work. */
const MAX_TIMEOUT_SLOT_MS = 1_000;
/** Requests per shared timeout signal at most: adding an abort listener scans the ones already there. */
const MAX_REQUESTS_PER_SLOT = 256;
/** The platform's flow-control code: too many calls for this application. */
const THROTTLED_CODE = '1010009';
/** Error codes that only a connection being opened gets (refused, name not resolved): the request never left. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** Error codes that mean "never left" only when the failing call was the connect() itself. */
const NOT_SENT_ON_CONNECT = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EADDRNOTAVAIL']);
/** Error codes of a connection that broke once the request may have been sent. */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE', 'UND_ERR_SOCKET']);

/** How each failure came about, for the retry decision; kept beside the error, which the caller gets as is. */
const failures = new WeakMap<NorthApiException, Failure>();

interface Prepared {
  url: string;
  init: RequestInit;
}

/**
 * Sends one request over a keep-alive agent and decodes the answer (see `decodeResponse`). Redirects are never
 * followed, so no credential is forwarded to another host. Every failure is a NorthApiException.
 */
export class Transport {
  readonly #config: TransportConfig;
  readonly #agent: http.Agent;
  readonly #slotMs: number;
  #timeout: AbortSignal | undefined;
  #slotEnds = 0;
  #slotRequests = 0;
  /** While the platform throttles this application (1010009), no request is sent before this time (performance.now()). */
  #throttledUntil = 0;
  /** Flow-control episodes in a row (0: not throttled). */
  #throttleStreak = 0;
  /** When (performance.now()) the gate last closed or opened: answers to requests sent earlier belong to before. */
  #gateChangedAt = -Infinity;
  /** Settles when the request sent first after a flow-control wait has its answer: true when it was throttled again. */
  #probe: Promise<boolean> | undefined;
  /** Called before each retry: the method, path, attempt about to start and the wait. */
  onRetry: ((method: string, path: string, attempt: number, delayMs: number, error: NorthApiException) => void) | undefined;
  /** Called when flow control starts (or lengthens) a wait: its length and the 1010009 episodes in a row. */
  onThrottle: ((delayMs: number, streak: number) => void) | undefined;

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#agent = createAgent({ scheme: config.scheme, tls: config.tls });
    this.#slotMs = Math.min(MAX_TIMEOUT_SLOT_MS, Math.ceil(config.timeoutMs / 10));
  }

  get baseUrl(): string {
    return this.#config.baseUrl;
  }

  get appId(): string {
    return this.#config.appId;
  }

  /**
   * Sends a request, retrying as retry-policy.ts allows, and decodes the answer. The caller's `signal` cancels it at
   * any point (1013), including while it waits for a retry or for flow control to lift.
   */
  async request(spec: RequestSpec): Promise<unknown> {
    throwIfAborted(spec.signal);
    const prepared = this.#prepare(spec);
    const policy = this.#config.retry;
    for (let attempt = 0; ; attempt += 1) {
      const probe = policy && this.#throttleStreak > 0 ? await this.#admit(spec.signal) : undefined;
      const sentAt = performance.now();
      try {
        const value = await this.#attempt(prepared, spec.signal);
        this.#notThrottled(sentAt);
        return value;
      } catch (error) {
        if (!(error instanceof NorthApiException) || !policy) throw error;
        if (error.errorCode !== THROTTLED_CODE && error.errorCode !== SdkErrorCode.REQUEST_ABORTED) this.#notThrottled(sentAt);
        if (error.errorCode === THROTTLED_CODE) {
          // Surfaced, never repeated, but only once the backoff has passed: a caller that retries at once still waits.
          this.#throttled(error.retryAfterMs, policy, sentAt);
          probe?.(true);
          await this.#backoffOver(spec.signal);
          throw error;
        }
        const failure = failures.get(error);
        const delay = failure && retryDelay(spec.method, failure, attempt, policy);
        if (delay === undefined) throw error;
        this.onRetry?.(spec.method, spec.path, attempt + 1, delay, error);
        probe?.(false);
        await sleep(delay, spec.signal);
      } finally {
        probe?.(false);
      }
    }
  }

  /** Closes the idle keep-alive sockets; requests still in flight finish on theirs. */
  close(): void {
    this.#agent.destroy();
  }

  #prepare(spec: RequestSpec): Prepared {
    const url = this.#config.baseUrl + spec.path + queryString(spec.query);
    // No deflate: node-fetch holds a deflate answer back until its first body byte (to tell raw from zlib data), and a
    // failure in that window would lose the answer's status.
    const headers: Record<string, string> = { Accept: 'application/json', 'Accept-Encoding': 'gzip, br' };
    let body: string | undefined;
    if (spec.form !== undefined) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(spec.form).toString();
    } else if (spec.json !== undefined) {
      headers['Content-Type'] = 'application/json; charset=UTF-8';
      body = JSON.stringify(spec.json);
    } else if (spec.accessToken !== undefined) {
      // The platform documents application/json for every API but login, bodiless GET and DELETE included.
      headers['Content-Type'] = 'application/json';
    }
    if (spec.accessToken !== undefined) {
      headers.app_key = this.#config.appId;
      headers.Authorization = `Bearer ${spec.accessToken}`;
    }
    return { url, init: { method: spec.method, headers, body, agent: this.#agent, redirect: 'manual', compress: true } };
  }

  /** One attempt: send, read the body (size-capped), decode. Every failure is a NorthApiException, classified. */
  #attempt(prepared: Prepared, callerSignal: AbortSignal | undefined): Promise<unknown> {
    const timeout = this.#timeoutSignal();
    if (!callerSignal) return this.#exchange(prepared, timeout, undefined, timeout);
    const link = linkSignals(callerSignal, timeout);
    return this.#exchange(prepared, link.signal, callerSignal, timeout).finally(link.release);
  }

  async #exchange(prepared: Prepared, signal: AbortSignal, callerSignal: AbortSignal | undefined, timeout: AbortSignal): Promise<unknown> {
    prepared.init.signal = signal;
    let response: Response;
    try {
      response = await fetch(prepared.url, prepared.init);
    } catch (error) {
      throw this.#failure(error, undefined, callerSignal, timeout);
    }
    let text: string;
    try {
      text = await readBody(response, this.#config.maxResponseBytes);
    } catch (error) {
      throw this.#failure(error, response, callerSignal, timeout);
    }
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    try {
      return decodeResponse({
        status: response.status,
        statusText: response.statusText,
        contentType: response.headers.get('content-type') ?? '',
        body: text,
        retryAfterMs,
      });
    } catch (error) {
      if (error instanceof NorthApiException) failures.set(error, { kind: 'answered', status: response.status, retryAfterMs });
      throw error;
    }
  }

  /**
   * The timeout signal of a request starting now, shared by the requests of the same slot (at most
   * {@link MAX_REQUESTS_PER_SLOT} of them): it fires `timeoutMs` plus one slot after the slot began, so each request
   * gets between `timeoutMs` and `timeoutMs` + one slot (at most 10 % more).
   */
  #timeoutSignal(): AbortSignal {
    const now = performance.now();
    if (this.#timeout === undefined || now >= this.#slotEnds || this.#slotRequests >= MAX_REQUESTS_PER_SLOT) {
      this.#timeout = AbortSignal.timeout(Math.min(this.#config.timeoutMs + this.#slotMs, MAX_TIMER_MS));
      // One abort listener per request of the slot still in flight: at most MAX_REQUESTS_PER_SLOT.
      setMaxListeners(MAX_REQUESTS_PER_SLOT + 1, this.#timeout);
      this.#slotEnds = now + this.#slotMs;
      this.#slotRequests = 0;
    }
    this.#slotRequests += 1;
    return this.#timeout;
  }

  /**
   * Flow control (1010009) for every request of this transport:
   * 1. a 1010009 closes the gate for {@link throttleDelay} (Retry-After when the platform sent one); answers to
   *    requests sent before the gate last closed or opened belong to that time and change nothing (a Retry-After they
   *    carry may only lengthen a wait still running);
   * 2. while closed, no request is sent;
   * 3. once the wait is over, one request goes first (the probe) and the others wait for its outcome: another 1010009
   *    closes the gate for twice as long, anything else (an answer, an error, a timeout) opens it for all;
   * 4. a call that waited for a probe that was throttled again is not sent: it fails with 1010009 once the new wait is
   *    over, so that no call waits longer than two waits and a probe.
   */
  #throttled(retryAfterMs: number | undefined, policy: RetryPolicy, sentAt: number): void {
    const now = performance.now();
    if (sentAt < this.#gateChangedAt) {
      if (retryAfterMs !== undefined && now < this.#throttledUntil) {
        this.#throttledUntil = Math.max(this.#throttledUntil, now + Math.min(retryAfterMs, policy.throttleMaxDelayMs));
      }
      return;
    }
    this.#throttleStreak += 1;
    this.#gateChangedAt = now;
    const delay = throttleDelay(this.#throttleStreak, retryAfterMs, policy);
    this.#throttledUntil = Math.max(this.#throttledUntil, now + delay);
    this.onThrottle?.(delay, this.#throttleStreak);
  }

  /**
   * Rule 3: an outcome other than 1010009 (an answer, an error answer, a timeout, a reset) to a request sent after the
   * gate closed (the probe) opens it for all. One sent before tells nothing; neither does a request its caller
   * cancelled.
   */
  #notThrottled(sentAt: number): void {
    if (this.#throttleStreak > 0 && sentAt >= this.#gateChangedAt) {
      this.#throttleStreak = 0;
      this.#gateChangedAt = performance.now();
    }
  }

  /** Waits until the flow-control wait is over (rule 2). */
  async #backoffOver(signal: AbortSignal | undefined): Promise<void> {
    for (let wait = this.#throttledUntil - performance.now(); wait > 0; wait = this.#throttledUntil - performance.now()) {
      await sleep(Math.ceil(wait), signal);
    }
  }

  /**
   * Lets a request through the gate (rules 2 to 4). Returns the function that ends its turn as the probe (telling
   * whether it was throttled), or undefined when it is not the probe.
   */
  async #admit(signal: AbortSignal | undefined): Promise<((throttled: boolean) => void) | undefined> {
    for (;;) {
      await this.#backoffOver(signal);
      if (this.#throttleStreak === 0) return undefined;
      if (!this.#probe) {
        let end!: (throttled: boolean) => void;
        const turn = new Promise<boolean>((resolve) => (end = resolve));
        this.#probe = turn;
        return (throttled) => {
          if (this.#probe !== turn) return;
          this.#probe = undefined;
          end(throttled);
        };
      }
      if (await abortable(this.#probe, signal)) {
        await this.#backoffOver(signal);
        throw heldBack();
      }
    }
  }

  /**
   * The NorthApiException for a failed send (`response` undefined) or a failed read of the answer, and how it came
   * about: cancelled by the caller (1013), timed out (1012), connection not opened or broken (1003 before an answer,
   * 1004 once the answer began; both carry the low-level code), or the body cap (1004, already an exception).
   */
  #failure(error: unknown, response: Response | undefined, callerSignal: AbortSignal | undefined, timeout: AbortSignal): NorthApiException {
    const status = response ? { httpStatusCode: response.status, httpReasonPhrase: response.statusText } : {};
    if (error instanceof NorthApiException) return error;
    if (callerSignal?.aborted) return abortedByCaller(error);
    if (timeout.aborted) {
      return new NorthApiException({ ...status, errorCode: SdkErrorCode.REQUEST_TIMEOUT, errorDesc: `${SDK_ERROR_DESCRIPTIONS[SdkErrorCode.REQUEST_TIMEOUT]} No complete answer within ${this.#config.timeoutMs} ms.`, cause: error });
    }
    const code = errorCodeOf(error);
    const detail = code === undefined ? '' : ` (${code})`;
    const exception = response
      ? new NorthApiException({ ...status, errorCode: SdkErrorCode.CLIENT_AFTER_INVOKE_ERROR, errorDesc: `The answer was cut short${detail}.`, cause: error })
      : NorthApiException.sdk(SdkErrorCode.CLIENT_BEFORE_INVOKE_ERROR, detail.trim() || undefined, error);
    const kind = !response && notSent(error, code) ? 'not-sent' : response || (code !== undefined && RESET_CODES.has(code)) ? 'reset' : 'final';
    failures.set(exception, { kind, status: response?.status ?? -1 });
    return exception;
  }
}

/**
 * 1010009 for a call held back because the platform still throttles this application. It was not sent, so it has no
 * HTTP status (-1).
 */
function heldBack(): NorthApiException {
  return new NorthApiException({
    errorCode: THROTTLED_CODE,
    errorDesc: 'Not sent: the platform still throttles this application (flow control); try again later.',
  });
}

/** Whether a failure before any answer happened while the connection was being opened (the request never left). */
function notSent(error: unknown, code: string | undefined): boolean {
  if (code === undefined) return false;
  if (NOT_SENT_CODES.has(code)) return true;
  const failing = error as { erroredSysCall?: unknown; syscall?: unknown } | null;
  return NOT_SENT_ON_CONNECT.has(code) && (failing?.erroredSysCall ?? failing?.syscall) === 'connect';
}

/** The system error code of a failure (node-fetch copies it to `code`; a premature close sets it on the error too). */
function errorCodeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return code;
  const causeCode = ((error as { cause?: { code?: unknown } } | null)?.cause)?.code;
  return typeof causeCode === 'string' ? causeCode : undefined;
}

function queryString(query: QueryParams | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const text = params.toString();
  return text.length > 0 ? `?${text}` : '';
}

async function readBody(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    // Dropped, not drained: the connection closes instead of reading what was refused.
    (response.body as (NodeJS.ReadableStream & { destroy?: () => void }) | null)?.destroy?.();
    throw tooLarge(response, limit);
  }
  if (!response.body) return '';
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) {
      (response.body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
      throw tooLarge(response, limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function tooLarge(response: Response, limit: number): NorthApiException {
  return new NorthApiException({
    errorCode: SdkErrorCode.CLIENT_AFTER_INVOKE_ERROR,
    errorDesc: `The response body is larger than ${limit} bytes.`,
    httpStatusCode: response.status,
    httpReasonPhrase: response.statusText,
  });
}
