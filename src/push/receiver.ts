/**
 * PushMessageReceiver: takes the notifications the platform posts to an application and hands each to a typed,
 * overridable handler method named as in the Java SDK.
 *
 * Three ways in: its own HTTP(S) server ({@link PushMessageReceiver.listen}), a `(req, res)` listener to mount in an
 * existing Node or Express server ({@link PushMessageReceiver.handle}), and {@link PushMessageReceiver.dispatch} for
 * bodies that arrive any other way. All three answer alike:
 *
 * | what arrived                                   | answer | event     |
 * |------------------------------------------------|--------|-----------|
 * | a known message, handler settled               | 200    |           |
 * | a known message, handler threw or rejected     | 500    | `error`   |
 * | a well-formed message of an unknown notifyType | 200    | `unknown` |
 * | not JSON, not an object, no notifyType, a field of the wrong type | 400 | `invalid` |
 * | a body over `maxBodyBytes` (HTTP only)         | 413    | `invalid` |
 * | another method than POST on a receiver path    | 405    |           |
 * | another path (HTTP only)                       | 404    |           |
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { inspect } from 'node:util';
import type {
  NotifyBindDeviceDTO,
  NotifyCommandRspDTO,
  NotifyDeviceAddedDTO,
  NotifyDeviceCapabilitiesAddedDTO,
  NotifyDeviceCapabilitiesChangedDTO,
  NotifyDeviceCapabilitiesDeletedDTO,
  NotifyDeviceDataChangedDTO,
  NotifyDeviceDatasChangedDTO,
  NotifyDeviceDeletedDTO,
  NotifyDeviceDesiredStatusChangedDTO,
  NotifyDeviceEventDTO,
  NotifyDeviceInfoChangedDTO,
  NotifyDeviceModelAddedDTO,
  NotifyDeviceModelDeletedDTO,
  NotifyFwUpgradeResultDTO,
  NotifyFwUpgradeStateChangedDTO,
  NotifyMessageConfirmDTO,
  NotifyNBCommandStatusChangedDTO,
  NotifyRuleEventDTO,
  NotifyServiceInfoChangedDTO,
  NotifySwUpgradeResultDTO,
  NotifySwUpgradeStateChangedDTO,
  PushNotificationMap,
  PushNotifyType,
  UnknownPushMessage,
} from '../dto/push.js';
import { NorthApiException, SdkErrorCode, errorMessage } from '../errors.js';
import { MAX_TIMER_MS } from '../http/abort.js';
import { readBody } from '../http/read-body.js';
import { defaultLogger, log, type NorthApiLogger } from '../logger.js';
import { positiveInteger, rejectUnknownKeys } from '../options.js';
import { compact, isPlainObject } from '../services/validation.js';
import { NOTIFICATIONS, parseMessage, type NotificationHandlerName } from './messages.js';

/** Default path of subscription notifications, as in the Java SDK. */
export const PUSH_SUBSCRIPTION_PATH = '/v1.0.0/messageReceiver';
/** Default path of command-status callbacks, as in the Java SDK. */
export const PUSH_COMMAND_PATH = '/v1.0.0/messageReceiver/cmd';
/** Largest body accepted by default: 1 MiB. */
export const DEFAULT_MAX_PUSH_BODY_BYTES = 1024 * 1024;
/** How long {@link PushMessageReceiver.close} waits for messages under way by default. */
export const DEFAULT_CLOSE_TIMEOUT_MS = 10_000;

/** Options of a receiver. */
export interface PushMessageReceiverOptions {
  /** Paths the receiver answers (HTTP only). Both take every kind of message; the defaults are the Java SDK's. */
  paths?: {
    /** Default `/v1.0.0/messageReceiver`: give `https://host:port` + this path when subscribing. */
    subscription?: string;
    /** Default `/v1.0.0/messageReceiver/cmd`: give `https://host:port` + this path as a command's callbackUrl. */
    command?: string;
  };
  /** Largest request body in bytes (default 1 MiB); larger ones are answered 413 and not read further. */
  maxBodyBytes?: number;
  /** Where a handler failure is written when nobody listens to the `error` event. Default: stderr. */
  logger?: NorthApiLogger;
}

/** TLS settings of {@link PushMessageReceiver.listen}: the server's certificate and key (PEM or PFX). */
export interface PushTlsOptions {
  cert?: string | Buffer;
  key?: string | Buffer;
  pfx?: string | Buffer;
  passphrase?: string;
  /** CAs to check client certificates with (with `requestCert`). */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Ask the platform for a client certificate (mutual TLS); connections without a trusted one are refused. */
  requestCert?: boolean;
  /** Lowest TLS version accepted (Node's default otherwise). */
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  /** OpenSSL cipher list (Node's default otherwise). */
  ciphers?: string;
}

/** Options of {@link PushMessageReceiver.listen}. */
export interface PushListenOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Address to listen on. Default `127.0.0.1`, reachable from this machine only: use `0.0.0.0` (or the address the
   * platform reaches) to receive the platform's pushes, with `publicUrl`.
   */
  host?: string;
  /** Serve HTTPS with these; plain HTTP without (the platform allows HTTP for debugging only). */
  tls?: PushTlsOptions;
  /**
   * The base URL the platform reaches this server at (e.g. `https://push.example.com:8443`, behind NAT or a proxy):
   * the returned `url`, `subscriptionUrl` and `commandUrl` are built on it. Default: the address listened on.
   */
  publicUrl?: string;
}

/** Where a listening receiver can be reached. */
export interface PushReceiverAddress {
  host: string;
  port: number;
  protocol: 'http' | 'https';
  /** `publicUrl` when given, else the address listened on, e.g. `https://127.0.0.1:8443`. */
  url: string;
  /** The URL to subscribe with (url + subscription path). */
  subscriptionUrl: string;
  /** The URL to give as a command's callbackUrl (url + command path). */
  commandUrl: string;
}

/** What the receiver knows of the request a message came with. */
export interface PushContext {
  /** The request path (HTTP), or undefined for {@link PushMessageReceiver.dispatch}. */
  path?: string;
  /** The request headers (HTTP only), e.g. to check a header a proxy adds. */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** The sender's address (HTTP only). */
  remoteAddress?: string;
  /** The body as received, when it arrived as text or bytes. */
  rawBody?: string;
  receivedAt: Date;
}

/** How one message was dealt with; `status` is the HTTP answer it gets. */
export type PushDispatchResult =
  | { status: 200; outcome: 'handled'; notifyType: PushNotifyType | 'commandStatus' }
  | { status: 200; outcome: 'unknown'; notifyType: string }
  | { status: 400 | 413; outcome: 'invalid'; reason: string }
  | { status: 500; outcome: 'failed'; notifyType: PushNotifyType | 'commandStatus'; error: PushHandlerError };

/** Options of {@link PushMessageReceiver.close}. */
export interface PushCloseOptions {
  /**
   * How long to wait for messages under way (bodies still arriving, handlers still running) before their
   * connections are cut. Default 10 s.
   */
  timeoutMs?: number;
}

/** A handler threw or rejected; `cause` is what it threw. */
export class PushHandlerError extends Error {
  override readonly name = 'PushHandlerError';

  constructor(
    /** The message's notifyType, or `commandStatus` for a command callback. */
    readonly notifyType: PushNotifyType | 'commandStatus',
    /** The handler method that failed. */
    readonly handler: string,
    cause: unknown,
  ) {
    super(`${handler} failed on a ${notifyType} message: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** Events of a receiver. */
export interface PushMessageReceiverEvents {
  /** A handler failed; the message was answered 500 (the platform may post it again). */
  error: [error: PushHandlerError];
  /** A message of a notifyType the receiver does not know; answered 200. */
  unknown: [message: UnknownPushMessage, context: PushContext];
  /** A body that was refused (400 or 413), with the reason. */
  invalid: [detail: { status: 400 | 413; reason: string; path?: string }];
}

const OPTION_KEYS = new Set(['paths', 'maxBodyBytes', 'logger']);
const PATH_KEYS = new Set(['subscription', 'command']);
const LISTEN_KEYS = new Set(['port', 'host', 'tls', 'publicUrl']);
const TLS_KEYS = new Set(['cert', 'key', 'pfx', 'passphrase', 'ca', 'requestCert', 'minVersion', 'ciphers']);
const CLOSE_KEYS = new Set(['timeoutMs']);

function invalidOption(detail: string): NorthApiException {
  return NorthApiException.sdk(SdkErrorCode.INVALID_OPTION, detail);
}

function pathOption(value: unknown, fallback: string, name: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !/^\/[^?#\s]*$/.test(value)) throw invalidOption(`${name} must be a path starting with "/".`);
  return trimSlash(value);
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

function reply(res: http.ServerResponse, status: number, reason?: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  const body = reason === undefined ? '' : JSON.stringify({ error: reason });
  res.writeHead(status, {
    ...headers,
    ...(body ? { 'Content-Type': 'application/json' } : {}),
    'Content-Length': String(Buffer.byteLength(body)),
  });
  res.end(body);
}

/**
 * Receives the platform's push messages. Extend it and override the `handleXxx` methods you need: each gets the
 * typed message (wire field names) and a {@link PushContext}; the defaults do nothing. A message is answered once its
 * handler has settled: 200 when it resolved, 500 (and an `error` event) when it threw.
 *
 * ```ts
 * class MyReceiver extends PushMessageReceiver {
 *   override async handleDeviceDataChanged(message: NotifyDeviceDataChangedDTO): Promise<void> {
 *     console.log(message.deviceId, message.service.data);
 *   }
 * }
 * const receiver = new MyReceiver();
 * const { subscriptionUrl } = await receiver.listen({ port: 8443, host: '0.0.0.0', tls: { cert, key } });
 * ```
 */
export class PushMessageReceiver extends EventEmitter<PushMessageReceiverEvents> {
  /** The subscription path and the command path (without trailing slash). */
  readonly paths: { readonly subscription: string; readonly command: string };
  readonly maxBodyBytes: number;
  readonly #logger: NorthApiLogger;
  /** The server of listen(), until close() (kept private: a TLS server holds its key). */
  #current: ServerRecord | undefined;
  /** The last close() begun, for calls that find nothing left to close. */
  #lastClose: Promise<void> | undefined;

  constructor(options: PushMessageReceiverOptions = {}) {
    // A listener returning a rejected promise is reported to [Symbol.for('nodejs.rejection')] below, not left unhandled.
    super({ captureRejections: true });
    if (!isPlainObject(options)) throw invalidOption('PushMessageReceiver options must be an object.');
    rejectUnknownKeys(options, OPTION_KEYS, 'PushMessageReceiver option');
    const paths = options.paths ?? {};
    if (!isPlainObject(paths)) throw invalidOption('paths must be an object.');
    rejectUnknownKeys(paths, PATH_KEYS, 'paths option');
    this.paths = {
      subscription: pathOption(paths.subscription, PUSH_SUBSCRIPTION_PATH, 'paths.subscription'),
      command: pathOption(paths.command, PUSH_COMMAND_PATH, 'paths.command'),
    };
    if (this.paths.subscription === this.paths.command) throw invalidOption('paths.subscription and paths.command must differ.');
    this.maxBodyBytes = positiveInteger(options.maxBodyBytes, DEFAULT_MAX_PUSH_BODY_BYTES, 'maxBodyBytes');
    this.#logger = options.logger ?? defaultLogger;
  }

  // ---- handlers (override these) ------------------------------------------------------------------------------

  /** A device was registered. */
  handleDeviceAdded(_message: NotifyDeviceAddedDTO, _context: PushContext): Promise<void> | void {}
  /** A device was bound (it connected for the first time). */
  handleBindDevice(_message: NotifyBindDeviceDTO, _context: PushContext): Promise<void> | void {}
  /** Device information or status changed. */
  handleDeviceInfoChanged(_message: NotifyDeviceInfoChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A device reported data of one service. */
  handleDeviceDataChanged(_message: NotifyDeviceDataChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A device reported data of several services (always under `services`, see the DTO). */
  handleDeviceDatasChanged(_message: NotifyDeviceDatasChangedDTO, _context: PushContext): Promise<void> | void {}
  /** Service settings of a device changed. */
  handleServiceInfoChanged(_message: NotifyServiceInfoChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A device was deleted. */
  handleDeviceDeleted(_message: NotifyDeviceDeletedDTO, _context: PushContext): Promise<void> | void {}
  /** A device confirmed a message. */
  handleMessageConfirm(_message: NotifyMessageConfirmDTO, _context: PushContext): Promise<void> | void {}
  /** A device answered a sendCommand request. */
  handleCommandRsp(_message: NotifyCommandRspDTO, _context: PushContext): Promise<void> | void {}
  /** A device raised an event. */
  handleDeviceEvent(_message: NotifyDeviceEventDTO, _context: PushContext): Promise<void> | void {}
  /** A device model was added. */
  handleDeviceModelAdded(_message: NotifyDeviceModelAddedDTO, _context: PushContext): Promise<void> | void {}
  /** A device model was deleted. */
  handleDeviceModelDeleted(_message: NotifyDeviceModelDeletedDTO, _context: PushContext): Promise<void> | void {}
  /** Services or properties of a device profile changed. */
  handleDeviceCapabilitiesChanged(_message: NotifyDeviceCapabilitiesChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A device profile was added. */
  handleDeviceCapabilitiesAdded(_message: NotifyDeviceCapabilitiesAddedDTO, _context: PushContext): Promise<void> | void {}
  /** A device profile was deleted. */
  handleDeviceCapabilitiesDeleted(_message: NotifyDeviceCapabilitiesDeletedDTO, _context: PushContext): Promise<void> | void {}
  /** A rule fired. */
  handleRuleEvent(_message: NotifyRuleEventDTO, _context: PushContext): Promise<void> | void {}
  /** A desired-property change of a device changed status. */
  handleDeviceDesiredStatusChanged(_message: NotifyDeviceDesiredStatusChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A software upgrade changed state (notifyType `swUpgradeStateChangeNotify`). */
  handleSwUpgradeStateChanged(_message: NotifySwUpgradeStateChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A software upgrade ended (notifyType `swUpgradeResultNotify`). */
  handleSwUpgradeResult(_message: NotifySwUpgradeResultDTO, _context: PushContext): Promise<void> | void {}
  /** A firmware upgrade moved a step (notifyType `fwUpgradeStateChangeNotify`). */
  handleFwUpgradeStateChanged(_message: NotifyFwUpgradeStateChangedDTO, _context: PushContext): Promise<void> | void {}
  /** A firmware upgrade ended (notifyType `fwUpgradeResultNotify`). */
  handleFwUpgradeResult(_message: NotifyFwUpgradeResultDTO, _context: PushContext): Promise<void> | void {}
  /** A command changed status (posted to the command's callbackUrl, without a notifyType). */
  handleNBCommandStateChanged(_message: NotifyNBCommandStatusChangedDTO, _context: PushContext): Promise<void> | void {}

  // ---- dispatch ------------------------------------------------------------------------------------------------

  /**
   * Hands one message to its handler and says how it went. `body` is the JSON text, its bytes, or the already
   * parsed object (e.g. `req.body` after a JSON body parser). Never rejects: a failing handler gives status 500 and
   * an `error` event, a body that is no valid message status 400 and an `invalid` event. Keys named `__proto__`,
   * `constructor` or `prototype` are dropped from the message at every depth.
   */
  async dispatch(body: string | Uint8Array | object, context: Partial<PushContext> = {}): Promise<PushDispatchResult> {
    const ctx: PushContext = { ...compact(context), receivedAt: context.receivedAt ?? new Date() };
    let value: unknown;
    const text = typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8') : undefined;
    if (text !== undefined) ctx.rawBody = text;
    try {
      // An object from elsewhere is copied (through JSON), so that cleaning it never changes the caller's object.
      value = JSON.parse(text ?? JSON.stringify(body));
    } catch {
      return this.invalid(400, text !== undefined ? 'the body is not valid JSON' : 'the body cannot be read as JSON', ctx.path);
    }
    const parsed = parseMessage(value);
    switch (parsed.kind) {
      case 'invalid':
        return this.invalid(400, parsed.reason, ctx.path);
      case 'unknown':
        this.announce('unknown', parsed.message as UnknownPushMessage, ctx);
        return { status: 200, outcome: 'unknown', notifyType: parsed.notifyType };
      case 'commandStatus':
        return this.runHandler('commandStatus', 'handleNBCommandStateChanged', parsed.message, ctx);
      case 'notification':
        return this.runHandler(parsed.notifyType, NOTIFICATIONS[parsed.notifyType].handler, parsed.message, ctx);
    }
  }

  private async runHandler(
    notifyType: PushNotifyType | 'commandStatus',
    handler: NotificationHandlerName | 'handleNBCommandStateChanged',
    message: PushNotificationMap[PushNotifyType] | Record<string, unknown>,
    context: PushContext,
  ): Promise<PushDispatchResult> {
    try {
      const method = this[handler] as (message: unknown, context: PushContext) => Promise<void>;
      await method.call(this, message, context);
      return { status: 200, outcome: 'handled', notifyType };
    } catch (cause) {
      const error = new PushHandlerError(notifyType, handler, cause);
      if (this.listenerCount('error') > 0) this.announce('error', error);
      else log(this.#logger, 'error', `push receiver: ${error.message}`);
      return { status: 500, outcome: 'failed', notifyType, error };
    }
  }

  private invalid(status: 400 | 413, reason: string, path: string | undefined): PushDispatchResult {
    this.announce('invalid', { status, reason, ...(path !== undefined ? { path } : {}) });
    return { status, outcome: 'invalid', reason };
  }

  /** Emits an event; a listener that throws is logged and changes nothing about the answer. */
  private announce<K extends keyof PushMessageReceiverEvents>(event: K, ...args: PushMessageReceiverEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: PushMessageReceiverEvents[K]) => boolean)(event, ...args);
    } catch (error) {
      log(this.#logger, 'error', `push receiver: a listener of the ${event} event threw: ${errorMessage(error)}`);
    }
  }

  /** Where EventEmitter's captureRejections reports a listener whose promise rejected: logged, as a throw is. */
  [Symbol.for('nodejs.rejection')](error: unknown, event: string | symbol): void {
    log(this.#logger, 'error', `push receiver: a listener of the ${String(event)} event failed: ${errorMessage(error)}`);
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  /**
   * A Node `(req, res)` request listener, also usable as Express middleware: it answers POSTs on the receiver's two
   * paths (matched against `req.url` and, when mounted under a prefix, Express's `req.originalUrl`). Any other path
   * goes to `next` when there is one, and gets 404 when there is none. Examples: `http.createServer(receiver.handle)`,
   * `app.use(receiver.handle)`, `app.post(receiver.paths.subscription, express.json(), receiver.handle)`. A body
   * already parsed by a body parser (`req.body`) is used as it is; the parser's own size limit then applies.
   */
  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse, next?: (error?: unknown) => void): void => {
    const path = this.pathOf(req);
    if (path === undefined) {
      if (typeof next === 'function') next();
      else reply(res, 404, 'no receiver at this path');
      return;
    }
    this.serve(req, res, path).catch(() => {
      // serve() answers every failure itself; this only guards against a socket that broke while answering.
      if (!res.writableEnded) res.destroy();
    });
  };

  /** The receiver path a request is for, or undefined. */
  private pathOf(req: http.IncomingMessage): string | undefined {
    for (const url of [req.url, (req as { originalUrl?: unknown }).originalUrl]) {
      if (typeof url !== 'string') continue;
      const path = trimSlash(url.split('?')[0] || '/');
      if (path === this.paths.subscription || path === this.paths.command) return path;
    }
    return undefined;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse, path: string): Promise<void> {
    if (req.method !== 'POST') {
      reply(res, 405, 'only POST is accepted', { Allow: 'POST' });
      return;
    }
    const preParsed = (req as { body?: unknown }).body;
    let body: string | Uint8Array | object;
    if (req.readableEnded) {
      // A body parser ran before us: take what it left on req.body.
      if (preParsed === undefined || preParsed === null) {
        reply(res, 500, 'the request body was read before the receiver got it, and not left on req.body');
        return;
      }
      body = typeof preParsed === 'string' || preParsed instanceof Uint8Array || typeof preParsed === 'object' ? preParsed : JSON.stringify(preParsed);
    } else {
      const read = await readBody(req, this.maxBodyBytes);
      if (read.kind === 'aborted') return;
      if (read.kind === 'too-large') {
        this.invalid(413, `the body is larger than ${this.maxBodyBytes} bytes`, path);
        reply(res, 413, 'body too large', { Connection: 'close' });
        return;
      }
      body = read.text;
    }
    const result = await this.dispatch(body, { path, headers: req.headers, ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}) });
    if (result.status === 200) reply(res, 200);
    else if (result.outcome === 'invalid') reply(res, result.status, result.reason);
    else reply(res, 500, 'the handler failed');
  }

  /**
   * Starts an HTTP server (HTTPS with `tls`) that serves {@link PushMessageReceiver.handle}, and resolves with the
   * address it listens on. One server per receiver: call {@link PushMessageReceiver.close} before listening again.
   */
  async listen(options: PushListenOptions = {}): Promise<PushReceiverAddress> {
    if (!isPlainObject(options)) throw invalidOption('listen options must be an object.');
    rejectUnknownKeys(options, LISTEN_KEYS, 'listen option');
    if (this.#current) throw new Error('The receiver is already listening; close() it first.');
    const port: unknown = options.port ?? 0;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalidOption('port must be an integer from 0 to 65535.');
    }
    const host: unknown = options.host ?? '127.0.0.1';
    if (typeof host !== 'string' || host === '') throw invalidOption('host must be a non-empty string.');
    const publicUrl = publicUrlOption(options.publicUrl);
    const tls: unknown = options.tls;
    if (tls !== undefined) {
      if (!isPlainObject(tls)) throw invalidOption('tls must be an object.');
      rejectUnknownKeys(tls, TLS_KEYS, 'tls option');
      if (tls['pfx'] === undefined && (tls['cert'] === undefined || tls['key'] === undefined)) throw invalidOption('tls needs cert and key (or pfx).');
    }
    // Assigned below, before the server can take a request.
    let record: ServerRecord | undefined;
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => serveOn(record!, this.handle, req, res);
    let server: http.Server;
    try {
      server = tls ? https.createServer({ ...tls }, listener) : http.createServer(listener);
    } catch (error) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_SSL_CONFIG_ERROR, 'The receiver TLS settings could not be loaded.', error);
    }
    const sockets = new Set<Socket>();
    server.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
    });
    const started = new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    record = {
      server,
      sockets,
      inFlight: new Set(),
      started: started.then(
        () => true,
        () => false,
      ),
    };
    // Taken before the first await, so that a second listen() or a close() meanwhile sees this server.
    this.#current = record;
    try {
      await started;
    } catch (error) {
      if (this.#current === record) this.#current = undefined;
      throw error;
    }
    if (this.#current !== record) throw new Error('The receiver was closed before it started listening.');
    const address = server.address() as AddressInfo;
    const protocol = tls ? 'https' : 'http';
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = publicUrl ?? `${protocol}://${shownHost}:${address.port}`;
    return {
      host: address.address,
      port: address.port,
      protocol,
      url,
      subscriptionUrl: `${url}${this.paths.subscription}`,
      commandUrl: `${url}${this.paths.command}`,
    };
  }

  /**
   * Stops the server started by {@link PushMessageReceiver.listen}: no new connections, idle ones closed at once,
   * answers from now on sent with `Connection: close`. Messages under way are still answered, for up to `timeoutMs`
   * (default 10 s; 0 cuts them at once); then every connection left is cut. The receiver may listen again as soon as
   * close() is called. Idempotent: calls while one is under way wait for the same close.
   */
  async close(options: PushCloseOptions = {}): Promise<void> {
    if (!isPlainObject(options)) throw invalidOption('close options must be an object.');
    rejectUnknownKeys(options, CLOSE_KEYS, 'close option');
    const timeoutMs: unknown = options.timeoutMs ?? DEFAULT_CLOSE_TIMEOUT_MS;
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 0 || timeoutMs > MAX_TIMER_MS) {
      throw invalidOption(`timeoutMs must be an integer from 0 to ${MAX_TIMER_MS}.`);
    }
    const record = this.#current;
    if (!record) return this.#lastClose;
    this.#current = undefined;
    this.#lastClose = closeServer(record, timeoutMs);
    return this.#lastClose;
  }

  /** Shows the paths, the limit and whether it listens: never TLS keys or passphrases. */
  [inspect.custom](): string {
    const address = this.#current?.server.address();
    const where = address && typeof address === 'object' ? `listening on ${address.address}:${address.port}` : 'not listening';
    return `${this.constructor.name} { paths: ${JSON.stringify(this.paths)}, maxBodyBytes: ${this.maxBodyBytes}, ${where} }`;
  }
}

/** One server started by listen(), with what close() needs of it. */
interface ServerRecord {
  readonly server: http.Server;
  readonly sockets: Set<Socket>;
  /** Responses not yet closed (answered and flushed, or cut). */
  readonly inFlight: Set<http.ServerResponse>;
  /** Settles once the server listens (true) or failed to (false). */
  readonly started: Promise<boolean>;
  /** Set once close() began: answers go out with `Connection: close`. */
  closing?: boolean;
}

/** The request listener of a server of listen(): tracks the response until it is closed, then hands over. */
function serveOn(record: ServerRecord, handle: PushMessageReceiver['handle'], req: http.IncomingMessage, res: http.ServerResponse): void {
  if (record.closing) res.shouldKeepAlive = false;
  record.inFlight.add(res);
  res.once('close', () => record.inFlight.delete(res));
  handle(req, res);
}

async function closeServer(record: ServerRecord, timeoutMs: number): Promise<void> {
  // A server still starting is let finish first: closing it half-way would leave listen() waiting for ever.
  const listening = await record.started;
  record.closing = true;
  if (!listening) return;
  const { server } = record;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  for (const res of record.inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
  server.closeIdleConnections();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  // The server closes once every connection has ended: answers under way go out with Connection: close.
  await Promise.race([closed, deadline]);
  clearTimeout(timer);
  for (const socket of record.sockets) socket.destroy();
  await closed;
}

/**
 * The `publicUrl` option as a base URL: origin and path of the parsed URL, without a trailing slash. A path is kept
 * (for a proxy that maps it to the receiver's paths).
 */
function publicUrlOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = typeof value === 'string' ? new URL(value) : undefined;
  } catch {
    url = undefined;
  }
  const raw = typeof value === 'string' ? value : '';
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || /[?#@\s\\]/.test(raw.trim()) || url.hostname === '') {
    throw invalidOption('publicUrl must be an http(s) URL without query, fragment or credentials.');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
