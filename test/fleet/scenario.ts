/**
 * A fleet run: several processes of one application (test/fleet/child.ts), each with its own refresh timer and
 * null-token callers, against one simulator, with or without a shared Redis token store. Counts token cycles (logins
 * and refreshes) at the simulator, every failed call, and each instance's fleet role over time. Actions (kill the
 * leader, stop Redis) can be scheduled during the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Authentication, DeviceManagement, createNorthApiContainer } from '../../src/index.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { keepChildOutput } from '../helpers/run-node.js';
import { randomNodeId, sleep, waitUntil } from '../helpers/sdk.js';
import type { ChildMessage, ChildSettings } from './protocol.js';

const CHILD = fileURLToPath(new URL('./child.js', import.meta.url));

export interface FleetInstance {
  readonly index: number;
  readonly process: ChildProcess;
  role: string;
  storeConnected: boolean;
  killed: boolean;
  done: Extract<ChildMessage, { type: 'done' }> | undefined;
}

export interface FleetAction {
  /** Time after the callers started. */
  atMs: number;
  /** What it does, for the printed timeline. */
  what: string;
  act(run: FleetRunControl): void | Promise<void>;
}

export interface FleetRunControl {
  readonly instances: readonly FleetInstance[];
  /** The instance that reports itself leader, if exactly one does. */
  leader(): FleetInstance | undefined;
  kill(instance: FleetInstance): void;
  /** Milliseconds since the callers started. */
  elapsed(): number;
}

export interface FleetRunOptions {
  processes: number;
  callersPerProcess: number;
  durationMs: number;
  tokenLifetimeSeconds: number;
  /** The shared store; without it every instance refreshes on its own. */
  redisUrl?: string;
  leaseTtlMs?: number;
  connectTimeoutMs?: number;
  /** Pause between two calls of one caller. Default 25 ms. */
  intervalMs?: number;
  actions?: FleetAction[];
}

export interface FleetFailure {
  instance: number;
  /** Milliseconds since the callers started. */
  at: number;
  code: string;
  status: number;
}

export interface FleetRunResult {
  processes: number;
  callersPerProcess: number;
  durationMs: number;
  withStore: boolean;
  /** Logins and refreshes the simulator granted while the callers ran. */
  tokenCycles: number;
  logins: number;
  refreshes: number;
  /** Calls the simulator refused for an invalid token (replays may have recovered them). */
  rejectedTokens: number;
  /** Calls made by the instances that finished. */
  calls: number;
  failures: FleetFailure[];
  killed: number[];
  /** Role changes: [ms since start, instance, role]. */
  roles: Array<[number, number, string]>;
  /** Roles reported last, per instance (killed ones included). */
  finalRoles: string[];
  /** Token cycles granted, sampled every 250 ms: [ms since start, cumulative cycles]. */
  cycleSamples: Array<[number, number]>;
  /** What the actions did and when: [ms since start, what]. */
  timeline: Array<[number, string]>;
  /** Every line the instances logged, as `#<instance> <level> <message>`. */
  logs: string[];
}

async function registerDevice(sim: Simulator): Promise<string> {
  const app = sim.apps[0]!;
  const container = createNorthApiContainer({ clientInfo: { platformIp: sim.host, platformPort: sim.port, appId: app.appId, secret: app.secret }, ssl: { ca: sim.ca }, logger: {} });
  const { accessToken } = await container.resolve(Authentication).getAuthToken();
  const { deviceId } = await container.resolve(DeviceManagement).regDirectDevice({ nodeId: randomNodeId() }, null, accessToken);
  sim.setDeviceOnline(deviceId, true);
  return deviceId;
}

export async function runFleet(options: FleetRunOptions): Promise<FleetRunResult> {
  const sim = await startSimulator({ tokenLifetimeSeconds: options.tokenLifetimeSeconds, maxRecordedRequests: 1_000 });
  const instances: FleetInstance[] = [];
  const logs: string[] = [];
  const roles: Array<[number, number, string]> = [];
  const timeline: Array<[number, string]> = [];
  let startedAt = 0;
  const elapsed = (): number => (startedAt === 0 ? 0 : Date.now() - startedAt);
  try {
    const app = sim.apps[0]!;
    const deviceId = await registerDevice(sim);
    const settings: ChildSettings = {
      host: sim.host,
      port: sim.port,
      ca: sim.ca,
      appId: app.appId,
      secret: app.secret,
      deviceId,
      redisUrl: options.redisUrl,
      leaseTtlMs: options.leaseTtlMs,
      connectTimeoutMs: options.connectTimeoutMs,
      callers: options.callersPerProcess,
      intervalMs: options.intervalMs ?? 25,
      reportEveryMs: 100,
    };
    let ready = 0;
    for (let index = 0; index < options.processes; index += 1) {
      const child = spawn(process.execPath, [CHILD], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env: { ...process.env, OC_FLEET_CHILD: JSON.stringify(settings) } });
      const instance: FleetInstance = { index, process: child, role: 'starting', storeConnected: false, killed: false, done: undefined };
      let output = '';
      child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.on('close', () => keepChildOutput(`fleet instance ${index}`, output + logs.filter((l) => l.startsWith(`#${index} `)).join('\n')));
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') ready += 1;
        else if (message.type === 'log') logs.push(`#${index} ${message.level} ${message.message}`);
        else if (message.type === 'done') instance.done = message;
        else if (message.type === 'status') {
          instance.storeConnected = message.storeConnected;
          if (message.role !== instance.role) {
            instance.role = message.role;
            roles.push([elapsed(), index, message.role]);
          }
        }
      });
      instances.push(instance);
      // Started one after another, as instances behind a load balancer come up.
      await waitUntil(() => ready > index || child.exitCode !== null, 20_000, `instance ${index} to start`);
      if (child.exitCode !== null) throw new Error(`fleet instance ${index} exited at start: ${logs.join('\n')}`);
    }

    const control: FleetRunControl = {
      instances,
      leader: () => {
        const leaders = instances.filter((i) => !i.killed && i.role === 'leader');
        return leaders.length === 1 ? leaders[0] : undefined;
      },
      kill: (instance) => {
        instance.killed = true;
        instance.process.kill('SIGKILL');
      },
      elapsed,
    };

    // Token cycles count from here: every instance holds its first token.
    const before = sim.stats(app.appId);
    const cycleSamples: Array<[number, number]> = [];
    startedAt = Date.now();
    for (const instance of instances) instance.process.send({ type: 'go', durationMs: options.durationMs });
    const sampler = setInterval(() => {
      const now = sim.stats(app.appId);
      cycleSamples.push([elapsed(), now.logins + now.refreshes - before.logins - before.refreshes]);
    }, 250);
    const acting = (async () => {
      for (const action of [...(options.actions ?? [])].sort((a, b) => a.atMs - b.atMs)) {
        await sleep(Math.max(0, action.atMs - elapsed()));
        timeline.push([elapsed(), action.what]);
        await action.act(control);
      }
    })();
    try {
      await waitUntil(() => instances.every((i) => i.killed || i.done !== undefined), options.durationMs + 30_000, 'the callers to finish');
      await acting;
    } finally {
      clearInterval(sampler);
    }
    const after = sim.stats(app.appId);

    const failures: FleetFailure[] = [];
    let calls = 0;
    for (const instance of instances) {
      if (!instance.done) continue;
      calls += instance.done.calls;
      for (const f of instance.done.failures) failures.push({ instance: instance.index, at: f.at - startedAt, code: f.code, status: f.status });
    }
    return {
      processes: options.processes,
      callersPerProcess: options.callersPerProcess,
      durationMs: options.durationMs,
      withStore: options.redisUrl !== undefined,
      tokenCycles: after.logins + after.refreshes - before.logins - before.refreshes,
      logins: after.logins - before.logins,
      refreshes: after.refreshes - before.refreshes,
      rejectedTokens: after.rejectedTokens - before.rejectedTokens,
      calls,
      failures,
      killed: instances.filter((i) => i.killed).map((i) => i.index),
      roles,
      finalRoles: instances.map((i) => (i.killed ? 'killed' : i.role)),
      cycleSamples,
      timeline,
      logs,
    };
  } finally {
    await Promise.all(instances.map((instance) => stopInstance(instance)));
    await sim.stop();
  }
}

async function stopInstance(instance: FleetInstance): Promise<void> {
  const child = instance.process;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (child.connected) child.send({ type: 'stop' });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Cycles granted between two moments of a run (from its samples). */
export function cyclesBetween(result: FleetRunResult, fromMs: number, toMs: number): number {
  const at = (ms: number): number => {
    let value = 0;
    for (const [t, cycles] of result.cycleSamples) if (t <= ms) value = cycles;
    return value;
  };
  return at(toMs) - at(fromMs);
}

/** One line per run: what the README and the test output show. */
export function describeRun(label: string, result: FleetRunResult): string {
  const failed = result.failures.length;
  const byCode = new Map<string, number>();
  for (const f of result.failures) byCode.set(f.code, (byCode.get(f.code) ?? 0) + 1);
  const codes = [...byCode].map(([code, n]) => `${n} x ${code}`).join(', ');
  return (
    `${label}: ${result.processes} process(es) x ${result.callersPerProcess} callers, ${result.durationMs / 1000} s: ` +
    `${result.tokenCycles} token cycles (${result.logins} logins, ${result.refreshes} refreshes), ` +
    `${result.calls} calls, ${failed} failed${failed > 0 ? ` (${codes})` : ''}, ${result.rejectedTokens} token rejections at the platform`
  );
}

/** Must-show 1 of fleet mode: the same load on one process, on three sharing a store, and on three without one. */
export interface FleetComparison {
  single: FleetRunResult;
  withStore: FleetRunResult;
  withoutStore: FleetRunResult;
}

export const COMPARISON = { processes: 3, callersPerProcess: 10, durationMs: 12_000, tokenLifetimeSeconds: 2, leaseTtlMs: 1_000, connectTimeoutMs: 500 } as const;

export async function compareFleet(redisUrl: string, progress: (line: string) => void = () => undefined): Promise<FleetComparison> {
  const { processes, callersPerProcess, durationMs, tokenLifetimeSeconds, leaseTtlMs, connectTimeoutMs } = COMPARISON;
  const base = { callersPerProcess, durationMs, tokenLifetimeSeconds };
  const single = await runFleet({ ...base, processes: 1 });
  progress(describeRun('one process', single));
  const withStore = await runFleet({ ...base, processes, redisUrl, leaseTtlMs, connectTimeoutMs });
  progress(describeRun('with the store', withStore));
  const withoutStore = await runFleet({ ...base, processes });
  progress(describeRun('without a store', withoutStore));
  return { single, withStore, withoutStore };
}

/** The figures of a comparison as a Markdown table (README, "Running several instances"). */
export function comparisonTable(c: FleetComparison): string {
  const row = (label: string, r: FleetRunResult): string =>
    `| ${label} | ${r.processes} x ${r.callersPerProcess} | ${r.tokenCycles} | ${r.calls.toLocaleString('en-US')} | ${r.failures.length} | ${r.rejectedTokens.toLocaleString('en-US')} |`;
  return [
    '| Run | Processes x callers | Token cycles | Calls | Failed calls | Token rejections |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    row('One process (no store)', c.single),
    row('Three processes, one Redis', c.withStore),
    row('Three processes, no store', c.withoutStore),
  ].join('\n');
}
