/**
 * Command-line runner: starts a simulator in this process and keeps it running
 * until SIGINT/SIGTERM, or (with --json) until stdin ends, which lets a parent
 * process stop it by closing the pipe.
 */
import { writeFile } from 'node:fs/promises';
import { resolve as resolvePath } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { startSimulator } from './server.js';
import type { SimulatorApp, SimulatorOptions } from './types.js';
import { randomHex } from './util.js';

export const DEFAULT_CLI_PORT = 8743;
export const DEFAULT_CA_FILE = 'oceanconnect-simulator-ca.pem';

export const CLI_USAGE = `Usage: simulator [options]

Runs a local OceanConnect northbound platform simulator.

Options:
  --host <host>                   interface to listen on (default 127.0.0.1)
  --port <port>                   TCP port, 0 for any free port (default ${DEFAULT_CLI_PORT})
  --http                          plain HTTP instead of HTTPS
  --token-lifetime <seconds>      access token lifetime (default 3600)
  --refresh-token-lifetime <s>    refresh token lifetime (default 86400)
  --app-id <appId>                application id (repeatable, paired with --secret)
  --secret <secret>               application secret (repeatable)
  --grant <owner>:<grantee>       let <grantee> use <owner>'s resources via ?appId= (repeatable)
  --throttle <limit>/<windowMs>   per-app flow control, e.g. 100/60000
  --max-recorded-requests <n>     size of the request log (default 10000)
  --push-retries <n>              retries of a push that failed (default 3)
  --push-backoff-ms <ms>          wait before the first push retry, doubled for each
                                  further retry (default 200)
  --push-timeout-ms <ms>          time limit of one push attempt (default 5000)
  --ca-file <path>                where to write the CA certificate (default ./${DEFAULT_CA_FILE})
  --json                          print one JSON line with the connection details and
                                  stop when stdin ends
  -h, --help                      show this help
`;

export interface CliStreams {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
}

interface ParsedCli {
  help: boolean;
  json: boolean;
  caFile?: string;
  options: SimulatorOptions;
}

class UsageError extends Error {}

function numberArg(flag: string, value: string, check: (n: number) => boolean): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`invalid value for ${flag}: ${value}`);
  return n;
}

export function parseCliArgs(argv: string[]): ParsedCli {
  const appIds: string[] = [];
  const secrets: string[] = [];
  const grants: Array<[string, string]> = [];
  const options: SimulatorOptions = { port: DEFAULT_CLI_PORT };
  let json = false;
  let help = false;
  let caFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    let flag = arg;
    let inline: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      flag = arg.slice(0, eq);
      inline = arg.slice(eq + 1);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`${flag} needs a value`);
      i += 1;
      return next;
    };
    const noValue = (): void => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case '--host':
        options.host = value();
        if (options.host === '') throw new UsageError('--host must not be empty');
        break;
      case '--port':
        options.port = numberArg(flag, value(), (n) => Number.isInteger(n) && n >= 0 && n <= 65535);
        break;
      case '--http':
        noValue();
        options.protocol = 'http';
        break;
      case '--token-lifetime':
        options.tokenLifetimeSeconds = numberArg(flag, value(), (n) => n > 0);
        break;
      case '--refresh-token-lifetime':
        options.refreshTokenLifetimeSeconds = numberArg(flag, value(), (n) => n > 0);
        break;
      case '--app-id':
        appIds.push(value());
        break;
      case '--secret':
        secrets.push(value());
        break;
      case '--grant': {
        const v = value();
        const m = /^([^:\s]+):([^:\s]+)$/.exec(v);
        if (!m) throw new UsageError(`--grant expects <owner>:<grantee>, got ${v}`);
        grants.push([m[1]!, m[2]!]);
        break;
      }
      case '--throttle': {
        const v = value();
        const m = /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(v);
        if (!m || Number(m[2]) <= 0) throw new UsageError(`--throttle expects <limit>/<windowMs>, got ${v}`);
        options.throttle = { limit: Number(m[1]), windowMs: Number(m[2]) };
        break;
      }
      case '--max-recorded-requests':
        options.maxRecordedRequests = numberArg(flag, value(), (n) => Number.isInteger(n) && n >= 0);
        break;
      case '--push-retries':
        options.push = { ...options.push, retries: numberArg(flag, value(), (n) => Number.isInteger(n) && n >= 0) };
        break;
      case '--push-backoff-ms':
        options.push = { ...options.push, backoffMs: numberArg(flag, value(), (n) => n >= 0) };
        break;
      case '--push-timeout-ms':
        options.push = { ...options.push, timeoutMs: numberArg(flag, value(), (n) => n > 0) };
        break;
      case '--ca-file':
        caFile = value();
        if (caFile === '') throw new UsageError('--ca-file must not be empty');
        break;
      case '--json':
        noValue();
        json = true;
        break;
      case '-h':
      case '--help':
        help = true;
        break;
      default:
        throw new UsageError(`unknown option: ${arg}`);
    }
  }
  const count = Math.max(appIds.length, secrets.length);
  if (count > 0) {
    const apps: SimulatorApp[] = [];
    for (let k = 0; k < count; k++) {
      apps.push({ appId: appIds[k] ?? `sim${randomHex(8)}`, secret: secrets[k] ?? randomHex(16) });
    }
    options.apps = apps;
  }
  if (grants.length > 0) {
    if (!options.apps) throw new UsageError('--grant needs the apps to be named with --app-id');
    for (const [owner, grantee] of grants) {
      const app = options.apps.find((a) => a.appId === owner);
      if (!app) throw new UsageError(`--grant names an unknown app: ${owner}`);
      app.grants = [...(app.grants ?? []), grantee];
    }
  }
  return { help, json, caFile, options };
}

/**
 * Resolves `done` on SIGINT/SIGTERM, or when stdin ends if `watchStdin` is set.
 * `cancel()` removes the listeners without resolving.
 */
function untilShutdown(stdin: Readable, watchStdin: boolean): { done: Promise<void>; cancel: () => void } {
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const stdinEvents = ['end', 'close', 'error'] as const;
  const cleanup = (): void => {
    for (const signal of signals) process.off(signal, trigger);
    if (watchStdin) {
      for (const event of stdinEvents) stdin.off(event, trigger);
      stdin.pause();
      stdin.destroy();
    }
  };
  function trigger(): void {
    cleanup();
    finish();
  }
  for (const signal of signals) process.on(signal, trigger);
  if (watchStdin) {
    for (const event of stdinEvents) stdin.on(event, trigger);
    stdin.resume();
  }
  return { done, cancel: cleanup };
}

/**
 * Runs the simulator from command-line arguments. Resolves with the exit code:
 * 0 after a clean stop, 1 when the simulator cannot start, 2 for bad flags.
 */
export async function runSimulatorCli(argv: string[], streams: Partial<CliStreams> = {}): Promise<number> {
  const stdout = streams.stdout ?? process.stdout;
  const stderr = streams.stderr ?? process.stderr;
  const stdin = streams.stdin ?? process.stdin;
  let parsed: ParsedCli;
  try {
    parsed = parseCliArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    stderr.write(`simulator: ${err.message}\n\n${CLI_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    stdout.write(CLI_USAGE);
    return 0;
  }
  let simulator;
  try {
    simulator = await startSimulator(parsed.options);
  } catch (err) {
    stderr.write(`simulator: cannot start: ${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof TypeError ? 2 : 1;
  }
  // Listen for the shutdown triggers before announcing readiness, so that a
  // parent reacting to the announcement cannot signal us too early.
  const shutdown = untilShutdown(stdin, parsed.json);
  let caFile: string | null = null;
  if (simulator.protocol === 'https') {
    caFile = resolvePath(parsed.caFile ?? DEFAULT_CA_FILE);
    try {
      await writeFile(caFile, simulator.ca, { mode: 0o644 });
    } catch (err) {
      stderr.write(`simulator: cannot write the CA file ${caFile}: ${err instanceof Error ? err.message : String(err)}\n`);
      shutdown.cancel();
      await simulator.stop();
      return 1;
    }
  }
  const apps = simulator.apps.map((a) => ({ ...a }));
  if (parsed.json) {
    const line = {
      url: simulator.url,
      host: simulator.host,
      port: simulator.port,
      protocol: simulator.protocol,
      caFile,
      ca: simulator.ca,
      apps,
    };
    stdout.write(`${JSON.stringify(line)}\n`);
  } else {
    const lines = [
      `OceanConnect platform simulator listening on ${simulator.url}`,
      caFile ? `CA certificate (trust it in your client): ${caFile}` : 'Plain HTTP: no certificate needed.',
      ...apps.map((a) => `Application: appId=${a.appId} secret=${a.secret}`),
      `Device side and test controls: ${simulator.url}/simulator/v1 (see docs/simulator.md in the package)`,
      'Press Ctrl+C to stop.',
    ];
    stdout.write(`${lines.join('\n')}\n`);
  }
  await shutdown.done;
  await simulator.stop();
  return 0;
}
