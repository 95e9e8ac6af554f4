// P6 simulator throughput: keep-alive GETs per second (querySingleDeviceInfo with a valid token) from a separate load
// process, against a bare Node https server with the same TLS settings answering the same JSON, in the same run.
// Server and load generator are separate processes (one core each on a 2-core machine); rounds alternate.
import fetch from 'node-fetch';
import type { LoadInput, LoadResult } from './load-generator.js';
import { runJsonChild, startJsonChild } from './lib/child.js';
import { explainMiss, figureMain, progress, ratio, scaled, type FigureResult } from './lib/figure.js';
import { benchApps, businessHeaders, DEVICE_PATH, rawAgent, rawLogin, registerDevice, sdkFor, startPlatform } from './lib/platform.js';
import { mean, sig } from './lib/stats.js';

const ROUNDS = 2;
const CONNECTIONS = 32;
const WARMUP_MS = scaled(1_500, 100);
const DURATION_MS = scaled(5_000, 300);
/**
 * The simulator keeps bounded logs (10 000 requests, 40 000 events by default) and behaves differently once they are
 * full; before the measured rounds it is loaded until they are, so that the figure is its steady state.
 */
const FILL_CALLS = scaled(45_000, 100);
const FILL_MS = scaled(4_000, 100);

const MISS_REASON =
  'the simulator does per request what the platform does (token, throttle and fault checks, routing, state, the request and ' +
  'event logs, JSON both ways), all on one event loop, and on 2 cores the load process competes with it for CPU.';
const MISS_PLAN = 'profile the simulator under the load (node --cpu-prof) and cut the largest per-request cost, then measure again.';

export async function measure(): Promise<FigureResult> {
  const [app] = benchApps('p6');
  const sim = await startPlatform({ apps: [app!] });
  const setup = sdkFor(sim, app!);
  const agent = rawAgent(sim);
  let bare: Awaited<ReturnType<typeof startJsonChild<{ port: number; ca: string }>>> | undefined;
  try {
    const { accessToken } = await rawLogin(sim, app!, agent);
    const deviceId = await registerDevice(setup, accessToken);
    const path = `${DEVICE_PATH}/${deviceId}`;
    const headers = businessHeaders(app!.appId, accessToken);
    const answer = await fetch(`${sim.url}${path}`, { headers, agent });
    const body = await answer.text();
    if (answer.status !== 200) throw new Error(`the simulator answered ${answer.status}`);
    bare = await startJsonChild<{ port: number; ca: string }>(new URL('./bare-server.js', import.meta.url), { host: sim.host, body });

    const load = (port: number, ca: string, warmupMs = WARMUP_MS, durationMs = DURATION_MS): Promise<LoadResult> =>
      runJsonChild<LoadResult>(new URL('./load-generator.js', import.meta.url), {
        host: sim.host, port, ca, path, headers, connections: CONNECTIONS, warmupMs, durationMs,
      } satisfies LoadInput);
    for (let attempt = 0; attempt < 5 && (await sim.stats(app!.appId)).calls < FILL_CALLS; attempt++) await load(sim.port, sim.ca, 0, FILL_MS);
    progress('P6', `simulator logs filled: ${(await sim.stats(app!.appId)).calls} calls so far`);
    const simRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      bareRuns.push(await load(bare.first.port, bare.first.ca));
      simRuns.push(await load(sim.port, sim.ca));
      progress('P6', `round ${round}: bare ${Math.round(bareRuns.at(-1)!.perSecond)} req/s, simulator ${Math.round(simRuns.at(-1)!.perSecond)} req/s`);
    }
    const simRate = mean(simRuns.map((r) => r.perSecond));
    const bareRate = mean(bareRuns.map((r) => r.perSecond));
    const simBad = simRuns.reduce((n, r) => n + r.non2xx + r.errors, 0);
    return explainMiss({
      id: 'P6',
      name: 'Simulator throughput (keep-alive GETs)',
      goal: '>= 5000 req/s',
      value: Math.round(simRate),
      unit: 'req/s',
      baseline: Math.round(bareRate),
      baselineName: 'bare https server',
      ratio: sig(ratio(simRate, bareRate)),
      meetsGoal: simRate >= 5000 && simBad === 0,
      notes:
        `GET of one device (${body.length}-byte JSON) with app_key and token, ${CONNECTIONS} keep-alive TLS connections, one request in flight ` +
        `each, from a separate load process; ${ROUNDS} alternating rounds of ${DURATION_MS / 1000} s after ${WARMUP_MS / 1000} s warm-up, mean. ` +
        `Simulator with its default options (request log on, throttle off), its logs full (${FILL_CALLS.toLocaleString('en')} calls before the ` +
        `rounds); ${simBad} non-2xx or failed.`,
      details: { connections: CONNECTIONS, simulator: simRuns, bare: bareRuns },
    }, MISS_REASON, MISS_PLAN);
  } finally {
    agent.destroy();
    await bare?.stop();
    await setup.close();
    await sim.stop();
  }
}

figureMain(import.meta.url, measure);
