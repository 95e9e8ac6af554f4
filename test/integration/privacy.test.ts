import assert from 'node:assert/strict';
import diagnosticsChannel from 'node:diagnostics_channel';
import { after, before, describe, test } from 'node:test';
import { inspect } from 'node:util';
import * as sdkExports from '../../src/index.js';
import {
  Authentication,
  BatchProcess,
  DataCollection,
  DeviceGroupManagement,
  DeviceServiceInvocation,
  DeviceUpgrade,
  NorthApiException,
  PushHandlerError,
  PushMessageReceiver,
  RuleEngine,
  SignalDelivery,
  SubscriptionManagement,
  type RefreshFailedEvent,
  type TokenRefreshedEvent,
} from '../../src/index.js';
import { SERVICE_CLASSES } from '../../src/container.js';
import * as simulatorExports from '../../src/simulator/index.js';
import { startSimulator, startSimulatorProcess, type RemoteSimulator, type Simulator } from '../../src/simulator/index.js';
import { CREDENTIAL_CHANNEL, type CredentialMessage } from '../../src/simulator/credential-channel.js';
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
    // The context is shown with every credential masked: a failure report must not print what it found.
    const masked = (text: string): string => [...secrets].reduce((t, secret) => t.replaceAll(secret, '<credential>'), text.slice(0, 120));
    for (const secret of secrets) {
      for (const text of haystacks) if (text.includes(secret)) hits.push(`a ${secret.length}-character credential in: ${masked(text)}`);
    }
    console.log(`privacy: searched ${haystacks.length} texts for ${secrets.size} credentials: ${hits.length} hits`);
    assert.deepEqual(hits, []);
  });
});

// ---- every public object ---------------------------------------------------------------------------------------

/**
 * Exports of src/index.ts and src/simulator/index.ts that are not classes, so have no instance a user holds: each
 * with the reason it needs no check of its own. Every other export must be a class with instances checked below.
 */
const NOT_CLASSES: Record<string, string> = {
  SdkErrorCode: 'a constant table of error-code strings',
  SDK_ERROR_DESCRIPTIONS: 'a constant table of error texts',
  isNorthApiException: 'a type guard function',
  createNorthApiContainer: 'a factory: the container it returns is checked',
  DEFAULT_CLOSE_TIMEOUT_MS: 'a number',
  DEFAULT_MAX_PUSH_BODY_BYTES: 'a number',
  PUSH_COMMAND_PATH: 'a constant path',
  PUSH_SUBSCRIPTION_PATH: 'a constant path',
  startSimulator: 'a factory: the Simulator it returns is checked',
  startSimulatorProcess: 'a factory: the RemoteSimulator it returns is checked',
  runSimulatorCli: 'a function: prints the credentials of the simulator it starts, which is its purpose',
  CLI_USAGE: 'a constant text',
  MAX_BODY_BYTES: 'a number',
  MAX_RECORDED_BODY_BYTES: 'a number',
};

/**
 * What a simulator hands out on purpose, so not checked: `apps` (the documented way to get the apps' secrets),
 * `requests()` (the request log keeps headers and bodies as received, tokens included), `currentAccessToken()`,
 * `issueClientCertificate()` / `issueServerCertificate()` (keys).
 */
const CREDENTIALS_BY_DESIGN = ['apps', 'requests', 'currentAccessToken', 'issueClientCertificate', 'issueServerCertificate'];

function isClass(value: unknown): value is abstract new (...args: never[]) => unknown {
  return typeof value === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(value));
}

/** Each way a user could print a value, by name. */
function allRenderings(value: unknown, options: { json?: boolean } = {}): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['inspect', inspect(value)],
    ['inspect(depth Infinity, showHidden)', inspect(value, { depth: Infinity, showHidden: true })],
    ['String', String(value)],
  ];
  if (options.json !== false) {
    try {
      out.push(['JSON.stringify', JSON.stringify(value) ?? '']);
    } catch (error) {
      // circular structures cannot be stringified: nothing to print
      assert.match(String(error), /circular/i);
    }
  }
  if (value instanceof Error) {
    out.push(['message', value.message], ['stack', value.stack ?? ''], ['inspect(cause)', inspect(value.cause, { depth: Infinity, showHidden: true })]);
  }
  return out;
}

/** Hits of `credentials` in the renderings of `value`, described without the values. */
function leaks(label: string, value: unknown, credentials: Map<string, string>, options: { json?: boolean } = {}): string[] {
  const hits: string[] = [];
  for (const [how, text] of allRenderings(value, options)) {
    for (const [credential, kind] of credentials) if (text.includes(credential)) hits.push(`${label}: ${how} shows a credential (${kind}, ${credential.length} characters)`);
  }
  return hits;
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe('privacy: util.inspect, String and JSON of every public object show no credential', () => {
  const APP = { appId: 'privacyEveryApp', secret: 'privacyEverySecret-31' };
  const REMOTE_APP = { appId: 'privacyRemoteApp', secret: 'privacyRemoteSecret-47' };
  /** Every credential the in-process simulator hands out, from its diagnostics channel: value -> kind. */
  const issued = new Map<string, string>();
  const record = (message: unknown): void => {
    const { kind, value } = message as CredentialMessage;
    issued.set(value, kind);
  };
  let sim: Simulator;
  let remote: RemoteSimulator;

  before(async () => {
    diagnosticsChannel.subscribe(CREDENTIAL_CHANNEL, record);
    [sim, remote] = await Promise.all([
      startSimulator({ tokenLifetimeSeconds: 2, apps: [APP], push: { retries: 0 } }),
      startSimulatorProcess({ apps: [REMOTE_APP] }),
    ]);
  });
  after(async () => {
    diagnosticsChannel.unsubscribe(CREDENTIAL_CHANNEL, record);
    await Promise.all([sim.stop(), remote.stop()]);
  });

  test('every class exported is either checked below or listed as no class, with a reason', () => {
    const exported = { ...sdkExports, ...simulatorExports } as Record<string, unknown>;
    for (const [name, reason] of Object.entries(NOT_CLASSES)) {
      assert.ok(name in exported, `NOT_CLASSES lists ${name}, which is no longer exported`);
      assert.ok(!isClass(exported[name]), `${name} is a class (${reason}?): check its instances instead`);
    }
    const classes = Object.keys(exported).filter((name) => !(name in NOT_CLASSES));
    for (const name of classes) assert.ok(isClass(exported[name]), `${name} is exported but neither a class nor in NOT_CLASSES`);
    assert.ok(classes.length >= 14, `classes found: ${classes.join(', ')}`);
  });

  test('after the refresh timer ran and calls were made, nothing a user holds prints a credential', async () => {
    const logger = capturingLogger();
    const sdk = sdkFor(sim, APP, { logger });
    const errors: unknown[] = [];
    const refresherEvents: Array<TokenRefreshedEvent | RefreshFailedEvent> = [];
    const handlerErrors: PushHandlerError[] = [];
    const tokenResults: unknown[] = [];
    const returned: Array<[string, unknown]> = [];
    // A receiver on TLS (its key must not show) whose deviceAdded handler fails: a PushHandlerError.
    const receiver = new (class FailingReceiver extends PushMessageReceiver {
      override handleDeviceAdded(): void {
        throw new Error('the handler refused the message');
      }
    })({ logger });
    receiver.on('error', (error) => handlerErrors.push(error));
    const tls = sim.issueServerCertificate('127.0.0.1');
    const plain = new sdkExports.NorthApiClient({ clientInfo: { platformIp: sim.host, platformPort: sim.port, appId: APP.appId, secret: APP.secret }, ssl: { ca: sim.ca }, logger });
    const plainAuth = new Authentication(plain);
    const remoteSdk = sdkFor(remote, REMOTE_APP, { logger });
    let deviceId = '';
    let remoteTokens: { accessToken: string; refreshToken: string } | undefined;
    try {
      sdk.auth.on('tokenRefreshed', (event) => refresherEvents.push(event));
      sdk.auth.on('refreshFailed', (event) => refresherEvents.push(event));
      await sdk.auth.startRefreshTokenTimer();
      const address = await receiver.listen({ host: '127.0.0.1', port: 0, tls });
      returned.push(['PushReceiverAddress', address]);
      const subs = sdk.container.resolve(SubscriptionManagement);
      returned.push(['subDeviceData result', await subs.subDeviceData({ notifyType: 'deviceAdded', callbackUrl: address.subscriptionUrl }, null, null)]);
      const registered = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
      deviceId = registered.deviceId;
      returned.push(['regDirectDevice result', registered]);
      await until(() => handlerErrors.length > 0, 'the failing push handler');
      sim.setDeviceOnline(deviceId, true);

      // Successful calls through every service, with the timer's token.
      returned.push(['queryDeviceStatus result', await sdk.devices.queryDeviceStatus(deviceId, null, null)]);
      const calls: Array<() => Promise<unknown>> = [
        () => sdk.container.resolve(SignalDelivery).queryDeviceCommand({}, null),
        () => sdk.container.resolve(DataCollection).querySingleDeviceInfo(deviceId, null, null, null),
        () => subs.queryBatchSubscriptions({}, null),
        () => sdk.container.resolve(DeviceGroupManagement).queryDeviceGroups({}, null),
        () => sdk.container.resolve(DeviceUpgrade).queryUpgradeTaskList({}, null),
        () => sdk.container.resolve(RuleEngine).queryRules({ author: 'me' } as never, null),
        () => sdk.container.resolve(BatchProcess).queryTaskDetails({ taskId: 'no-such-task' }, null),
        () => sdk.container.resolve(DeviceServiceInvocation).invokeDeviceService(deviceId, 'Meter', { header: { mode: 'NOACK', method: 'GET' }, body: {} } as never, null, null),
      ];
      for (const call of calls) {
        await call().then(
          (result) => returned.push(['service call result', result]),
          (error: unknown) => errors.push(error),
        );
      }

      // Tokens handed to the caller, then used explicitly; a login elsewhere voids the timer's pair (replay).
      const grant = await plainAuth.getAuthToken();
      tokenResults.push(grant);
      const refreshed = await plainAuth.refreshAuthToken({ appId: APP.appId, secret: APP.secret, refreshToken: grant.refreshToken });
      tokenResults.push(refreshed);
      returned.push(['queryDeviceStatus result (explicit token)', await new sdkExports.DeviceManagement(plain).queryDeviceStatus(deviceId, null, refreshed.accessToken)]);
      // Failures that carry tokens: a superseded one passed explicitly, a refresh with a used refresh token, bad input.
      await new sdkExports.DeviceManagement(plain).queryDeviceStatus(deviceId, null, grant.accessToken).catch((e: unknown) => errors.push(e));
      await plainAuth.refreshAuthToken({ appId: APP.appId, secret: APP.secret, refreshToken: grant.refreshToken }).catch((e: unknown) => errors.push(e));
      await sdk.container.resolve(DataCollection).queryBatchDevicesInfo({ pageNo: 0 }, grant.refreshToken).catch((e: unknown) => errors.push(e));
      await sdk.devices.queryDeviceStatus('', null, refreshed.accessToken).catch((e: unknown) => errors.push(e));
      await plain.invoke({ method: 'GET', path: '/iocm/app/dm/v1.4.0/devices/x', accessToken: null }).catch((e: unknown) => errors.push(e)); // 1009
      // The timer's calls recover; wait for the timer to refresh at least once more.
      const refreshes = refresherEvents.length;
      returned.push(['queryDeviceStatus result (after replay)', await sdk.devices.queryDeviceStatus(deviceId, null, null)]);
      await until(() => refresherEvents.length > refreshes, 'a token after the replay', 15_000);
      await until(() => refresherEvents.some((e) => 'via' in e && e.via === 'refresh'), 'a timed refresh', 15_000);
      returned.push(['RefresherInfo', await sdk.auth.getRefresherInfo()]);
      returned.push(['ClientInfo', sdk.client.getClientInfo()]);

      // The remote simulator: a login and a call through it, and its records.
      remoteTokens = await remoteSdk.auth.getAuthToken();
      tokenResults.push(remoteTokens);
      await remoteSdk.devices.queryDeviceStatus('no-such-device', null, remoteTokens.accessToken).catch((e: unknown) => errors.push(e));
      returned.push(['RemoteSimulator.stats()', await remote.stats()], ['RemoteSimulator.events()', await remote.events()], ['RemoteSimulator.pushDeliveries()', await remote.pushDeliveries()]);
    } finally {
      await sdk.auth.stopRefreshTokenTimer();
      await receiver.close();
    }
    returned.push(
      ['Simulator.stats()', sim.stats()],
      ['Simulator.events()', sim.events()],
      ['Simulator.pushDeliveries()', sim.pushDeliveries()],
      ['Simulator.serviceInvocations()', sim.serviceInvocations(deviceId)],
      ['logger lines', logger.lines],
    );

    // The credentials: every one the in-process simulator issued (its channel), the remote's secret and tokens.
    const credentials = new Map(issued);
    credentials.set(REMOTE_APP.secret, 'secret');
    for (const request of await remote.requests()) {
      const bearer = /^Bearer (.+)$/.exec(request.headers['authorization'] ?? '');
      if (bearer) credentials.set(bearer[1]!, 'accessToken');
    }
    credentials.set(remoteTokens!.accessToken, 'accessToken');
    credentials.set(remoteTokens!.refreshToken, 'refreshToken');
    assert.ok(issued.has(APP.secret), 'the channel announced the app secret');
    assert.ok([...issued.values()].filter((kind) => kind === 'accessToken').length >= 3, `tokens seen: ${issued.size - 1} (logins, refreshes)`);
    for (const token of tokenResults as Array<{ accessToken: string; refreshToken: string }>) {
      assert.ok(credentials.has(token.accessToken) && credentials.has(token.refreshToken), 'every token handed out is searched for');
    }

    // The instances of every exported class.
    const instances: Record<string, unknown[]> = {
      NorthApiClient: [sdk.client, plain, remoteSdk.client],
      Authentication: [sdk.auth, plainAuth, remoteSdk.auth],
      NorthApiException: errors,
      PushHandlerError: handlerErrors,
      PushMessageReceiver: [receiver],
    };
    for (const service of SERVICE_CLASSES) {
      if (service === Authentication) continue;
      const resolved = sdk.container.resolve(service as unknown as new () => { withOptions(options: object): unknown });
      instances[service.name] = [resolved, resolved.withOptions({ signal: new AbortController().signal }), new (service as unknown as new (c: unknown) => unknown)(plain)];
    }
    assert.ok(errors.length >= 6, `errors collected: ${errors.length}`);
    assert.ok(errors.every((e) => e instanceof NorthApiException), 'every failure is a NorthApiException');
    assert.ok(handlerErrors.length >= 1 && handlerErrors.every((e) => e instanceof PushHandlerError));

    const hits: string[] = [];
    const exported = { ...sdkExports, ...simulatorExports } as Record<string, unknown>;
    for (const name of Object.keys(exported).filter((n) => !(n in NOT_CLASSES))) {
      const list = instances[name] ?? [];
      assert.ok(list.length > 0, `no instance of the exported class ${name} is checked: add some to \`instances\``);
      for (const [i, instance] of list.entries()) {
        assert.ok(instance instanceof (exported[name] as abstract new () => unknown), `${name} #${i} is an instance of ${name}`);
        hits.push(...leaks(`${name} #${i}`, instance, credentials));
      }
    }
    hits.push(...leaks('the container of createNorthApiContainer', sdk.container, credentials));
    hits.push(...leaks('the container of createNorthApiContainer (remote)', remoteSdk.container, credentials));
    // The simulators: inspect, String and JSON show the address and the apps without their secrets.
    hits.push(...leaks('Simulator', sim, credentials));
    hits.push(...leaks('RemoteSimulator', remote, credentials));
    for (const [label, value] of returned) hits.push(...leaks(label, value, credentials));
    for (const event of refresherEvents) hits.push(...leaks(`refresher event ${'version' in event ? 'tokenRefreshed' : 'refreshFailed'}`, event, credentials));
    // Token results are what the caller asked for: JSON keeps the tokens on purpose; inspect and String hide them.
    for (const [i, result] of tokenResults.entries()) hits.push(...leaks(`token result #${i}`, result, credentials, { json: false }));
    for (const name of CREDENTIALS_BY_DESIGN) assert.ok(name in sim, `Simulator.${name} exists (listed as handing out credentials by design)`);

    console.log(`privacy: ${Object.values(instances).flat().length} instances and ${returned.length} returned values checked for ${credentials.size} credentials: ${hits.length} hits`);
    assert.deepEqual(hits, []);
    remoteSdk.client.close();
    plain.close();
    sdk.client.close();
  });

  test('JSON.stringify of a simulator handle shows no credential and no key', () => {
    const credentials = new Map(issued);
    for (const app of [APP, REMOTE_APP]) credentials.set(app.secret, 'secret');
    const hits: string[] = [];
    for (const [label, handle] of [['Simulator', sim], ['RemoteSimulator', remote]] as const) {
      const text = JSON.stringify(handle) ?? '';
      assert.match(text, /^\{"url":"https?:\/\/127\.0\.0\.1:\d+","host"/, `${label} as JSON is its address`);
      const kinds = new Set([...credentials].filter(([credential]) => text.includes(credential)).map(([, kind]) => kind));
      if (text.includes('PRIVATE KEY')) kinds.add('private key');
      if (kinds.size > 0) hits.push(`${label} (${[...kinds].join(', ')})`);
    }
    assert.ok(hits.length === 0, `JSON.stringify shows credentials of: ${hits.join('; ')}`);
  });
});
