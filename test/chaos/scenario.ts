/**
 * The chaos run: many null-token callers against a simulator with short tokens while latency, 5xx answers on the
 * refresh endpoint and on business calls, connection resets and logins from elsewhere are injected at random. Every
 * failed call is sorted by its cause; a failure no injected fault explains is a failure of the SDK itself.
 */
import { performance } from 'node:perf_hooks';
import { DataCollection, NorthApiException, SignalDelivery } from '../../src/index.js';
import { startSimulator, type FaultRule, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor, sleep } from '../helpers/sdk.js';
import { seededRandom } from '../helpers/seeded-random.js';

export interface ChaosOptions {
  durationMs: number;
  callers: number;
  tokenLifetimeSeconds: number;
  /** Seed of the callers' choices (call kind, pauses) and of the foreign logins' timing. */
  seed?: number;
  /** Progress lines go here (never a token). */
  progress?: (line: string) => void;
}

/** Faults injected at random, by what they are called in the report. */
export const CHAOS_FAULTS: ReadonlyArray<{ label: string; rule: FaultRule }> = [
  { label: 'latency 50 ms (30 % of requests)', rule: { kind: 'latency', latencyMs: 50, probability: 0.3 } },
  { label: 'latency 300 ms (5 % of requests)', rule: { kind: 'latency', latencyMs: 300, probability: 0.05 } },
  { label: 'refresh endpoint 503 (40 % of refreshes)', rule: { kind: 'status', status: 503, method: 'POST', path: '/iocm/app/sec/v1.1.0/refreshToken', probability: 0.4 } },
  { label: 'business call 503 (3 %)', rule: { kind: 'status', status: 503, path: /^\/iocm\/app\/(?!sec\/)/, probability: 0.03 } },
  { label: 'connection reset (2 % of business calls)', rule: { kind: 'reset', path: /^\/iocm\/app\/(?!sec\/)/, probability: 0.02 } },
];

/** The calls the callers make, with their share: reads, idempotent writes, and commands (POST, never repeated). */
const CALL_KINDS = [
  { name: 'GET querySingleDeviceInfo', share: 0.6 },
  { name: 'PUT modifyDeviceInfo', share: 0.2 },
  { name: 'POST postDeviceCommand', share: 0.2 },
] as const;

export interface ChaosReport {
  /** How long the callers were to run. */
  durationMs: number;
  /** How long they took (the last calls end after the duration). */
  elapsedMs: number;
  callers: number;
  tokenLifetimeSeconds: number;
  seed: number;
  /** Times each injected fault fired at the simulator, and the logins made from elsewhere. */
  injected: Record<string, number>;
  calls: { total: number; succeeded: number; failed: number; byKind: Record<string, { total: number; failed: number }> };
  /** Failed calls by cause. */
  failures: Record<string, number>;
  /** Failed calls that no injected fault explains (token lifecycle, SDK errors): must be 0. */
  unexplained: number;
  /** Up to 10 descriptions of unexplained failures. */
  unexplainedSamples: string[];
  unhandledRejections: number;
  /** The slowest call, ms; the longest any call may take is bounded by the HTTP timeout and the retries. */
  slowestCallMs: number;
  medianCallMs: number;
  platform: { logins: number; refreshes: number; rejectedTokens: number; businessCalls: number; faults: number };
  sdk: { tokenRefreshed: number; refreshFailed: number };
}

interface CallRecord {
  kind: string;
  /** Date.now() at the start and the end: the clock of the simulator's event log. */
  start: number;
  end: number;
  error?: unknown;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const seed = options.seed ?? 20261127;
  const random = seededRandom(seed);
  const progress = options.progress ?? (() => undefined);
  let unhandledRejections = 0;
  const onUnhandled = (): void => {
    unhandledRejections += 1;
  };
  process.on('unhandledRejection', onUnhandled);
  const sim = await startSimulator({ tokenLifetimeSeconds: options.tokenLifetimeSeconds, maxRecordedRequests: 200_000 });
  const app = sim.apps[0]!;
  const sdk = sdkFor(sim, app, { logger: {} });
  const data = sdk.container.resolve(DataCollection);
  const commands = sdk.container.resolve(SignalDelivery);
  const refreshed = { tokenRefreshed: 0, refreshFailed: 0 };
  sdk.auth.on('tokenRefreshed', () => (refreshed.tokenRefreshed += 1));
  sdk.auth.on('refreshFailed', () => (refreshed.refreshFailed += 1));
  try {
    await sdk.auth.startRefreshTokenTimer();
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    sim.setDeviceOnline(deviceId, true);
    sim.clearRecords();
    const ruleLabels = new Map<string, string>();
    for (const { label, rule } of CHAOS_FAULTS) ruleLabels.set(sim.addFault(rule), label);
    progress(`chaos: ${options.callers} null-token callers for ${options.durationMs / 1000} s, ${options.tokenLifetimeSeconds} s tokens, seed ${seed}`);

    const started = performance.now();
    const until = started + options.durationMs;
    const foreignLogins: number[] = [];
    const foreign = (async () => {
      for (;;) {
        const wait = 1_500 + random() * 3_500;
        if (performance.now() + wait >= until) return;
        await sleep(wait);
        foreignLogins.push(Date.now());
        sim.loginFromElsewhere(app.appId);
      }
    })();

    const records: CallRecord[] = [];
    const call = (kind: string): Promise<unknown> => {
      if (kind.startsWith('GET')) return data.querySingleDeviceInfo(deviceId, undefined, null, null);
      if (kind.startsWith('PUT')) return sdk.devices.modifyDeviceInfo({ name: `chaos-${Math.floor(random() * 1000)}` }, deviceId, null, null);
      return commands.postDeviceCommand({ deviceId, command: { serviceId: 'Chaos', method: 'PING', paras: { n: 1 } }, expireTime: 0 }, null, null);
    };
    const caller = async (): Promise<void> => {
      while (performance.now() < until) {
        const pick = random();
        const kind = pick < CALL_KINDS[0].share ? CALL_KINDS[0].name : pick < CALL_KINDS[0].share + CALL_KINDS[1].share ? CALL_KINDS[1].name : CALL_KINDS[2].name;
        const record: CallRecord = { kind, start: Date.now(), end: 0 };
        try {
          await call(kind);
        } catch (error) {
          record.error = error;
        }
        record.end = Date.now();
        records.push(record);
        await sleep(50 + random() * 150);
      }
    };
    await Promise.all([...Array.from({ length: options.callers }, caller), foreign]);
    const elapsed = performance.now() - started;
    sim.clearFaults();
    return report({ options, seed, sim, records, foreignLogins, ruleLabels, refreshed, unhandledRejections, elapsed });
  } finally {
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
    await sim.stop();
    process.off('unhandledRejection', onUnhandled);
  }
}

/** When the faults on business calls fired (Date.now() of the simulator's event), in order. */
export type FaultTimes = Record<'status' | 'reset', number[]>;

/** Whether one of `times` (sorted) lies within [start, end], a millisecond of slack either side. */
function within(times: readonly number[], start: number, end: number): boolean {
  return times.some((t) => t >= start - 1 && t <= end + 1);
}

/**
 * The cause of a failed call, when an injected fault explains it; undefined otherwise. A fault explains a failure
 * only if it fired while the call ran:
 * - a 503 surfaced on a POST (never repeated) or still there after the retries of a GET or PUT;
 * - a connection reset likewise (the reset fault closes the connection before an answer begins: 1003);
 * - a 1010005 after both replays, when logins from elsewhere voided the token twice while the call ran.
 */
export function injectedCause(error: unknown, start: number, end: number, faults: FaultTimes, foreignLogins: readonly number[]): string | undefined {
  if (!(error instanceof NorthApiException)) return undefined;
  if (error.errorCode === '50252' && error.httpStatusCode === 503 && within(faults.status, start, end)) {
    return 'injected 503 (surfaced on a POST, or still there after the retries)';
  }
  if (error.errorCode === '1003' && /ECONNRESET|socket hang up/.test(error.message) && within(faults.reset, start, end)) {
    return 'injected connection reset (surfaced on a POST, or still there after the retries)';
  }
  if (error.errorCode === '1010005' && foreignLogins.filter((t) => t >= start && t <= end).length >= 2) return 'two logins from elsewhere during one call';
  return undefined;
}

function report(input: {
  options: ChaosOptions;
  seed: number;
  sim: Simulator;
  records: CallRecord[];
  foreignLogins: number[];
  ruleLabels: Map<string, string>;
  refreshed: { tokenRefreshed: number; refreshFailed: number };
  unhandledRejections: number;
  elapsed: number;
}): ChaosReport {
  const { sim, records, foreignLogins } = input;
  const injected: Record<string, number> = {};
  for (const label of input.ruleLabels.values()) injected[label] = 0;
  const faults: FaultTimes = { status: [], reset: [] };
  for (const event of sim.events()) {
    if (event.type !== 'fault') continue;
    const match = /^(\w+) \((fault-\d+)\)/.exec(event.detail ?? '');
    const label = match ? input.ruleLabels.get(match[2]!) : undefined;
    if (label !== undefined) injected[label] = (injected[label] ?? 0) + 1;
    // Only the faults on business calls can fail a call: a refresh 503 is the refresher's to ride out.
    if (label?.startsWith('business call 503')) faults.status.push(event.time);
    if (label?.startsWith('connection reset')) faults.reset.push(event.time);
  }
  injected['login from elsewhere (every 1.5 to 5 s)'] = foreignLogins.length;

  const failures: Record<string, number> = {};
  const byKind: Record<string, { total: number; failed: number }> = {};
  const unexplainedSamples: string[] = [];
  let unexplained = 0;
  for (const record of records) {
    const kind = (byKind[record.kind] ??= { total: 0, failed: 0 });
    kind.total += 1;
    if (record.error === undefined) continue;
    kind.failed += 1;
    const cause = injectedCause(record.error, record.start, record.end, faults, foreignLogins);
    if (cause === undefined) {
      unexplained += 1;
      if (unexplainedSamples.length < 10) unexplainedSamples.push(`${record.kind}: ${String(record.error)}`);
      const key = `unexplained: ${record.error instanceof NorthApiException ? record.error.errorCode : 'not a NorthApiException'}`;
      failures[key] = (failures[key] ?? 0) + 1;
    } else {
      failures[cause] = (failures[cause] ?? 0) + 1;
    }
  }
  const durations = records.map((r) => r.end - r.start).sort((a, b) => a - b);
  const failed = records.filter((r) => r.error !== undefined).length;
  const stats = sim.stats();
  return {
    durationMs: input.options.durationMs,
    elapsedMs: Math.round(input.elapsed),
    callers: input.options.callers,
    tokenLifetimeSeconds: input.options.tokenLifetimeSeconds,
    seed: input.seed,
    injected,
    calls: { total: records.length, succeeded: records.length - failed, failed, byKind },
    failures,
    unexplained,
    unexplainedSamples,
    unhandledRejections: input.unhandledRejections,
    slowestCallMs: Math.round(durations.at(-1) ?? 0),
    medianCallMs: Math.round(durations[Math.floor(durations.length / 2)] ?? 0),
    platform: {
      logins: stats.logins,
      refreshes: stats.refreshes,
      rejectedTokens: stats.rejectedTokens,
      businessCalls: stats.calls,
      faults: stats.faults,
    },
    sdk: input.refreshed,
  };
}
