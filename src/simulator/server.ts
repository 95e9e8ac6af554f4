/**
 * The simulator's HTTP(S) server: request intake, logging, faults, the
 * platform's authentication / throttling / authorised-app checks, and
 * dispatch to the route groups.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { inspect, type InspectOptionsStylized } from 'node:util';
import { readBody } from '../http/read-body.js';
import { ApiError, Errors } from './errors.js';
import {
  DEFAULT_HTML_STATUS,
  DEFAULT_OVERSIZE_BYTES,
  DEFAULT_OVERSIZE_STATUS,
  htmlErrorPage,
  oversizeChunks,
  truncatedLength,
  validateFaultRule,
  writeChunks,
} from './faults.js';
import { ADMIN_PREFIX, registerAdminRoutes } from './routes/admin.js';
import { registerAuthRoutes } from './routes/auth.js';
import { registerDeviceManagementRoutes } from './routes/device-management.js';
import { registerDataCollectionRoutes } from './routes/data-collection.js';
import { registerCommandRoutes } from './routes/commands.js';
import { acknowledgeCommand, deviceServiceInvocations } from './commands.js';
import { reportDeviceData, reportDeviceDatas } from './device-data.js';
import { PushSender } from './push.js';
import { registerSubscriptionRoutes } from './routes/subscriptions.js';
import { registerBatchTaskRoutes } from './routes/batch-tasks.js';
import { registerDeviceGroupRoutes } from './routes/device-groups.js';
import { registerUpgradeRoutes } from './routes/upgrades.js';
import { addUpgradePackage, finishUpgrade } from './upgrades.js';
import { registerRuleRoutes } from './routes/rules.js';
import { bodyAccessors, Router, type RequestContext, type Route, type RouteResult } from './router.js';
import { resolveOptions, SimulatorState, type AppState, type ResolvedOptions } from './state.js';
import { createServerTls, issueClientCertificate, issueServerCertificate, type ServerTlsMaterial } from './tls.js';
import { addressView, inspectAddress } from './util.js';
import type {
  CommandAcknowledgement,
  DeviceDataReportOptions,
  FaultKind,
  FaultRule,
  PushDelivery,
  RecordedRequest,
  ServiceDataReport,
  Simulator,
  SimulatorApp,
  SimulatorEvent,
  SimulatorOptions,
  SimulatorStats,
  ServiceInvocation,
  UpgradePackageInput,
} from './types.js';

/** Largest request body accepted (1 MiB); larger bodies get 413. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Route groups of the northbound API. Add new groups here. */
function buildApiRouter(): Router {
  const router = new Router();
  registerAuthRoutes(router);
  registerDeviceManagementRoutes(router);
  registerDataCollectionRoutes(router);
  registerCommandRoutes(router);
  registerSubscriptionRoutes(router);
  registerBatchTaskRoutes(router);
  registerDeviceGroupRoutes(router);
  registerUpgradeRoutes(router);
  registerRuleRoutes(router);
  return router;
}

/** Method and path pattern of every northbound route the simulator serves. */
export function apiRoutes(): Array<{ method: string; pattern: string }> {
  return buildApiRouter()
    .list()
    .map(({ method, pattern }) => ({ method, pattern }));
}

function buildAdminRouter(): Router {
  const router = new Router();
  registerAdminRoutes(router);
  return router;
}

/** Method and path pattern of every admin route (`/simulator/v1/...`). */
export function adminRoutes(): Array<{ method: string; pattern: string }> {
  return buildAdminRouter()
    .list()
    .map(({ method, pattern }) => ({ method, pattern }));
}

function splitTarget(target: string): { path: string; query: Record<string, string> } {
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query: Record<string, string> = {};
  if (q >= 0) for (const [k, v] of new URLSearchParams(target.slice(q + 1))) query[k] = v;
  return { path: path === '' ? '/' : path, query };
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function headerValue(headers: http.IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}

function bearerToken(headers: http.IncomingHttpHeaders): string | undefined {
  const value = headerValue(headers, 'authorization');
  const match = value === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(value);
  return match ? match[1] : undefined;
}

function errorResult(error: ApiError): RouteResult {
  return { status: error.status, body: error.body, headers: error.headers };
}

/** Adds the `Retry-After` header a status or throttle fault asks for. */
function withRetryAfter(result: RouteResult, rule: FaultRule): RouteResult {
  if (rule.retryAfterSeconds === undefined) return result;
  return { ...result, headers: { ...result.headers, 'Retry-After': String(rule.retryAfterSeconds) } };
}

/** Whether nothing has been answered yet and the client is still there. */
function canAnswer(res: http.ServerResponse): boolean {
  return !(res.headersSent || res.writableEnded || res.destroyed);
}

/** Headers and body bytes of an answer: compact JSON, an empty body (Content-Length 0), none for 204 and 304. */
function serialise(result: RouteResult): { headers: Record<string, string | number>; body: Buffer } {
  const headers: Record<string, string | number> = { ...result.headers };
  if (result.status === 204 || result.status === 304) return { headers, body: Buffer.alloc(0) };
  if (result.body === undefined) return { headers: { ...headers, 'Content-Length': 0 }, body: Buffer.alloc(0) };
  const body = Buffer.from(JSON.stringify(result.body), 'utf8');
  headers['Content-Type'] = 'application/json';
  headers['Content-Length'] = body.length;
  return { headers, body };
}

/** A terminal fault rule that fired, with its id. */
interface FiredFault {
  id: string;
  rule: FaultRule;
}

/** Logs and counts a fault that fired (`status`: the status answered, if any). */
type FaultNote = (kind: FaultKind, id: string, status?: number) => void;

/**
 * What becomes of a request once its fault rules are applied: a fault answered or swallowed it, or it goes on to its
 * route, its answer then cut by a `truncate` fault when there is one.
 */
type FaultOutcome = { kind: 'answered' } | { kind: 'route'; truncate?: FiredFault };

const ANSWERED: FaultOutcome = { kind: 'answered' };
const ROUTE: FaultOutcome = { kind: 'route' };

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  if (host.includes(':') && !host.startsWith('[')) return `[${host}]`;
  return host;
}

class SimulatorServer implements Simulator {
  readonly state: SimulatorState;
  private readonly options: ResolvedOptions;
  private readonly tls: ServerTlsMaterial | undefined;
  private readonly server: http.Server;
  private readonly api = buildApiRouter();
  private readonly admin = buildAdminRouter();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly pushes: PushSender;
  private stopping: Promise<void> | undefined;
  private address: AddressInfo | undefined;

  constructor(options: ResolvedOptions, tls: ServerTlsMaterial | undefined) {
    this.options = options;
    this.tls = tls;
    this.state = new SimulatorState(options);
    this.pushes = new PushSender(this.state, options.push, tls?.ca.certPem);
    const listener = (req: http.IncomingMessage, res: http.ServerResponse): void => {
      this.onRequest(req, res).catch(() => {
        this.write(res, undefined, errorResult(Errors.internal()));
      });
    };
    if (tls) {
      this.server = https.createServer(
        {
          key: tls.server.key,
          cert: tls.server.cert,
          ...(options.requireClientCertificate
            ? { requestCert: true, rejectUnauthorized: true, ca: [tls.ca.certPem] }
            : {}),
        },
        listener,
      );
      this.server.on('secureConnection', (socket: Socket) => this.track(socket));
    } else {
      this.server = http.createServer(listener);
    }
    this.server.on('connection', (socket: Socket) => this.track(socket));
  }

  private track(socket: Socket): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError);
        this.address = this.server.address() as AddressInfo;
        this.pushes.start();
        resolve();
      });
    });
  }

  // ---- public surface ------------------------------------------------------------

  get host(): string {
    return this.options.host;
  }
  get port(): number {
    return this.address?.port ?? this.options.port;
  }
  get protocol(): 'https' | 'http' {
    return this.options.protocol;
  }
  get url(): string {
    return `${this.protocol}://${urlHost(this.host)}:${this.port}`;
  }
  get ca(): string {
    return this.tls?.ca.certPem ?? '';
  }
  get apps(): readonly SimulatorApp[] {
    return this.options.apps.map((a) => ({ ...a, ...(a.grants ? { grants: [...a.grants] } : {}) }));
  }

  stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = new Promise((resolve) => {
        this.pushes.stop();
        for (const timer of this.timers) clearTimeout(timer);
        this.timers.clear();
        this.server.close(() => resolve());
        for (const socket of this.sockets) socket.destroy();
        this.sockets.clear();
        this.server.closeAllConnections();
      });
    }
    return this.stopping;
  }

  stats(appId?: string): SimulatorStats {
    return this.state.stats(appId);
  }
  events(): SimulatorEvent[] {
    return this.state.events();
  }
  requests(): RecordedRequest[] {
    return this.state.requests();
  }
  clearRecords(): void {
    this.state.clearRecords();
  }
  loginFromElsewhere(appId: string): void {
    this.state.loginFromElsewhere(appId);
  }
  currentAccessToken(appId: string): string | undefined {
    return this.state.currentAccessToken(appId);
  }
  addFault(rule: FaultRule): string {
    return this.state.faults.add(rule);
  }
  removeFault(id: string): void {
    this.state.faults.remove(id);
  }
  clearFaults(): void {
    this.state.faults.clear();
  }
  setTokenLifetime(seconds: number): void {
    this.state.setTokenLifetime(seconds);
  }
  setDeviceOnline(deviceId: string, online: boolean): void {
    this.deviceSide(() => this.state.setDeviceOnline(deviceId, online));
  }
  reportDeviceData(deviceId: string, serviceId: string, data: Record<string, unknown>, options?: DeviceDataReportOptions): void {
    this.deviceSide(() => reportDeviceData(this.state, deviceId, serviceId, data, options));
  }
  reportDeviceDatas(deviceId: string, services: ServiceDataReport[]): void {
    this.deviceSide(() => reportDeviceDatas(this.state, deviceId, services));
  }
  acknowledgeCommand(commandId: string, status: CommandAcknowledgement, resultDetail?: unknown): void {
    this.deviceSide(() => acknowledgeCommand(this.state, commandId, status, resultDetail));
  }
  serviceInvocations(deviceId: string): ServiceInvocation[] {
    return this.deviceSide(() => deviceServiceInvocations(this.state, deviceId));
  }
  addUpgradePackage(pkg: UpgradePackageInput): string {
    return addUpgradePackage(this.state, pkg);
  }
  finishUpgrade(deviceId: string, operationId: string, result: 'success' | 'fail'): void {
    this.deviceSide(() => finishUpgrade(this.state, deviceId, operationId, result));
  }
  issueClientCertificate(commonName?: string): { cert: string; key: string } {
    if (!this.tls) throw new Error('client certificates need the https protocol');
    return issueClientCertificate(this.tls.ca, commonName);
  }
  issueServerCertificate(host = '127.0.0.1'): { cert: string; key: string } {
    if (!this.tls) throw new Error('server certificates need the https protocol');
    if (typeof host !== 'string' || host === '') throw new TypeError('host must be a non-empty string');
    return issueServerCertificate(this.tls.ca, host);
  }
  pushDeliveries(): PushDelivery[] {
    return this.state.pushDeliveries();
  }

  /** Prints the address and the apps (without secrets): never tokens, keys or the state behind them. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspectValue: typeof inspect): string {
    return inspectAddress('SimulatorServer', this, depth, options, inspectValue);
  }

  /** JSON shows what inspect shows: the address and the apps without their secrets. */
  toJSON(): ReturnType<typeof addressView> {
    return addressView(this);
  }

  /** A device-side call: first the devices whose registration ran out are deleted, as before every request. */
  private deviceSide<T>(call: () => T): T {
    this.state.expireDevices();
    return call();
  }

  // ---- request handling --------------------------------------------------------------

  private delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private write(res: http.ServerResponse, record: RecordedRequest | undefined, result: RouteResult): void {
    if (!canAnswer(res)) return;
    if (record) record.status = result.status;
    const { headers, body } = serialise(result);
    res.writeHead(result.status, headers);
    if (body.length === 0) res.end();
    else res.end(body);
  }

  /**
   * A `truncate` fault: the route's answer with its full Content-Length, of which only the first bytes are written
   * before the connection is destroyed.
   */
  private writeTruncated(
    res: http.ServerResponse,
    record: RecordedRequest | undefined,
    result: RouteResult,
    note: FaultNote,
    fault: FiredFault,
  ): void {
    note('truncate', fault.id, result.status);
    if (!canAnswer(res)) return;
    if (record) record.status = result.status;
    const { headers, body } = serialise(result);
    const socket = res.socket;
    res.writeHead(result.status, headers);
    res.write(body.subarray(0, truncatedLength(body.length, fault.rule.truncateAt)), () => socket?.destroy());
  }

  /** An `html` fault: an HTML error page, as a proxy in front of the platform would answer. */
  private writeHtml(res: http.ServerResponse, record: RecordedRequest | undefined, status: number): void {
    if (!canAnswer(res)) return;
    if (record) record.status = status;
    const body = Buffer.from(htmlErrorPage(status), 'utf8');
    res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length });
    res.end(body);
  }

  /**
   * An `oversize` fault: a JSON body of `sizeBytes` bytes, streamed chunk by chunk (waiting for 'drain' when the
   * client reads slowly), chunked unless `declareLength`. Stops writing when the client goes away or the simulator
   * stops.
   */
  private async writeOversize(
    res: http.ServerResponse,
    record: RecordedRequest | undefined,
    status: number,
    rule: FaultRule,
  ): Promise<void> {
    if (!canAnswer(res)) return;
    if (record) record.status = status;
    const size = rule.sizeBytes ?? DEFAULT_OVERSIZE_BYTES;
    const headers: Record<string, string | number> = { 'Content-Type': 'application/json' };
    if (rule.declareLength === true) headers['Content-Length'] = size;
    res.writeHead(status, headers);
    if (await writeChunks(res, oversizeChunks(size), () => this.stopping !== undefined)) res.end();
  }

  private context(
    req: http.IncomingMessage,
    method: string,
    path: string,
    query: Record<string, string>,
    rawBody: string,
    params: Record<string, string>,
  ): RequestContext {
    return { state: this.state, method, path, params, query, headers: req.headers, rawBody, ...bodyAccessors(rawBody) };
  }

  private async onRequest(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const { path, query } = splitTarget(req.url ?? '/');
    const isAdmin = path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
    const time = Date.now();
    const read = await readBody(req, MAX_BODY_BYTES);
    if (read.kind === 'aborted' || this.stopping) return;
    const record = isAdmin
      ? undefined
      : this.state.record({
          time,
          method,
          path,
          query,
          headers: flattenHeaders(req.headers),
          body: read.kind === 'ok' ? read.text : '',
          status: 0,
        });
    const send = (result: RouteResult): void => this.write(res, record, result);
    if (read.kind === 'too-large') {
      const result = errorResult(Errors.payloadTooLarge());
      send({ ...result, headers: { ...result.headers, Connection: 'close' } });
      return;
    }
    let respond = send;
    try {
      if (isAdmin) {
        send(await this.dispatch(this.admin, req, method, path, query, read.text));
        return;
      }
      const note = this.faultNote(req, method, path);
      const outcome = await this.applyFaults(req, res, record, note, method, path);
      if (outcome.kind === 'answered') return;
      const truncate = outcome.truncate;
      if (truncate) respond = (result) => this.writeTruncated(res, record, result, note, truncate);
      respond(await this.dispatch(this.api, req, method, path, query, read.text));
    } catch (err) {
      respond(errorResult(err instanceof ApiError ? err : Errors.internal()));
    }
  }

  /** Logs a fault as a `fault` event, counted for the app named by the request's app_key (if any). */
  private faultNote(req: http.IncomingMessage, method: string, path: string): FaultNote {
    return (kind, id, status) => {
      const app = this.state.app(headerValue(req.headers, 'app_key') ?? headerValue(req.headers, 'x-app-key'));
      this.state.count(app, 'faults');
      this.state.event({ type: 'fault', appId: app?.appId, method, path, status, detail: `${kind} (${id})` });
    };
  }

  /**
   * Applies matching fault rules: the latency rules' delay, then the terminal rule, if any. A `truncate` rule is
   * handed back to be applied to the route's answer; any other terminal rule answers (or swallows) the request here.
   */
  private async applyFaults(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: RecordedRequest | undefined,
    note: FaultNote,
    method: string,
    path: string,
  ): Promise<FaultOutcome> {
    const decision = this.state.faults.decide(method, path);
    if (decision.latencyIds.length === 0 && !decision.terminal) return ROUTE;
    for (const id of decision.latencyIds) note('latency', id);
    if (decision.latencyMs > 0) {
      await this.delay(decision.latencyMs);
      if (this.stopping) return ANSWERED;
    }
    const terminal = decision.terminal;
    if (!terminal) return ROUTE;
    if (terminal.rule.kind === 'truncate') return { kind: 'route', truncate: terminal };
    await this.answerWithFault(req, res, record, note, terminal);
    return ANSWERED;
  }

  /** Answers (or swallows) a request as a request-side terminal fault says. */
  private async answerWithFault(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    record: RecordedRequest | undefined,
    note: FaultNote,
    { id, rule }: FiredFault,
  ): Promise<void> {
    switch (rule.kind) {
      case 'status': {
        const status = rule.status ?? 500;
        note('status', id, status);
        this.write(res, record, withRetryAfter(errorResult(Errors.internal(status)), rule));
        return;
      }
      case 'throttle':
        note('throttle', id, 403);
        this.write(res, record, withRetryAfter(errorResult(Errors.throttled()), rule));
        return;
      case 'html': {
        const status = rule.status ?? DEFAULT_HTML_STATUS;
        note('html', id, status);
        this.writeHtml(res, record, status);
        return;
      }
      case 'oversize': {
        const status = rule.status ?? DEFAULT_OVERSIZE_STATUS;
        note('oversize', id, status);
        await this.writeOversize(res, record, status, rule);
        return;
      }
      case 'reset':
        note('reset', id);
        req.socket.destroy();
        return;
      case 'hang':
        // Never answered; stop() still closes the connection.
        note('hang', id);
        return;
      default:
        return;
    }
  }

  private async dispatch(
    router: Router,
    req: http.IncomingMessage,
    method: string,
    path: string,
    query: Record<string, string>,
    rawBody: string,
  ): Promise<RouteResult> {
    const match = router.match(method, path);
    if (match.kind === 'none') return errorResult(Errors.notFound());
    if (match.kind === 'wrong-method') return errorResult(Errors.methodNotAllowed(match.allow));
    // Registrations that ran out are enforced lazily: such devices are gone before any route sees the state.
    this.state.expireDevices();
    const ctx = this.context(req, method, path, query, rawBody, match.params);
    if (match.route.auth === 'none') {
      try {
        return await match.route.handler(ctx);
      } catch (err) {
        if (err instanceof ApiError) return errorResult(err);
        throw err;
      }
    }
    return this.businessCall(match.route, ctx);
  }

  /** app_key, token, throttle and `?appId=` checks, then the handler. */
  private async businessCall(route: Extract<Route, { auth: 'app' }>, ctx: RequestContext): Promise<RouteResult> {
    const { state } = this;
    const { method, path } = ctx;
    const appKey = headerValue(ctx.headers, 'app_key') ?? headerValue(ctx.headers, 'x-app-key');
    const reject = (app: AppState | undefined, detail: string, error: ApiError): RouteResult => {
      state.count(app, 'rejectedTokens');
      state.event({ type: 'token-rejected', appId: app?.appId, method, path, status: error.status, detail });
      return errorResult(error);
    };
    if (appKey === undefined) return reject(undefined, 'missing app_key header', Errors.appKeyMissing());
    const caller = state.app(appKey);
    if (!caller) return reject(undefined, 'unknown app_key', Errors.invalidAccessToken());
    const check = state.checkAccessToken(caller, bearerToken(ctx.headers));
    if (!check.ok) return reject(caller, check.reason, Errors.invalidAccessToken());
    if (!state.admitCall(caller)) {
      state.count(caller, 'throttled');
      state.event({ type: 'throttled', appId: caller.appId, method, path, status: 403 });
      return errorResult(Errors.throttled());
    }
    state.count(caller, 'calls');
    let result: RouteResult;
    try {
      const target = this.state.authorisedApp(caller, ctx.query[route.appParam]);
      result = await route.handler({ ...ctx, caller, target });
    } catch (err) {
      result = errorResult(err instanceof ApiError ? err : Errors.internal());
    }
    state.event({ type: 'call', appId: caller.appId, method, path, status: result.status });
    return result;
  }
}

/** Starts a simulator and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const resolved = resolveOptions(options);
  for (const rule of options.faults ?? []) validateFaultRule(rule);
  const tls = resolved.protocol === 'https' ? await createServerTls(resolved.host) : undefined;
  const simulator = new SimulatorServer(resolved, tls);
  for (const rule of options.faults ?? []) simulator.addFault(rule);
  await simulator.listen();
  return simulator;
}
