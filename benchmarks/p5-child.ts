// One fresh process of P5. Mode 'refresher': times a raw login on a new connection, then
// startRefreshTokenTimer() until the first token is held, and the resident memory the refresher added. Mode
// 'cold-start': only startRefreshTokenTimer(), in a process that has made no connection yet. Mode 'cold-login': only a
// raw login, in a process that has made no connection yet (the baseline of the cold start). Mode 'empty-worker': the
// resident memory an empty worker thread adds, for comparison.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { childInput, reply } from './lib/child.js';
import { rawAgent, rawLogin, sdkFor, type PlatformAddress } from './lib/platform.js';
import type { SimulatorApp } from '../src/simulator/index.js';
import { sleep } from './lib/stats.js';

export interface P5Input {
  mode: 'refresher' | 'cold-start' | 'cold-login' | 'empty-worker';
  sim: PlatformAddress;
  app: SimulatorApp;
}

export interface P5Output {
  rawLoginMs?: number;
  startMs?: number;
  /** Empty worker: time from new Worker() until its first message. */
  readyMs?: number;
  rssBeforeMB: number;
  rssAfterMB: number;
  addedMB: number;
}

const SETTLE_MS = 300;

/**
 * A gc() for RSS readings. Not from --expose-gc on the command line: workers inherit the process's flags, and with that
 * one a worker boots some 20-30 ms slower, which would be charged to the refresher. The flag is set only long enough to
 * get the function.
 */
const gc = ((): (() => void) => {
  setFlagsFromString('--expose-gc');
  const fn = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  return fn;
})();

function collect(): void {
  gc();
  gc();
}

const rssMB = (): number => process.memoryUsage.rss() / 2 ** 20;

async function refresher(input: P5Input): Promise<P5Output> {
  const { sim } = input;
  // The raw login runs first, on a fresh agent: its code, modules and TLS setup are then counted in "before".
  const agent = rawAgent(sim);
  const t0 = performance.now();
  await rawLogin(sim, input.app, agent);
  const rawLoginMs = performance.now() - t0;
  agent.destroy();
  const sdk = sdkFor(sim, input.app);
  await sleep(SETTLE_MS);
  collect();
  const rssBeforeMB = rssMB();
  const t1 = performance.now();
  await sdk.auth.startRefreshTokenTimer();
  const startMs = performance.now() - t1;
  await sleep(SETTLE_MS);
  collect();
  const rssAfterMB = rssMB();
  await sdk.close();
  return { rawLoginMs, startMs, rssBeforeMB, rssAfterMB, addedMB: rssAfterMB - rssBeforeMB };
}

/** startRefreshTokenTimer() or a raw login alone, as the first connection this process makes. */
async function coldTiming(input: P5Input): Promise<P5Output> {
  const rss = rssMB();
  if (input.mode === 'cold-login') {
    const agent = rawAgent(input.sim);
    const t0 = performance.now();
    await rawLogin(input.sim, input.app, agent);
    const rawLoginMs = performance.now() - t0;
    agent.destroy();
    return { rawLoginMs, rssBeforeMB: rss, rssAfterMB: rssMB(), addedMB: rssMB() - rss };
  }
  const sdk = sdkFor(input.sim, input.app);
  const t1 = performance.now();
  await sdk.auth.startRefreshTokenTimer();
  const startMs = performance.now() - t1;
  await sdk.close();
  return { startMs, rssBeforeMB: rss, rssAfterMB: rssMB(), addedMB: rssMB() - rss };
}

async function emptyWorker(): Promise<P5Output> {
  await sleep(SETTLE_MS);
  collect();
  const rssBeforeMB = rssMB();
  const t0 = performance.now();
  const source = "import { parentPort } from 'node:worker_threads'; parentPort.once('message', () => parentPort.close()); parentPort.postMessage('up');";
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(source)}`));
  await new Promise((resolve) => worker.once('message', resolve));
  const readyMs = performance.now() - t0;
  await sleep(SETTLE_MS);
  collect();
  const rssAfterMB = rssMB();
  worker.postMessage('stop');
  await new Promise((resolve) => worker.once('exit', resolve));
  return { readyMs, rssBeforeMB, rssAfterMB, addedMB: rssAfterMB - rssBeforeMB };
}

const input = childInput<P5Input>();
reply(input.mode === 'refresher' ? await refresher(input) : input.mode === 'empty-worker' ? await emptyWorker() : await coldTiming(input));
