/**
 * Runs a simulator in a child Node process and drives it through the admin
 * API. The child stops when its stdin is closed, so it also goes away when
 * this process dies.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect, type InspectOptionsStylized } from 'node:util';
import { ADMIN_PREFIX, faultRuleToWire } from './routes/admin.js';
import type {
  CommandAcknowledgement,
  DeviceDataReportOptions,
  FaultRule,
  PushDelivery,
  RecordedRequest,
  RemoteSimulator,
  ServiceDataReport,
  SimulatorApp,
  SimulatorEvent,
  SimulatorOptions,
  SimulatorStats,
  ServiceInvocation,
  UpgradePackageInput,
} from './types.js';
import { addressView, inspectAddress } from './util.js';

const STARTUP_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const STDERR_KEEP = 8_192;

interface StartupLine {
  url: string;
  host: string;
  port: number;
  protocol?: 'https' | 'http';
  caFile: string | null;
  ca: string;
  apps: SimulatorApp[];
}

/**
 * Command-line arguments for the child, built from the options. Every value travels as `--flag=value`, so that a
 * value starting with `--` (an appId or secret, say) is not taken for a flag.
 */
export function childArgs(options: SimulatorOptions, caFile: string): string[] {
  if (options.requireClientCertificate) {
    throw new TypeError('startSimulatorProcess does not support requireClientCertificate');
  }
  if (options.push?.ca !== undefined) throw new TypeError('startSimulatorProcess does not support push.ca');
  const flag = (name: string, value: string | number): string => `--${name}=${value}`;
  const args = ['--json', flag('port', options.port ?? 0), flag('ca-file', caFile)];
  if (options.host !== undefined) args.push(flag('host', options.host));
  if (options.protocol === 'http') args.push('--http');
  if (options.tokenLifetimeSeconds !== undefined) args.push(flag('token-lifetime', options.tokenLifetimeSeconds));
  if (options.refreshTokenLifetimeSeconds !== undefined) args.push(flag('refresh-token-lifetime', options.refreshTokenLifetimeSeconds));
  if (options.maxRecordedRequests !== undefined) args.push(flag('max-recorded-requests', options.maxRecordedRequests));
  if (options.throttle) args.push(flag('throttle', `${options.throttle.limit}/${options.throttle.windowMs}`));
  const push = options.push ?? {};
  if (push.retries !== undefined) args.push(flag('push-retries', push.retries));
  if (push.backoffMs !== undefined) args.push(flag('push-backoff-ms', push.backoffMs));
  if (push.timeoutMs !== undefined) args.push(flag('push-timeout-ms', push.timeoutMs));
  for (const app of options.apps ?? []) {
    args.push(flag('app-id', app.appId), flag('secret', app.secret));
  }
  for (const app of options.apps ?? []) {
    for (const grantee of app.grants ?? []) args.push(flag('grant', `${app.appId}:${grantee}`));
  }
  return args;
}

function connectHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '::1';
  return host.replace(/^\[|\]$/g, '');
}

/** Waits for the first stdout line of the child. */
function firstLine(child: ChildProcessWithoutNullStreams, stderrTail: () => string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) {
        cleanup();
        resolve(buffer.slice(0, nl));
      }
    };
    const onExit = (code: number | null, signal: string | null): void => {
      cleanup();
      reject(new Error(`simulator process exited before starting (code ${code}, signal ${signal}): ${stderrTail()}`));
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`simulator process did not start within ${STARTUP_TIMEOUT_MS} ms: ${stderrTail()}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

class RemoteSimulatorClient implements RemoteSimulator {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly protocol: 'https' | 'http';
  readonly ca: string;
  readonly apps: readonly SimulatorApp[];
  readonly pid: number;
  private readonly agent: http.Agent;
  private readonly connectTo: string;
  private stopping: Promise<void> | undefined;

  constructor(
    info: StartupLine,
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly exited: Promise<void>,
    private readonly tempDir: string,
  ) {
    this.url = info.url;
    this.host = info.host;
    this.port = info.port;
    this.protocol = info.protocol ?? (info.url.startsWith('http:') ? 'http' : 'https');
    this.ca = info.ca;
    this.apps = info.apps;
    this.pid = child.pid ?? -1;
    this.connectTo = connectHost(info.host);
    this.agent =
      this.protocol === 'https'
        ? new https.Agent({ ca: info.ca, keepAlive: true, maxSockets: 4 })
        : new http.Agent({ keepAlive: true, maxSockets: 4 });
  }

  private call<T>(method: string, path: string, body?: unknown): Promise<T> {
    if (this.stopping) return Promise.reject(new Error('the simulator process has been stopped'));
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const transport = this.protocol === 'https' ? https : http;
    return new Promise<T>((resolve, reject) => {
      const req = transport.request(
        {
          host: this.connectTo,
          port: this.port,
          method,
          path: `${ADMIN_PREFIX}${path}`,
          agent: this.agent,
          headers: payload === undefined
            ? {}
            : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) {
              reject(new Error(`simulator admin ${method} ${path} answered ${status}: ${text}`));
              return;
            }
            try {
              resolve((text === '' ? undefined : JSON.parse(text)) as T);
            } catch (err) {
              reject(err);
            }
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  stats(appId?: string): Promise<SimulatorStats> {
    const q = appId === undefined ? '' : `?appId=${encodeURIComponent(appId)}`;
    return this.call('GET', `/stats${q}`);
  }
  events(): Promise<SimulatorEvent[]> {
    return this.call('GET', '/events');
  }
  requests(): Promise<RecordedRequest[]> {
    return this.call('GET', '/requests');
  }
  pushDeliveries(): Promise<PushDelivery[]> {
    return this.call('GET', '/pushes');
  }
  async clearRecords(): Promise<void> {
    await this.call('POST', '/clear');
  }
  async loginFromElsewhere(appId: string): Promise<void> {
    await this.call('POST', '/login-elsewhere', { appId });
  }
  async addFault(rule: FaultRule): Promise<string> {
    const { id } = await this.call<{ id: string }>('POST', '/faults', faultRuleToWire(rule));
    return id;
  }
  async removeFault(id: string): Promise<void> {
    await this.call('DELETE', `/faults/${encodeURIComponent(id)}`);
  }
  async clearFaults(): Promise<void> {
    await this.call('DELETE', '/faults');
  }
  async setTokenLifetime(seconds: number): Promise<void> {
    await this.call('POST', '/token-lifetime', { seconds });
  }
  async setDeviceOnline(deviceId: string, online: boolean): Promise<void> {
    await this.call('POST', `/devices/${encodeURIComponent(deviceId)}/online`, { online });
  }
  async reportDeviceData(deviceId: string, serviceId: string, data: Record<string, unknown>, options: DeviceDataReportOptions = {}): Promise<void> {
    await this.call('POST', `/devices/${encodeURIComponent(deviceId)}/data`, { serviceId, data, ...options });
  }
  async reportDeviceDatas(deviceId: string, services: ServiceDataReport[]): Promise<void> {
    await this.call('POST', `/devices/${encodeURIComponent(deviceId)}/datas`, { services });
  }
  async acknowledgeCommand(commandId: string, status: CommandAcknowledgement, resultDetail?: unknown): Promise<void> {
    await this.call('POST', `/commands/${encodeURIComponent(commandId)}/acknowledge`, { status, resultDetail });
  }
  serviceInvocations(deviceId: string): Promise<ServiceInvocation[]> {
    return this.call('GET', `/devices/${encodeURIComponent(deviceId)}/service-invocations`);
  }
  async addUpgradePackage(pkg: UpgradePackageInput): Promise<string> {
    const { fileId } = await this.call<{ fileId: string }>('POST', '/packages', pkg);
    return fileId;
  }
  async finishUpgrade(deviceId: string, operationId: string, result: 'success' | 'fail'): Promise<void> {
    await this.call('POST', `/devices/${encodeURIComponent(deviceId)}/upgrades/${encodeURIComponent(operationId)}`, { result });
  }

  stop(): Promise<void> {
    if (!this.stopping) this.stopping = this.shutdown();
    return this.stopping;
  }

  /** Prints the address and the apps (without secrets): never the child process, whose arguments hold the secrets. */
  [inspect.custom](depth: number, options: InspectOptionsStylized, inspectValue: typeof inspect): string {
    return inspectAddress('RemoteSimulatorClient', this, depth, options, inspectValue);
  }

  /** JSON shows what inspect shows: the address and the apps without their secrets. */
  toJSON(): ReturnType<typeof addressView> {
    return addressView(this);
  }

  private async shutdown(): Promise<void> {
    this.agent.destroy();
    const running = this.child.exitCode === null && this.child.signalCode === null;
    if (running) {
      this.child.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        this.exited.then(() => false),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(true), STOP_GRACE_MS);
        }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        this.child.kill('SIGKILL');
        await this.exited;
      }
    }
    await rm(this.tempDir, { recursive: true, force: true });
  }
}

/**
 * Starts a simulator in a child process (`node standalone-main.js --json ...`)
 * and returns a handle that talks to it over its admin API. Supported options:
 * host, port, protocol, tokenLifetimeSeconds, refreshTokenLifetimeSeconds,
 * apps (with grants), throttle, maxRecordedRequests, push (without `ca`),
 * faults (added after start).
 */
export async function startSimulatorProcess(options: SimulatorOptions = {}): Promise<RemoteSimulator> {
  const tempDir = await mkdtemp(join(tmpdir(), 'oc-simulator-'));
  let child: ChildProcessWithoutNullStreams | undefined;
  try {
    const args = childArgs(options, join(tempDir, 'ca.pem'));
    const script = fileURLToPath(new URL('./standalone-main.js', import.meta.url));
    child = spawn(process.execPath, [script, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const proc = child;
    const exited = new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve();
      else proc.once('exit', () => resolve());
    });
    let stderr = '';
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    // The parent may die without closing stdin cleanly; a write error must not crash it.
    proc.stdin.on('error', () => {});
    const line = await firstLine(proc, () => stderr.trim());
    proc.stdout.resume();
    const info = JSON.parse(line) as StartupLine;
    const remote = new RemoteSimulatorClient(info, proc, exited, tempDir);
    try {
      for (const rule of options.faults ?? []) await remote.addFault(rule);
    } catch (err) {
      await remote.stop();
      throw err;
    }
    return remote;
  } catch (err) {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(tempDir, { recursive: true, force: true });
    throw err;
  }
}
