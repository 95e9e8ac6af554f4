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
import { NorthApiException, SdkErrorCode } from '../errors.js';
import { readBody } from '../http/read-body.js';
import { defaultLogger, log, type NorthApiLogger } from '../logger.js';
import { positiveInteger, rejectUnknownKeys } from '../options.js';
import { isPlainObject, NOTIFICATIONS, parseMessage, type NotificationHandlerName } from './messages.js';

/** Path of subscription notifications, as in the Java SDK. */
export const DEFAULT_SUBSCRIPTION_PATH = '/v1.0.0/messageReceiver';
/** Path of command-status callbacks, as in the Java SDK. */
export const DEFAULT_COMMAND_PATH = '/v1.0.0/messageReceiver/cmd';
/** Largest body accepted by default: 1 MiB. */
export const DEFAULT_MAX_PUSH_BODY_BYTES = 1024 * 1024;

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
}

/** Options of {@link PushMessageReceiver.listen}. */
export interface PushListenOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Address to listen on. Default `127.0.0.1`, reachable from this machine only: use `0.0.0.0` (or the address the
   * platform reaches) to receive the platform's pushes.
   */
  host?: string;
  /** Serve HTTPS with these; plain HTTP without (the platform allows HTTP for debugging only). */
  tls?: PushTlsOptions;
}

/** Where a listening receiver can be reached. */
export interface PushReceiverAddress {
  host: string;
  port: number;
  protocol: 'http' | 'https';
  /** e.g. `https://127.0.0.1:8443`. */
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
const LISTEN_KEYS = new Set(['port', 'host', 'tls']);
const TLS_KEYS = new Set(['cert', 'key', 'pfx', 'passphrase', 'ca', 'requestCert']);

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
  private readonly logger: NorthApiLogger;
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(options: PushMessageReceiverOptions = {}) {
    super();
    if (!isPlainObject(options)) throw invalidOption('PushMessageReceiver options must be an object.');
    rejectUnknownKeys(options, OPTION_KEYS, 'PushMessageReceiver option');
    const paths = options.paths ?? {};
    if (!isPlainObject(paths)) throw invalidOption('paths must be an object.');
    rejectUnknownKeys(paths, PATH_KEYS, 'paths option');
    this.paths = {
      subscription: pathOption(paths.subscription, DEFAULT_SUBSCRIPTION_PATH, 'paths.subscription'),
      command: pathOption(paths.command, DEFAULT_COMMAND_PATH, 'paths.command'),
    };
    if (this.paths.subscription === this.paths.command) throw invalidOption('paths.subscription and paths.command must differ.');
    this.maxBodyBytes = positiveInteger(options.maxBodyBytes, DEFAULT_MAX_PUSH_BODY_BYTES, 'maxBodyBytes');
    this.logger = options.logger ?? defaultLogger;
  }

  // ---- handlers (override these) ------------------------------------------------------------------------------

  /** A device was registered. */
  async handleDeviceAdded(_message: NotifyDeviceAddedDTO, _context: PushContext): Promise<void> {}
  /** A device was bound (it connected for the first time). */
  async handleBindDevice(_message: NotifyBindDeviceDTO, _context: PushContext): Promise<void> {}
  /** Device information or status changed. */
  async handleDeviceInfoChanged(_message: NotifyDeviceInfoChangedDTO, _context: PushContext): Promise<void> {}
  /** A device reported data of one service. */
  async handleDeviceDataChanged(_message: NotifyDeviceDataChangedDTO, _context: PushContext): Promise<void> {}
  /** A device reported data of several services (always under `services`, see the DTO). */
  async handleDeviceDatasChanged(_message: NotifyDeviceDatasChangedDTO, _context: PushContext): Promise<void> {}
  /** Service settings of a device changed. */
  async handleServiceInfoChanged(_message: NotifyServiceInfoChangedDTO, _context: PushContext): Promise<void> {}
  /** A device was deleted. */
  async handleDeviceDeleted(_message: NotifyDeviceDeletedDTO, _context: PushContext): Promise<void> {}
  /** A device confirmed a message. */
  async handleMessageConfirm(_message: NotifyMessageConfirmDTO, _context: PushContext): Promise<void> {}
  /** A device answered a sendCommand request. */
  async handleCommandRsp(_message: NotifyCommandRspDTO, _context: PushContext): Promise<void> {}
  /** A device raised an event. */
  async handleDeviceEvent(_message: NotifyDeviceEventDTO, _context: PushContext): Promise<void> {}
  /** A device model was added. */
  async handleDeviceModelAdded(_message: NotifyDeviceModelAddedDTO, _context: PushContext): Promise<void> {}
  /** A device model was deleted. */
  async handleDeviceModelDeleted(_message: NotifyDeviceModelDeletedDTO, _context: PushContext): Promise<void> {}
  /** Services or properties of a device profile changed. */
  async handleDeviceCapabilitiesChanged(_message: NotifyDeviceCapabilitiesChangedDTO, _context: PushContext): Promise<void> {}
  /** A device profile was added. */
  async handleDeviceCapabilitiesAdded(_message: NotifyDeviceCapabilitiesAddedDTO, _context: PushContext): Promise<void> {}
  /** A device profile was deleted. */
  async handleDeviceCapabilitiesDeleted(_message: NotifyDeviceCapabilitiesDeletedDTO, _context: PushContext): Promise<void> {}
  /** A rule fired. */
  async handleRuleEvent(_message: NotifyRuleEventDTO, _context: PushContext): Promise<void> {}
  /** A desired-property change of a device changed status. */
  async handleDeviceDesiredStatusChanged(_message: NotifyDeviceDesiredStatusChangedDTO, _context: PushContext): Promise<void> {}
  /** A software upgrade changed state (notifyType `swUpgradeStateChangeNotify`). */
  async handleSwUpgradeStateChanged(_message: NotifySwUpgradeStateChangedDTO, _context: PushContext): Promise<void> {}
  /** A software upgrade ended (notifyType `swUpgradeResultNotify`). */
  async handleSwUpgradeResult(_message: NotifySwUpgradeResultDTO, _context: PushContext): Promise<void> {}
  /** A firmware upgrade moved a step (notifyType `fwUpgradeStateChangeNotify`). */
  async handleFwUpgradeStateChanged(_message: NotifyFwUpgradeStateChangedDTO, _context: PushContext): Promise<void> {}
  /** A firmware upgrade ended (notifyType `fwUpgradeResultNotify`). */
  async handleFwUpgradeResult(_message: NotifyFwUpgradeResultDTO, _context: PushContext): Promise<void> {}
  /** A command changed status (posted to the command's callbackUrl, without a notifyType). */
  async handleNBCommandStateChanged(_message: NotifyNBCommandStatusChangedDTO, _context: PushContext): Promise<void> {}

  // ---- dispatch ------------------------------------------------------------------------------------------------

  /**
   * Hands one message to its handler and says how it went. `body` is the JSON text, its bytes, or the already
   * parsed object (e.g. `req.body` after a JSON body parser). Never rejects: a failing handler gives status 500 and
   * an `error` event, a body that is no valid message status 400 and an `invalid` event.
   */
  async dispatch(body: string | Uint8Array | object, context: Partial<PushContext> = {}): Promise<PushDispatchResult> {
    const ctx: PushContext = { receivedAt: context.receivedAt ?? new Date(), ...(context.path !== undefined ? { path: context.path } : {}) };
    let value: unknown = body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const text = typeof body === 'string' ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
      ctx.rawBody = text;
      try {
        value = JSON.parse(text);
      } catch {
        return this.invalid(400, 'the body is not valid JSON', ctx.path);
      }
    }
    const parsed = parseMessage(value);
    switch (parsed.kind) {
      case 'invalid':
        return this.invalid(400, parsed.reason, ctx.path);
      case 'unknown':
        this.emit('unknown', parsed.message as UnknownPushMessage, ctx);
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
      if (this.listenerCount('error') > 0) this.emit('error', error);
      else log(this.logger, 'error', `push receiver: ${error.message}`);
      return { status: 500, outcome: 'failed', notifyType, error };
    }
  }

  private invalid(status: 400 | 413, reason: string, path: string | undefined): PushDispatchResult {
    this.emit('invalid', { status, reason, ...(path !== undefined ? { path } : {}) });
    return { status, outcome: 'invalid', reason };
  }

  // ---- HTTP ----------------------------------------------------------------------------------------------------

  /**
   * A Node `(req, res)` request listener: answers POSTs on the receiver's two paths and 404 elsewhere. Mount it in
   * an existing server (`http.createServer(receiver.handle)`, or `app.post(receiver.paths.subscription,
   * receiver.handle)` in Express). A body already parsed by a body parser (`req.body`) is used as it is.
   */
  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const work = this.serve(req, res).catch(() => {
      // serve() answers every failure itself; this only guards against a socket that broke while answering.
      if (!res.writableEnded) res.destroy();
    });
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  };

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = trimSlash((req.url ?? '/').split('?')[0] ?? '/');
    if (path !== this.paths.subscription && path !== this.paths.command) {
      reply(res, 404, 'no receiver at this path');
      return;
    }
    if (req.method !== 'POST') {
      reply(res, 405, 'only POST is accepted', { Allow: 'POST' });
      return;
    }
    const preParsed = (req as { body?: unknown }).body;
    let body: string | object;
    if (preParsed !== undefined && req.readableEnded) {
      body = typeof preParsed === 'string' || preParsed instanceof Uint8Array || isPlainObject(preParsed) ? preParsed : JSON.stringify(preParsed);
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
    const result = await this.dispatch(body, { path });
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
    if (this.server) throw invalidOption('The receiver is already listening; close() it first.');
    const port: unknown = options.port ?? 0;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
      throw invalidOption('port must be an integer from 0 to 65535.');
    }
    const host: unknown = options.host ?? '127.0.0.1';
    if (typeof host !== 'string' || host === '') throw invalidOption('host must be a non-empty string.');
    const tls: unknown = options.tls;
    if (tls !== undefined) {
      if (!isPlainObject(tls)) throw invalidOption('tls must be an object.');
      rejectUnknownKeys(tls, TLS_KEYS, 'tls option');
      if (tls['pfx'] === undefined && (tls['cert'] === undefined || tls['key'] === undefined)) throw invalidOption('tls needs cert and key (or pfx).');
    }
    let server: http.Server;
    try {
      server = tls ? https.createServer({ ...tls }, this.handle) : http.createServer(this.handle);
    } catch (error) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_SSL_CONFIG_ERROR, 'The receiver TLS settings could not be loaded.', error);
    }
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const protocol = tls ? 'https' : 'http';
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `${protocol}://${shownHost}:${address.port}`;
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
   * Stops the server started by {@link PushMessageReceiver.listen}: no new connections, idle ones closed at once.
   * Messages already being handled are still answered; then every connection is closed. Idempotent.
   */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await Promise.allSettled([...this.inFlight]);
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}
