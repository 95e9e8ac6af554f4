import { randomBytes } from 'node:crypto';
import { Authentication, createNorthApiContainer, DeviceManagement, NorthApiClient, type NorthApiClientOptions, type NorthApiLogger } from '../../src/index.js';
import type { SimulatorAddress, SimulatorApp } from '../../src/simulator/index.js';

export function sdkFor(sim: SimulatorAddress, app: SimulatorApp = sim.apps[0]!, extra: Omit<NorthApiClientOptions, 'clientInfo' | 'ssl'> = {}) {
  const container = createNorthApiContainer({
    clientInfo: { platformIp: sim.host, platformPort: sim.port, appId: app.appId, secret: app.secret },
    ssl: { ca: sim.ca },
    ...extra,
  });
  return {
    container,
    client: container.resolve(NorthApiClient),
    auth: container.resolve(Authentication),
    devices: container.resolve(DeviceManagement),
  };
}

/** A logger that keeps every line. */
export function capturingLogger(): NorthApiLogger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string): void => {
    lines.push(message);
  };
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

export function randomNodeId(): string {
  return `node-${randomBytes(6).toString('hex')}`;
}

export interface CallerRun {
  calls: number;
  failures: unknown[];
}

/** `callers` concurrent loops, each making a call every `intervalMs` until `durationMs` has passed. */
export async function runCallers(options: { callers: number; intervalMs: number; durationMs: number; call: (caller: number) => Promise<unknown> }): Promise<CallerRun> {
  const run: CallerRun = { calls: 0, failures: [] };
  const until = Date.now() + options.durationMs;
  const loop = async (caller: number): Promise<void> => {
    while (Date.now() < until) {
      try {
        await options.call(caller);
      } catch (error) {
        run.failures.push(error);
      }
      run.calls += 1;
      await sleep(options.intervalMs);
    }
  };
  await Promise.all(Array.from({ length: options.callers }, (_, i) => loop(i)));
  return run;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `predicate` every 20 ms until it holds; rejects naming `what` after `limitMs`. */
export async function waitUntil(predicate: () => boolean | Promise<boolean>, limitMs: number, what: string): Promise<void> {
  const until = Date.now() + limitMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Keeps the main thread busy, as a CPU-bound handler would: no timer, no I/O callback runs meanwhile. */
export function blockMainThread(ms: number): void {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    // spin
  }
}

/** A short description of failures for assertion messages. */
export function describeFailures(failures: unknown[]): string {
  const counts = new Map<string, number>();
  for (const failure of failures) {
    const key = failure instanceof Error ? failure.message : String(failure);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].map(([message, count]) => `${count} x ${message}`).join('; ');
}
