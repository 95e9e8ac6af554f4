// P1 overhead: latency of a null-token service call (DataCollection.querySingleDeviceInfo, token from the refresh
// timer) against a raw node-fetch call with a fixed token, on the same keep-alive TLS agent options, against the same
// simulator process. SDK and raw calls alternate one by one (the order flips every pair), so drift hits both alike.
import fetch from 'node-fetch';
import { explainMiss, figureMain, progress, ratio, scaled, type FigureResult } from './lib/figure.js';
import { benchApps, businessHeaders, DEVICE_PATH, rawAgent, rawLogin, registerDevice, sdkFor, startPlatform } from './lib/platform.js';
import { nowUs, percentile, sig, sorted } from './lib/stats.js';

const WARMUP_PAIRS = scaled(2_000, 10);
const BLOCKS = 5;
/** A multiple of BLOCKS. */
const PAIRS = BLOCKS * scaled(2_000, 10);

const MISS_REASON =
  "the SDK's own work per call (argument checks, path and query, token read, headers, timeout signal, streamed body and decoding) " +
  'adds a few percent to a loopback call, and load from other processes on the machine moves the median by as much.';
const MISS_PLAN = 'profile Transport.request with node --cpu-prof against the raw call, cut what it allocates per call, and rerun on a quiet machine.';

export async function measure(): Promise<FigureResult> {
  const [sdkApp, rawApp] = benchApps('p1-sdk', 'p1-raw');
  const sim = await startPlatform({ apps: [sdkApp!, rawApp!] });
  const sdk = sdkFor(sim, sdkApp!);
  // The raw side has its own app, so that its fixed token is never voided by the SDK's logins.
  const rawSetup = sdkFor(sim, rawApp!);
  const agent = rawAgent(sim);
  try {
    await sdk.auth.startRefreshTokenTimer();
    const sdkDevice = await registerDevice(sdk, null);
    const { accessToken } = await rawLogin(sim, rawApp!, agent);
    const rawDevice = await registerDevice(rawSetup, accessToken);
    const rawUrl = `${sim.url}${DEVICE_PATH}/${rawDevice}`;
    const headers = businessHeaders(rawApp!.appId, accessToken);

    const sdkCall = async (): Promise<void> => {
      const device = await sdk.dc.querySingleDeviceInfo(sdkDevice);
      if (device.deviceId !== sdkDevice) throw new Error('SDK call answered another device');
    };
    const rawCall = async (): Promise<void> => {
      const response = await fetch(rawUrl, { headers, agent });
      const device = (await response.json()) as { deviceId?: string };
      if (response.status !== 200 || device.deviceId !== rawDevice) throw new Error(`raw call answered ${response.status}`);
    };

    const sdkUs = new Float64Array(PAIRS);
    const rawUs = new Float64Array(PAIRS);
    const timed = async (call: () => Promise<void>): Promise<number> => {
      const start = nowUs();
      await call();
      return nowUs() - start;
    };
    progress('P1', `warm-up: ${WARMUP_PAIRS} pairs`);
    for (let i = 0; i < WARMUP_PAIRS; i++) {
      await sdkCall();
      await rawCall();
    }
    progress('P1', `measuring: ${PAIRS} SDK and ${PAIRS} raw calls, interleaved`);
    for (let i = 0; i < PAIRS; i++) {
      if (i % 2 === 0) {
        sdkUs[i] = await timed(sdkCall);
        rawUs[i] = await timed(rawCall);
      } else {
        rawUs[i] = await timed(rawCall);
        sdkUs[i] = await timed(sdkCall);
      }
    }
    const sdkSorted = sorted(sdkUs);
    const rawSorted = sorted(rawUs);
    const sdkMedian = percentile(sdkSorted, 50);
    const rawMedian = percentile(rawSorted, 50);
    const sdkP99 = percentile(sdkSorted, 99);
    const rawP99 = percentile(rawSorted, 99);
    const medianRatio = ratio(sdkMedian, rawMedian);
    // The spread: the median ratio of each block of consecutive pairs.
    const blockRatios = Array.from({ length: BLOCKS }, (_, b) => {
      const from = (b * PAIRS) / BLOCKS;
      const to = ((b + 1) * PAIRS) / BLOCKS;
      return ratio(percentile(sorted(sdkUs.subarray(from, to)), 50), percentile(sorted(rawUs.subarray(from, to)), 50));
    });
    return explainMiss({
      id: 'P1',
      name: 'Null-token call overhead (median latency)',
      goal: 'median ratio <= 1.05',
      value: sig(sdkMedian),
      unit: 'µs',
      baseline: sig(rawMedian),
      baselineName: 'raw node-fetch call',
      ratio: sig(medianRatio, 4),
      meetsGoal: medianRatio <= 1.05,
      notes:
        `${PAIRS} SDK and ${PAIRS} raw GETs of one device, one at a time, interleaved, after ${WARMUP_PAIRS} warm-up pairs; ` +
        `simulator in its own process. Median ratio per block of ${PAIRS / BLOCKS} pairs: ${sig(Math.min(...blockRatios), 4)} to ` +
        `${sig(Math.max(...blockRatios), 4)}. p99: SDK ${sig(sdkP99)} µs, raw ${sig(rawP99)} µs (ratio ${sig(ratio(sdkP99, rawP99), 3)}).`,
      details: { calls: PAIRS, sdkMedianUs: sdkMedian, rawMedianUs: rawMedian, sdkP99Us: sdkP99, rawP99Us: rawP99, p99Ratio: ratio(sdkP99, rawP99), blockRatios },
    }, MISS_REASON, MISS_PLAN);
  } finally {
    agent.destroy();
    await sdk.close();
    await rawSetup.close();
    await sim.stop();
  }
}

figureMain(import.meta.url, measure);
