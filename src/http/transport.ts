import { setMaxListeners } from 'node:events';
import type http from 'node:http';
import fetch, { type RequestInit, type Response } from 'node-fetch';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import type { TlsMaterial } from '../client/ssl-config.js';
import { createAgent } from './agent.js';
import { decodeResponse, parseRetryAfter } from './response-decoder.js';

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
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Requests started within one slot share a timeout signal: a new AbortSignal per request costs more than the rest of a call's own work. */
const MAX_TIMEOUT_SLOT_MS = 1_000;
/** Requests per shared timeout signal at most: adding an abort listener scans the ones already there. */
const MAX_REQUESTS_PER_SLOT = 256;
/** Longest delay a timer takes (a longer one fires at once). */
const MAX_TIMER_MS = 2 ** 31 - 1;

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

  constructor(config: TransportConfig) {
    this.#config = config;
    this.#agent = createAgent({ scheme: config.scheme, tls: config.tls });
    this.#slotMs = Math.min(MAX_TIMEOUT_SLOT_MS, Math.ceil(config.timeoutMs / 10));
  }

  get baseUrl(): string {
    return this.#config.baseUrl;
  }

  async request(spec: RequestSpec): Promise<unknown> {
    const url = this.#config.baseUrl + spec.path + queryString(spec.query);
    const headers: Record<string, string> = { Accept: 'application/json' };
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
    const timeout = this.#timeoutSignal();
    const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout;
    const init: RequestInit = { method: spec.method, headers, body, agent: this.#agent, redirect: 'manual', signal, compress: true };
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, init);
      text = await readBody(response, this.#config.maxResponseBytes);
    } catch (error) {
      throw this.#transportError(error, spec.signal, timeout);
    }
    return decodeResponse({
      status: response.status,
      statusText: response.statusText,
      contentType: response.headers.get('content-type') ?? '',
      body: text,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
    });
  }

  /** Closes the idle keep-alive sockets; requests still in flight finish on theirs. */
  close(): void {
    this.#agent.destroy();
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

  #transportError(error: unknown, callerSignal: AbortSignal | undefined, timeout: AbortSignal): NorthApiException {
    if (error instanceof NorthApiException) return error;
    if (callerSignal?.aborted) return NorthApiException.sdk(SdkErrorCode.REQUEST_ABORTED, undefined, error);
    if (timeout.aborted) {
      return NorthApiException.sdk(SdkErrorCode.REQUEST_TIMEOUT, `No complete answer within ${this.#config.timeoutMs} ms.`, error);
    }
    const code = (error as { code?: unknown }).code;
    const detail = typeof code === 'string' ? `(${code})` : undefined;
    return NorthApiException.sdk(SdkErrorCode.CLIENT_BEFORE_INVOKE_ERROR, detail, error);
  }
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
    response.body?.resume?.();
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
