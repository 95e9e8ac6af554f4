// P3 soak: 100 concurrent callers for 60 s with 2 s tokens on a newest-token-only simulator. The SDK (null-token calls,
// refresher worker, replay after 1010005) runs at the same time as a baseline refresher that behaves like the Java
// SDK's timer: a fresh login every expiresIn seconds, no margin, no replay; its callers pass whatever token it holds.
// Each side has its own app on one simulator process, so their logins never void each other's tokens, and both see
// the same load on the same machine during the same minute.
import { explainMiss, figureMain, progress, ratio, scaled, type FigureResult } from './lib/figure.js';
import { benchApps, errorKey, registerDevice, sdkFor, startPlatform, type Sdk } from './lib/platform.js';
import { sig, tally } from './lib/stats.js';

const DURATION_MS = scaled(60_000, 1_000);
const CALLERS = scaled(100, 5);
const TOKEN_LIFETIME_S = 2;

const MISS_REASON = 'some null-token calls failed: latest.json lists them by error code (details.sdk.failuresByCode).';
const MISS_PLAN = 'reproduce with the same settings in an integration test and fix the refresher or the replay for that code.';

interface SideRun {
  calls: number;
  failures: string[];
}

/** `CALLERS` loops, each making its next call as soon as the previous one settles, until `until`. */
async function callers(until: number, call: () => Promise<unknown>): Promise<SideRun> {
  const run: SideRun = { calls: 0, failures: [] };
  const loop = async (): Promise<void> => {
    while (Date.now() < until) {
      try {
        await call();
      } catch (error) {
        run.failures.push(errorKey(error));
      }
      run.calls += 1;
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, loop));
  return run;
}

/** The Java SDK's timer: log in now, then every expiresIn seconds, keeping the newest token. */
async function javaStyleTimer(sdk: Sdk): Promise<{ token(): string; logins(): number; stop(): void }> {
  let grant = await sdk.auth.getAuthToken();
  let logins = 1;
  const timer = setInterval(() => {
    sdk.auth.getAuthToken().then(
      (next) => {
        grant = next;
        logins += 1;
      },
      () => undefined, // a failed login leaves the old token in place, as the Java timer does
    );
  }, grant.expiresIn * 1000);
  return { token: () => grant.accessToken, logins: () => logins, stop: () => clearInterval(timer) };
}

export async function measure(): Promise<FigureResult> {
  const [sdkApp, baseApp] = benchApps('p3-sdk', 'p3-java');
  const sim = await startPlatform({ apps: [sdkApp!, baseApp!], tokenLifetimeSeconds: TOKEN_LIFETIME_S });
  const sdk = sdkFor(sim, sdkApp!);
  const base = sdkFor(sim, baseApp!);
  let timer: Awaited<ReturnType<typeof javaStyleTimer>> | undefined;
  try {
    await sdk.auth.startRefreshTokenTimer();
    const sdkDevice = await registerDevice(sdk, null);
    timer = await javaStyleTimer(base);
    const baseDevice = await registerDevice(base, timer.token());
    const javaTimer = timer;

    progress('P3', `soak: ${CALLERS} SDK callers and ${CALLERS} baseline callers for ${DURATION_MS / 1000} s, ${TOKEN_LIFETIME_S} s tokens`);
    const started = Date.now();
    const until = started + DURATION_MS;
    const ticker = setInterval(() => progress('P3', `${Math.round((Date.now() - started) / 1000)} s`), 15_000);
    const [sdkRun, baseRun] = await Promise.all([
      callers(until, () => sdk.dc.querySingleDeviceInfo(sdkDevice)),
      callers(until, () => base.dc.querySingleDeviceInfo(baseDevice, null, null, javaTimer.token())),
    ]);
    clearInterval(ticker);
    const elapsedS = (Date.now() - started) / 1000;
    const [sdkStats, baseStats] = await Promise.all([sim.stats(sdkApp!.appId), sim.stats(baseApp!.appId)]);
    const sdkFailed = sdkRun.failures.length;
    const baseFailed = baseRun.failures.length;
    return explainMiss({
      id: 'P3',
      name: 'Soak: failed calls, 60 s, 100 callers, 2 s tokens',
      goal: '0 failed calls',
      value: sdkFailed,
      unit: 'failed calls',
      baseline: baseFailed,
      baselineName: 'Java-style timer',
      ratio: sig(ratio(sdkFailed, baseFailed)),
      meetsGoal: sdkFailed === 0,
      notes:
        `SDK and baseline ran concurrently for ${sig(elapsedS)} s, ${CALLERS} closed-loop callers each, separate apps on one simulator ` +
        `process (throttle off). SDK: ${sdkRun.calls} calls, ${sdkFailed} failed, ${sdkStats.rejectedTokens} token rejections replayed, ` +
        `${sdkStats.logins} login and ${sdkStats.refreshes} refreshes. Baseline: ${baseRun.calls} calls, ${baseFailed} failed ` +
        `(${((100 * baseFailed) / Math.max(1, baseRun.calls)).toFixed(2)} %), ${javaTimer.logins()} logins.`,
      details: {
        durationS: elapsedS,
        callers: CALLERS,
        tokenLifetimeS: TOKEN_LIFETIME_S,
        sdk: { calls: sdkRun.calls, failed: sdkFailed, failuresByCode: tally(sdkRun.failures), simulator: sdkStats },
        baseline: { calls: baseRun.calls, failed: baseFailed, failuresByCode: tally(baseRun.failures), logins: javaTimer.logins(), simulator: baseStats },
      },
    }, MISS_REASON, MISS_PLAN);
  } finally {
    timer?.stop();
    await sdk.close();
    await base.close();
    await sim.stop();
  }
}

figureMain(import.meta.url, measure);
