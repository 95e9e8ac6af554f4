/**
 * One instance of an application in a fleet run (test/fleet/scenario.ts): starts the refresh timer, with or without
 * the token store, reports its fleet role, and on `go` runs null-token callers and reports what they saw.
 * Settings come in OC_FLEET_CHILD (JSON); messages go over the IPC channel only, so nothing is printed.
 */
import { Authentication, createNorthApiContainer, DataCollection, NorthApiClient, NorthApiException, type NorthApiLogger } from '../../src/index.js';
import { sleep } from '../helpers/sdk.js';
import type { ChildMessage, ChildSettings, GoMessage } from './protocol.js';

const settings = JSON.parse(process.env.OC_FLEET_CHILD ?? '{}') as ChildSettings;
const send = (message: ChildMessage): void => {
  process.send?.(message);
};
const logger: NorthApiLogger = {
  info: (message) => send({ type: 'log', level: 'info', message }),
  warn: (message) => send({ type: 'log', level: 'warn', message }),
  error: (message) => send({ type: 'log', level: 'error', message }),
};

const container = createNorthApiContainer({
  clientInfo: { platformIp: settings.host, platformPort: settings.port, appId: settings.appId, secret: settings.secret },
  ssl: { ca: settings.ca },
  logger,
  tokenStore: settings.redisUrl ? { redisUrl: settings.redisUrl, leaseTtlMs: settings.leaseTtlMs, connectTimeoutMs: settings.connectTimeoutMs } : undefined,
});
const auth = container.resolve(Authentication);
// Which instance renews and how, for the messages of a failed assertion.
auth.on('tokenRefreshed', (event) => send({ type: 'log', level: 'event', message: `token ${event.version} via ${event.via}` }));
const data = container.resolve(DataCollection);

async function report(): Promise<void> {
  const info = await auth.getRefresherInfo().catch(() => undefined);
  const fleet = info?.status.fleet;
  send({ type: 'status', at: Date.now(), role: fleet?.role ?? 'single', storeConnected: fleet?.storeConnected ?? false });
}

async function run(go: GoMessage): Promise<void> {
  const until = Date.now() + go.durationMs;
  let calls = 0;
  const failures: Array<{ at: number; code: string; status: number }> = [];
  const caller = async (): Promise<void> => {
    while (Date.now() < until) {
      try {
        await data.querySingleDeviceInfo(settings.deviceId, undefined, null, null);
      } catch (error) {
        const e = error instanceof NorthApiException ? error : undefined;
        failures.push({ at: Date.now(), code: e?.errorCode ?? String(error), status: e?.httpStatusCode ?? -1 });
      }
      calls += 1;
      await sleep(settings.intervalMs);
    }
  };
  await Promise.all(Array.from({ length: settings.callers }, caller));
  send({ type: 'done', calls, failures });
}

try {
  await auth.startRefreshTokenTimer();
} catch (error) {
  send({ type: 'log', level: 'error', message: `start failed: ${error instanceof Error ? error.message : String(error)}` });
  process.exit(1);
}
const reporter = setInterval(() => void report(), settings.reportEveryMs);
await report();
send({ type: 'ready' });
process.on('message', (message: GoMessage | { type: 'stop' }) => {
  if (message.type === 'go') {
    void run(message);
  } else if (message.type === 'stop') {
    clearInterval(reporter);
    void auth.stopRefreshTokenTimer().finally(() => {
      container.resolve(NorthApiClient).close();
      process.disconnect?.();
    });
  }
});
