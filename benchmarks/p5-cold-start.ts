// P5 worker cold start and resident memory: each measurement in a fresh child process, against a
// simulator in another process. Cold start = time from startRefreshTokenTimer() until the first token is held, in a
// process that has made no connection yet, minus a raw login on a new connection, also the first connection of its own
// fresh process (so that both pay the same one-time costs of a process's first TLS connection). Memory = RSS after the
// start minus before (a raw login done first, so that the process's TLS setup is counted before); its baseline is the
// RSS an empty worker thread adds.
import { runJsonChild } from './lib/child.js';
import { explainMiss, figureMain, progress, ratio, scaled, type FigureResult } from './lib/figure.js';
import { benchApps, startPlatform } from './lib/platform.js';
import { median, sig } from './lib/stats.js';
import type { P5Input, P5Output } from './p5-child.js';

const RUNS = scaled(7);

const START_REASON =
  'before its first login the worker thread boots (an empty worker: about 30 ms here) and loads node-fetch (about 25 ms) and the ' +
  'SDK modules (about 15 ms) in its own isolate, and its first TLS connection is made with cold code.';
const START_PLAN =
  'let the worker send its two token calls with node:https instead of node-fetch, and open its TLS connection while the rest loads.';
const MEMORY_REASON = 'a worker thread has its own V8 isolate and heap (the empty-worker baseline), plus the modules it loads.';
const MEMORY_PLAN = 'load fewer modules in the worker (node:https instead of node-fetch) and cap its heap with resourceLimits.';

export async function measure(): Promise<FigureResult[]> {
  const [app] = benchApps('p5');
  const sim = await startPlatform({ apps: [app!] });
  try {
    const address = { url: sim.url, host: sim.host, port: sim.port, ca: sim.ca };
    const child = (mode: P5Input['mode']): Promise<P5Output> =>
      runJsonChild<P5Output>(new URL('./p5-child.js', import.meta.url), { mode, sim: address, app: app! } satisfies P5Input);
    const starts: P5Output[] = [];
    const empties: P5Output[] = [];
    const coldStarts: P5Output[] = [];
    const coldLogins: P5Output[] = [];
    for (let run = 1; run <= RUNS; run++) {
      coldStarts.push(await child('cold-start'));
      coldLogins.push(await child('cold-login'));
      starts.push(await child('refresher'));
      empties.push(await child('empty-worker'));
      const last = starts.at(-1)!;
      progress(
        'P5',
        `run ${run}: cold start ${sig(coldStarts.at(-1)!.startMs!)} ms, cold raw login ${sig(coldLogins.at(-1)!.rawLoginMs!)} ms, ` +
          `+${sig(last.addedMB)} MB (empty worker +${sig(empties.at(-1)!.addedMB)} MB)`,
      );
    }
    const startMs = median(coldStarts.map((s) => s.startMs!));
    const rawLoginMs = median(coldLogins.map((s) => s.rawLoginMs!));
    const coldMs = startMs - rawLoginMs;
    const warmStartMs = median(starts.map((s) => s.startMs!));
    const addedMB = median(starts.map((s) => s.addedMB));
    const emptyMB = median(empties.map((s) => s.addedMB));
    const emptyReadyMs = median(empties.map((s) => s.readyMs!));
    return [
      explainMiss({
        id: 'P5a',
        name: 'Refresher cold start (beyond one login)',
        goal: '<= 100 ms',
        value: sig(coldMs),
        unit: 'ms',
        baseline: sig(rawLoginMs),
        baselineName: 'raw login',
        ratio: sig(ratio(coldMs, rawLoginMs)),
        meetsGoal: coldMs <= 100,
        notes:
          `Medians of ${RUNS} fresh processes each. As a process's first connection, startRefreshTokenTimer() took ${sig(startMs)} ms ` +
          `to the first token (worker spawn, its module loading, TLS connection and login) and a raw node-fetch login ${sig(rawLoginMs)} ms; ` +
          `after a raw login in the same process it took ${sig(warmStartMs)} ms. An empty worker thread takes ${sig(emptyReadyMs)} ms ` +
          'to answer its first message.',
        details: { coldStarts, coldLogins, afterRawLogin: starts },
      }, START_REASON, START_PLAN),
      explainMiss({
        id: 'P5b',
        name: 'Resident memory added by the refresher',
        goal: '<= 25 MB',
        value: sig(addedMB),
        unit: 'MB',
        baseline: sig(emptyMB),
        baselineName: 'empty worker',
        ratio: sig(ratio(addedMB, emptyMB)),
        meetsGoal: addedMB <= 25,
        notes: `Median of ${RUNS} fresh processes: RSS after the first token (and gc) minus RSS before startRefreshTokenTimer().`,
        details: { runs: starts.map((s) => ({ before: s.rssBeforeMB, after: s.rssAfterMB })), emptyWorkerRuns: empties },
      }, MEMORY_REASON, MEMORY_PLAN),
    ];
  } finally {
    await sim.stop();
  }
}

figureMain(import.meta.url, measure);
