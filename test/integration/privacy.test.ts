import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  Authentication,
  BatchProcess,
  DataCollection,
  DeviceGroupManagement,
  DeviceServiceInvocation,
  DeviceUpgrade,
  NorthApiException,
  RuleEngine,
  SignalDelivery,
  SubscriptionManagement,
  type RefreshFailedEvent,
  type TokenRefreshedEvent,
} from '../../src/index.js';
import { SERVICE_CLASSES } from '../../src/container.js';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { refresherRegistry } from '../../src/auth/refresher-registry.js';
import { capturingLogger, randomNodeId, runCallers, sdkFor, sleep } from '../helpers/sdk.js';

/** Every credential that crossed the wire, as the simulator recorded it. */
function credentialsSeen(sim: Simulator, extra: string[]): Set<string> {
  const found = new Set(extra.filter((value) => value.length > 0));
  for (const app of sim.apps) found.add(app.secret);
  for (const request of sim.requests()) {
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '');
    if (bearer) found.add(bearer[1]!);
    if (request.path.endsWith('/refreshToken') || request.path.endsWith('/logout')) {
      const body = JSON.parse(request.body || '{}') as Record<string, string>;
      for (const key of ['refreshToken', 'secret', 'accessToken']) if (body[key]) found.add(body[key]!);
    }
  }
  for (const app of sim.apps) {
    const current = sim.currentAccessToken(app.appId);
    if (current) found.add(current);
  }
  return found;
}

/** Everything a user could print of a value. */
function renderings(value: unknown, withJson = true): string[] {
  const out = [inspect(value, { depth: 6, showHidden: false }), String(value)];
  if (!withJson) return out;
  try {
    out.push(JSON.stringify(value) ?? '');
  } catch {
    // circular structures cannot be stringified; inspect covers them
  }
  if (value instanceof Error) out.push(value.message, value.stack ?? '');
  return out;
}

describe('privacy: no credential in errors, logs, events, toString, JSON or inspect', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ tokenLifetimeSeconds: 2 });
  });
  after(async () => {
    await sim.stop();
  });

  test('a run with refreshes, replays, a worker crash and failures leaks nothing', async () => {
    const logger = capturingLogger();
    const output: string[] = [];
    const originalStdout = process.stdout.write.bind(process.stdout);
    const originalStderr = process.stderr.write.bind(process.stderr);
    const capture = (original: typeof process.stdout.write) =>
      ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        output.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString());
        return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
      }) as typeof process.stdout.write;
    process.stdout.write = capture(originalStdout);
    process.stderr.write = capture(originalStderr);

    const errors: unknown[] = [];
    const events: (TokenRefreshedEvent | RefreshFailedEvent)[] = [];
    const extraSecrets: string[] = [];
    const sdk = sdkFor(sim, sim.apps[0], { logger });
    const objects: unknown[] = [sdk.client, sdk.auth, sdk.devices, sdk.client.getClientInfo(), sdk.container];
    // Token results are what the caller asked for: JSON.stringify of them keeps the tokens on purpose; inspect hides them.
    const tokenResults: unknown[] = [];
    try {
      sdk.auth.on('tokenRefreshed', (event) => events.push(event));
      sdk.auth.on('refreshFailed', (event) => events.push(event));
      const grant = await sdk.auth.getAuthToken();
      extraSecrets.push(grant.accessToken, grant.refreshToken);
      tokenResults.push(grant);
      const refreshed = await sdk.auth.refreshAuthToken({ appId: sim.apps[0]!.appId, secret: sim.apps[0]!.secret, refreshToken: grant.refreshToken });
      extraSecrets.push(refreshed.accessToken, refreshed.refreshToken);
      tokenResults.push(refreshed);
      await sdk.auth.refreshAuthToken({ appId: sim.apps[0]!.appId, secret: sim.apps[0]!.secret, refreshToken: grant.refreshToken }).catch((e: unknown) => errors.push(e));
      await sdk.devices.queryDeviceStatus('x', null, grant.accessToken).catch((e: unknown) => errors.push(e)); // superseded: 1010005
      await sdk.devices.queryDeviceStatus('x', null, null).catch((e: unknown) => errors.push(e)); // 1009
      // Every service class, printed, and failing with the superseded token passed explicitly (1010005) or bad input.
      for (const service of SERVICE_CLASSES) if (service !== Authentication) objects.push(sdk.container.resolve(service as unknown as new () => object));
      const stale = grant.accessToken;
      const failing: Array<() => Promise<unknown>> = [
        () => sdk.container.resolve(SignalDelivery).queryDeviceCommand({}, stale),
        () => sdk.container.resolve(DataCollection).queryBatchDevicesInfo({ pageNo: 0 }, stale),
        () => sdk.container.resolve(SubscriptionManagement).queryBatchSubscriptions({}, stale),
        () => sdk.container.resolve(DeviceGroupManagement).queryDeviceGroups({}, stale),
        () => sdk.container.resolve(DeviceUpgrade).queryUpgradeTaskList({}, stale),
        () => sdk.container.resolve(RuleEngine).queryRules({}, stale),
        () => sdk.container.resolve(BatchProcess).queryTaskDetails({ taskId: 'task-1' }, stale),
        () => sdk.container.resolve(DeviceServiceInvocation).invokeDeviceService('', 'svc', { header: {}, body: {} } as never, null, stale),
      ];
      for (const call of failing) await call().catch((e: unknown) => errors.push(e));

      await sdk.auth.startRefreshTokenTimer();
      const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      sim.addFault({ path: '/iocm/app/sec/v1.1.0/refreshToken', kind: 'status', status: 503, times: 2 });
      const foreign = sleep(800).then(() => sim.loginFromElsewhere(sim.apps[0]!.appId));
      const run = await runCallers({ callers: 3, intervalMs: 20, durationMs: 3000, call: () => sdk.devices.queryDeviceShadow(deviceId, null, null) });
      await foreign;
      errors.push(...run.failures);
      await refresherRegistry.handles()[0]!.client.killWorkerForTesting();
      await sleep(500);
      await sdk.devices.queryDeviceStatus(deviceId, null, null).catch((e: unknown) => errors.push(e));
      await sdk.devices.queryDeviceStatus('no-such-device', null, null).catch((e: unknown) => errors.push(e));
      objects.push(await sdk.auth.getRefresherInfo());

      const wrong = sdkFor(sim, { appId: sim.apps[0]!.appId, secret: 'wrongSecretValue9' }, { logger });
      await wrong.auth.startRefreshTokenTimer().catch((e: unknown) => errors.push(e));
      extraSecrets.push('wrongSecretValue9');
      wrong.client.close();
    } finally {
      process.stdout.write = originalStdout;
      process.stderr.write = originalStderr;
      await sdk.auth.stopRefreshTokenTimer();
      sdk.client.close();
      sim.clearFaults();
    }

    const secrets = credentialsSeen(sim, extraSecrets);
    assert.ok(secrets.size >= 8, `credentials collected: ${secrets.size}`);
    assert.ok(errors.length >= 13, `errors collected: ${errors.length}`);
    assert.ok(errors.every((e) => e instanceof NorthApiException));
    assert.ok(events.some((e) => 'version' in e) && events.some((e) => 'error' in e), 'both event kinds were seen');
    assert.ok(logger.lines.length > 0, 'the SDK logged something to search');

    const haystacks = [
      ...errors.flatMap((o) => renderings(o)),
      ...events.flatMap((o) => renderings(o)),
      ...objects.flatMap((o) => renderings(o)),
      ...tokenResults.flatMap((o) => renderings(o, false)),
      ...logger.lines,
      ...output,
    ];
    const hits: string[] = [];
    for (const secret of secrets) {
      for (const text of haystacks) if (text.includes(secret)) hits.push(`${secret.slice(0, 3)}... in: ${text.slice(0, 120)}`);
    }
    console.log(`privacy: searched ${haystacks.length} texts for ${secrets.size} credentials: ${hits.length} hits`);
    assert.deepEqual(hits, []);
  });
});
