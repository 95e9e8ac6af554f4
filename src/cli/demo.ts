import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { errorMessage } from '../errors.js';
import {
  Authentication,
  createNorthApiContainer,
  DeviceManagement,
  NorthApiClient,
  NorthApiException,
  SignalDelivery,
  SubscriptionManagement,
  type ClientInfo,
  type SSLConfig,
} from '../index.js';
import { sleep } from '../http/abort.js';
import { startSimulator, type Simulator } from '../simulator/index.js';
import { numberFlag, parseArgs, stringFlag } from './args.js';
import { loopComplete, startPushLoop, type PushLoop } from './demo-push-loop.js';
import { FAULT_PHASE_DESCRIPTION, startFaultPhase } from './demo-faults.js';

const USAGE = `Usage: oceanconnect-north-sdk demo [options]

Without options the demo starts the embedded platform simulator (2 s tokens) and runs against it: concurrent
null-token calls, and the push loop (subscribe to deviceDataChanged, the device reports, the receiver answers with a
command, the device acknowledges, the command's status callbacks arrive). Against a real platform the push loop is
left out (the platform would need to reach a receiver on this machine). On the simulator, faults are switched on
for the middle third of the run (latency, 503 answers, connection resets, a failing refresh endpoint, a login from
elsewhere): the callers ride them out.

  --platform <host:port>   run against a real platform instead
  --app-id <id>            application id (with --platform)
  --secret <secret>        application secret (with --platform; or the OC_SECRET environment variable)
  --ca <file>              PEM file of the CA that signed the platform's certificate
  --seconds <n>            how long the callers run (default 8)
  --callers <n>            concurrent callers (default 5)
  --interval <ms>          pause between two calls of one caller (default 20)
  --no-faults              leave the faults out`;

interface Target {
  clientInfo: ClientInfo;
  ssl: SSLConfig;
  simulator?: Simulator;
  label: string;
}

/**
 * The `npm start` demo: null-token calls from concurrent callers across several token lifetimes and, on the
 * simulator, the push loop. Exit code 0 when no call failed and every push loop completed.
 */
export async function runDemo(argv: readonly string[], out: (line: string) => void = console.log): Promise<number> {
  let args;
  let seconds: number;
  let callers: number;
  let interval: number;
  try {
    args = parseArgs(argv, new Set(['help', 'no-faults']));
    if (args.flags.has('help')) {
      out(USAGE);
      return 0;
    }
    seconds = numberFlag(args, 'seconds', 8);
    callers = Math.round(numberFlag(args, 'callers', 5));
    interval = numberFlag(args, 'interval', 20);
  } catch (error) {
    out(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }

  let target: Target;
  try {
    target = await resolveTarget(args);
  } catch (error) {
    out(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const started = Date.now();
  const stamp = (): string => `[${((Date.now() - started) / 1000).toFixed(2).padStart(6)} s]`;
  out(`${stamp()} platform: ${target.label}`);

  const container = createNorthApiContainer({ clientInfo: target.clientInfo, ssl: target.ssl });
  const auth = container.resolve(Authentication);
  const devices = container.resolve(DeviceManagement);
  let pushLoop: PushLoop | undefined;
  auth.on('tokenRefreshed', (event) => out(`${stamp()} token #${event.version} obtained via ${event.via}, valid until ${event.expiresAt.toISOString()}`));
  auth.on('refreshFailed', (event) => out(`${stamp()} refresh failed: ${event.error.message}${event.retryInMs !== undefined ? `, retry in ${event.retryInMs} ms` : ''}`));

  let deviceId: string | undefined;
  let failed = 0;
  let calls = 0;
  try {
    await auth.startRefreshTokenTimer();
    out(`${stamp()} refresh timer started (worker thread)`);
    const nodeId = `demo-${randomBytes(6).toString('hex')}`;
    const registered = await devices.regDirectDevice({ nodeId, verifyCode: nodeId, timeout: 0 }, null, null);
    deviceId = registered.deviceId;
    out(`${stamp()} registered device ${deviceId} (nodeId ${nodeId}) with accessToken = null`);

    if (target.simulator) {
      pushLoop = await startPushLoop({
        simulator: target.simulator,
        subscriptions: container.resolve(SubscriptionManagement),
        commands: container.resolve(SignalDelivery),
        deviceId,
        reportEveryMs: 1500,
        say: (line) => out(`${stamp()} ${line}`),
      });
    } else {
      out(`${stamp()} push loop left out: a real platform cannot reach a receiver on this machine`);
    }

    const until = Date.now() + seconds * 1000;
    const errors = new Map<string, number>();
    const caller = async (index: number): Promise<void> => {
      while (Date.now() < until) {
        try {
          if ((calls + index) % 2 === 0) await devices.queryDeviceStatus(deviceId!, null, null);
          else await devices.queryDeviceShadow(deviceId!, null, null);
        } catch (error) {
          failed += 1;
          const key = error instanceof NorthApiException ? error.message : String(error);
          errors.set(key, (errors.get(key) ?? 0) + 1);
        }
        calls += 1;
        await sleep(interval);
      }
    };
    out(`${stamp()} ${callers} callers, one call every ${interval} ms each, for ${seconds} s, all with accessToken = null`);
    const progress = setInterval(() => out(`${stamp()} calls: ${calls}, failed: ${failed}`), 2000);
    const faults = target.simulator && !args.flags.has('no-faults') ? scheduleFaultPhase(target.simulator, seconds, () => ({ calls, failed }), (line) => out(`${stamp()} ${line}`)) : undefined;
    await Promise.all(Array.from({ length: callers }, (_, i) => caller(i)));
    faults?.finish();
    clearInterval(progress);
    for (const [message, count] of errors) out(`${stamp()} failure x${count}: ${message}`);
    out(`${stamp()} done: ${calls} calls, ${failed} failed`);
    if (pushLoop) {
      const counts = await pushLoop.finish();
      pushLoop = undefined;
      const complete = loopComplete(counts);
      out(
        `${stamp()} push loop: ${counts.reports} reports, ${counts.dataPushes} data pushes, ${counts.commands} commands, ` +
          `${counts.successfulCallbacks} SUCCESSFUL callbacks, ${counts.failures} failures: ${complete ? 'complete' : 'INCOMPLETE'}`,
      );
      if (!complete) failed += 1;
    }
    if (target.simulator) {
      const stats = target.simulator.stats();
      out(`${stamp()} simulator saw ${stats.logins} login(s), ${stats.refreshes} refresh(es), ${stats.rejectedTokens} rejected token(s), ${stats.calls} calls`);
      const pushes = target.simulator.pushDeliveries();
      const delivered = pushes.filter((p) => p.outcome === 'delivered').length;
      out(`${stamp()} simulator pushed ${pushes.length} notification(s): ${delivered} delivered, ${pushes.length - delivered} not`);
    }
  } catch (error) {
    out(`${stamp()} demo failed: ${errorMessage(error)}`);
    failed += 1;
  } finally {
    await pushLoop?.finish(0);
    if (deviceId) await devices.deleteDirectDevice(deviceId, false, null, null).catch(() => undefined);
    await auth.stopRefreshTokenTimer();
    container.resolve(NorthApiClient).close();
    await target.simulator?.stop();
    out(`${stamp()} refresh timer stopped${target.simulator ? ', simulator stopped' : ''}`);
  }
  return failed === 0 ? 0 : 1;
}

/**
 * Switches the simulator's faults on for the middle third of the callers' run, and off again, saying what was
 * injected and how the calls fared meanwhile. `finish()` switches them off early if the run ends first.
 */
function scheduleFaultPhase(simulator: Simulator, seconds: number, counts: () => { calls: number; failed: number }, say: (line: string) => void): { finish(): void } {
  let phase: ReturnType<typeof startFaultPhase> | undefined;
  let before = counts();
  const end = (): void => {
    if (!phase) return;
    const report = phase.stop();
    phase = undefined;
    const now = counts();
    const injected = Object.entries(report.injected).map(([kind, n]) => `${n} ${kind}`).join(', ') || 'nothing';
    say(`faults OFF: injected ${injected}, ${report.foreignLogins} login(s) from elsewhere; calls meanwhile: ${now.calls - before.calls}, failed: ${now.failed - before.failed}`);
  };
  const on = setTimeout(() => {
    before = counts();
    phase = startFaultPhase(simulator);
    say(`faults ON for ${(seconds / 3).toFixed(1)} s: ${FAULT_PHASE_DESCRIPTION}`);
  }, (seconds * 1000) / 3);
  const off = setTimeout(end, (seconds * 2000) / 3);
  return {
    finish: () => {
      clearTimeout(on);
      clearTimeout(off);
      end();
    },
  };
}

async function resolveTarget(args: ReturnType<typeof parseArgs>): Promise<Target> {
  const platform = stringFlag(args, 'platform');
  if (platform === undefined) {
    const simulator = await startSimulator({ tokenLifetimeSeconds: 2 });
    const app = simulator.apps[0]!;
    return {
      clientInfo: { platformIp: simulator.host, platformPort: simulator.port, appId: app.appId, secret: app.secret },
      ssl: { ca: simulator.ca },
      simulator,
      label: `embedded simulator at ${simulator.url} (tokens live 2 s)`,
    };
  }
  const match = /^(.+):(\d+)$/.exec(platform);
  if (!match) throw new Error('--platform must be host:port');
  const appId = stringFlag(args, 'app-id');
  const secret = stringFlag(args, 'secret') ?? process.env.OC_SECRET;
  if (!appId || !secret) throw new Error('--platform needs --app-id and --secret (or OC_SECRET)');
  const caFile = stringFlag(args, 'ca');
  return {
    clientInfo: { platformIp: match[1]!, platformPort: match[2]!, appId, secret },
    ssl: caFile ? { ca: readFileSync(caFile, 'utf8') } : {},
    label: `${platform} (appId ${appId})`,
  };
}
