/**
 * Real redis-server processes for tests: each one listens on a free loopback port, keeps nothing on disk, and is
 * killed when the test process exits.
 *
 *   test('...', { skip: redisSkipReason() }, async (t) => {
 *     const redis = await startRedisServer({ password: 'secret' });
 *     t.after(() => redis.close());
 *     ...
 *   });
 *
 * The server's output is kept in memory only (see output()); nothing here prints it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createCertificateAuthority, issueServerCertificate, rsaKeyPair } from '../../src/simulator/tls.js';

/** How a server is started. */
export interface RedisServerOptions {
  /** requirepass for the default user. */
  password?: string;
  /** An ACL user (with `password`, which is then required): the default user is switched off. */
  username?: string;
  /** Serve TLS only (no plain port), with a certificate from a throw-away CA (see `ca`). */
  tls?: boolean;
}

/** A running (or stopped) redis-server started by startRedisServer(). */
export interface RedisServerHandle {
  /** The address it listens on (loopback only). */
  readonly host: '127.0.0.1';
  /** The port it listens on (the TLS port with `tls`); the same after a restart. */
  readonly port: number;
  /** redis://127.0.0.1:<port> or rediss://127.0.0.1:<port>; never carries credentials. */
  readonly url: string;
  /** PEM of the CA that signed the server certificate (tls only). */
  readonly ca: string | undefined;
  /** Whether the process is alive right now. */
  readonly running: boolean;
  /** Graceful stop (SIGTERM), resolves when the process has exited (kill after 5 s). Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL, resolves when it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same options (nothing persisted: it comes back empty). */
  start(): Promise<void>;
  /** Stops it for good and removes its temporary directory. Idempotent; safe after stop()/kill(). */
  close(): Promise<void>;
  /** What the server printed (for assertion messages). */
  output(): string;
}

const HOST = '127.0.0.1';
const INSTALL_HINT = 'redis-server is not installed (apt-get install redis-server)';
const READY_LINE = 'Ready to accept connections';
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;
/** A killed process is gone at once; this only bounds the wait (and keeps the event loop alive meanwhile). */
const KILL_WAIT_MS = 10_000;
/** Output kept per server (the end of it). */
const OUTPUT_CAP = 64 * 1024;
/** Fresh ports tried by the first start when the chosen one turns out to be taken. */
const FIRST_START_ATTEMPTS = 5;
/** How long a restart keeps trying to bind its port again. */
const RESTART_BIND_WINDOW_MS = 3_000;
const RESTART_BIND_PAUSE_MS = 100;
const BIND_FAILURE = /Address already in use|Could not create server (?:TCP|TLS) listening socket|Failed listening on port/i;

const TLS_FILES = { ca: 'ca.pem', cert: 'server.pem', key: 'server-key.pem' } as const;
const OWN_FILES = new Set<string>(Object.values(TLS_FILES));

/** Path of redis-server on this machine (PATH, /usr/bin, /usr/sbin, /usr/local/bin), or undefined. */
export function redisServerPath(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const dir of [...dirs, '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const candidate = join(dir, 'redis-server');
    try {
      if (!statSync(candidate).isFile()) continue;
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // Not here.
    }
  }
  return undefined;
}

/**
 * For node:test's `skip` option: false when redis-server is installed; otherwise a reason string
 * ("redis-server is not installed (apt-get install redis-server)") so the test is skipped, except when
 * process.env.CI === 'true' or process.env.OC_REQUIRE_REDIS === '1': then it throws an Error saying so,
 * so a CI run cannot skip these tests silently.
 */
export function redisSkipReason(): string | false {
  if (redisServerPath() !== undefined) return false;
  const required = [process.env.CI === 'true' ? 'CI=true' : '', process.env.OC_REQUIRE_REDIS === '1' ? 'OC_REQUIRE_REDIS=1' : ''].filter(
    (r) => r !== '',
  );
  if (required.length > 0) {
    throw new Error(`${INSTALL_HINT}, and these tests may not be skipped here (${required.join(', ')})`);
  }
  return INSTALL_HINT;
}

// ---------------------------------------------------------------------------------------------------------------
// Safety net: whatever the tests do, no redis-server outlives the test process, and no temporary directory stays.

const liveChildren = new Set<ChildProcess>();
const openDirs = new Set<string>();
let exitListenerInstalled = false;
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type TerminatingSignal = (typeof SIGNALS)[number];
const signalListeners = new Map<TerminatingSignal, () => void>();

function killAllNow(): void {
  for (const child of liveChildren) {
    try {
      child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  for (const dir of openDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Nothing more can be done while exiting.
    }
  }
}

/**
 * While servers run, a terminating signal that nothing else in the process handles still ends the process (as it
 * would without these listeners), after killing the servers, which 'exit' listeners would not get to do.
 */
function onSignal(signal: TerminatingSignal): void {
  const ours = signalListeners.get(signal);
  if (process.listeners(signal).some((l) => l !== ours)) return; // Someone else decides; 'exit' still cleans up.
  killAllNow();
  uninstallSignalListeners();
  process.kill(process.pid, signal);
}

function installSignalListeners(): void {
  for (const signal of SIGNALS) {
    if (signalListeners.has(signal)) continue;
    const listener = (): void => onSignal(signal);
    signalListeners.set(signal, listener);
    process.on(signal, listener);
  }
}

function uninstallSignalListeners(): void {
  for (const [signal, listener] of signalListeners) process.off(signal, listener);
  signalListeners.clear();
}

function track(child: ChildProcess): void {
  if (!exitListenerInstalled) {
    exitListenerInstalled = true;
    process.on('exit', killAllNow);
  }
  liveChildren.add(child);
  installSignalListeners();
  child.once('exit', () => {
    liveChildren.delete(child);
    if (liveChildren.size === 0) uninstallSignalListeners();
  });
}

// ---------------------------------------------------------------------------------------------------------------

/** A port the OS considers free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close((err) => (err ? reject(err) : port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function alive(child: ChildProcess | undefined): child is ChildProcess {
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}

/**
 * Resolves when `child` has exited; `onLimit` runs if it has not after `limitMs`. A timer runs all the while, so the
 * event loop stays alive for the (unreferenced) child's exit.
 */
function exited(child: ChildProcess, limitMs: number, onLimit: () => void = () => undefined): Promise<void> {
  if (!alive(child)) return Promise.resolve();
  return new Promise((resolve) => {
    let timer = setTimeout(() => {
      onLimit();
      timer = setTimeout(() => undefined, KILL_WAIT_MS);
    }, limitMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** How redis shows `text` inside a quoted config line (as sdscatrepr writes it), without the quotes. */
function redisRepr(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (c === '\\' || c === '"') out += `\\${c}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (byte === 7) out += '\\a';
    else if (byte === 8) out += '\\b';
    else if (byte >= 0x20 && byte < 0x7f) out += c;
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

class LaunchError extends Error {
  constructor(
    message: string,
    readonly bindFailure: boolean,
  ) {
    super(message);
    this.name = 'LaunchError';
  }
}

interface Material {
  dir: string;
  ca: string | undefined;
}

async function prepareDirectory(tls: boolean): Promise<Material> {
  const dir = mkdtempSync(join(tmpdir(), 'oc-redis-'));
  openDirs.add(dir);
  if (!tls) return { dir, ca: undefined };
  try {
    const [caKeys, serverKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
    const ca = createCertificateAuthority(caKeys, 'oceanconnect-north-sdk test redis CA');
    const server = issueServerCertificate(ca, HOST, serverKeys);
    writeFileSync(join(dir, TLS_FILES.ca), ca.certPem);
    writeFileSync(join(dir, TLS_FILES.cert), server.cert);
    writeFileSync(join(dir, TLS_FILES.key), server.key, { mode: 0o600 });
    return { dir, ca: ca.certPem };
  } catch (error) {
    openDirs.delete(dir);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

class RedisServer implements RedisServerHandle {
  readonly host = HOST;
  readonly ca: string | undefined;
  #port = 0;
  #child: ChildProcess | undefined;
  #starting: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #output = '';

  constructor(
    private readonly binary: string,
    private readonly options: RedisServerOptions,
    private readonly material: Material,
  ) {
    this.ca = material.ca;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `${this.options.tls ? 'rediss' : 'redis'}://${HOST}:${this.#port}`;
  }

  get running(): boolean {
    return alive(this.#child);
  }

  output(): string {
    return this.#redact(this.#output);
  }

  /** redis echoes a configuration line it cannot parse, which may hold the password. */
  #redact(text: string): string {
    const { password } = this.options;
    if (password === undefined || password === '') return text;
    let out = text;
    for (const form of new Set([password, redisRepr(password)])) out = out.split(form).join('***');
    return out;
  }

  /** First start: a fresh free port per attempt while the port turns out to be taken. */
  async firstStart(): Promise<void> {
    let last: unknown;
    for (let attempt = 1; attempt <= FIRST_START_ATTEMPTS; attempt++) {
      this.#port = await freePort();
      try {
        await this.#launch();
        return;
      } catch (error) {
        last = error;
        if (!(error instanceof LaunchError && error.bindFailure)) throw error;
      }
    }
    throw last;
  }

  start(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new Error('this redis-server handle is closed'));
    if (this.#starting !== undefined) return this.#starting;
    if (this.running) return Promise.resolve();
    const starting = this.#restart().finally(() => {
      if (this.#starting === starting) this.#starting = undefined;
    });
    this.#starting = starting;
    return starting;
  }

  /** Same port again; it may still be taken for a moment (by the old process's socket or by someone else). */
  async #restart(): Promise<void> {
    const deadline = Date.now() + RESTART_BIND_WINDOW_MS;
    for (;;) {
      try {
        await this.#launch();
        return;
      } catch (error) {
        if (!(error instanceof LaunchError && error.bindFailure) || Date.now() >= deadline) throw error;
      }
      await delay(RESTART_BIND_PAUSE_MS);
    }
  }

  stop(): Promise<void> {
    const child = this.#child;
    if (!alive(child)) return Promise.resolve();
    child.kill('SIGTERM');
    return exited(child, STOP_GRACE_MS, () => child.kill('SIGKILL'));
  }

  kill(): Promise<void> {
    const child = this.#child;
    if (!alive(child)) return Promise.resolve();
    child.kill('SIGKILL');
    return exited(child, KILL_WAIT_MS);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      try {
        await this.stop();
      } finally {
        openDirs.delete(this.material.dir);
        rmSync(this.material.dir, { recursive: true, force: true });
      }
    })();
    return this.#closing;
  }

  #append(text: string): void {
    this.#output += text;
    if (this.#output.length > OUTPUT_CAP) this.#output = this.#output.slice(-OUTPUT_CAP);
  }

  #arguments(): string[] {
    const { dir } = this.material;
    const args = ['--bind', HOST, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir, '--logfile', ''];
    if (this.options.tls) {
      args.push('--port', '0', '--tls-port', String(this.#port), '--tls-auth-clients', 'no');
      args.push('--tls-cert-file', join(dir, TLS_FILES.cert), '--tls-key-file', join(dir, TLS_FILES.key));
      args.push('--tls-ca-cert-file', join(dir, TLS_FILES.ca));
    } else {
      args.push('--port', String(this.#port));
    }
    const { username, password } = this.options;
    if (username !== undefined) {
      // Each word of an ACL rule is its own argument; redis quotes them again when it joins them into a config line.
      args.push('--user', 'default', 'off', '--user', username, 'on', `>${password ?? ''}`, '~*', '&*', '+@all');
    } else if (password !== undefined) {
      args.push('--requirepass', password);
    }
    return args;
  }

  /** Removes whatever an earlier run may have saved (SAVE, BGSAVE), so that a restart comes back empty. */
  #clearData(): void {
    for (const name of readdirSync(this.material.dir)) {
      if (!OWN_FILES.has(name)) rmSync(join(this.material.dir, name), { recursive: true, force: true });
    }
  }

  /** One redis-server process on this.#port; resolves when it is ready to accept connections. */
  #launch(): Promise<void> {
    if (this.#closing !== undefined) return Promise.reject(new Error('this redis-server handle is closed'));
    this.#clearData();
    const port = this.#port;
    const child = spawn(this.binary, this.#arguments(), { cwd: this.material.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#child = child;
    track(child);
    // Only the timers of start(), stop() and kill() keep the test process alive: one that ends without close()
    // does not hang on its servers (the 'exit' listener kills them).
    child.unref();

    let launchOutput = '';
    let ready = false;
    let timedOut = false;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
      const describe = (what: string): string =>
        `redis-server (${HOST}:${port}${this.options.tls ? ', tls' : ''}) ${what}; its output:\n` +
        (this.#redact(launchOutput).trimEnd() || '(none)');

      const collect = (stream: NodeJS.ReadableStream | null, watch: boolean): void => {
        if (stream === null) return;
        stream.setEncoding('utf8');
        (stream as unknown as { unref?: () => void }).unref?.();
        let tail = '';
        stream.on('data', (chunk: string) => {
          this.#append(chunk);
          if (ready) return;
          if (launchOutput.length < OUTPUT_CAP) launchOutput += chunk;
          if (watch && (tail + chunk).includes(READY_LINE)) {
            ready = true;
            settle();
          }
          tail = (tail + chunk).slice(-READY_LINE.length);
        });
      };
      collect(child.stdout, true);
      collect(child.stderr, false);

      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
        void exited(child, KILL_WAIT_MS).then(() =>
          settle(new Error(describe(`was not ready within ${READY_TIMEOUT_MS / 1000} s`))),
        );
      }, READY_TIMEOUT_MS);

      child.once('error', (error) => settle(new Error(describe(`could not be started: ${error.message}`))));
      child.once('exit', (code, signal) => {
        if (ready || timedOut) return;
        // Let the last lines (the reason it stopped) arrive before reporting them.
        let reported = false;
        const report = (): void => {
          if (reported) return;
          reported = true;
          clearTimeout(fallback);
          const how = signal !== null ? `by ${signal}` : `with code ${code}`;
          settle(new LaunchError(describe(`exited ${how} before it was ready`), BIND_FAILURE.test(launchOutput)));
        };
        const fallback = setTimeout(report, 200);
        child.once('close', report);
      });
    });
  }
}

/** Starts a redis-server on a free port of 127.0.0.1 and resolves when it accepts connections. */
export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServerHandle> {
  if (options.username !== undefined && options.password === undefined) {
    throw new Error('startRedisServer: `username` needs a `password`');
  }
  if (options.username === '') throw new Error('startRedisServer: `username` is empty');
  const binary = redisServerPath();
  if (binary === undefined) throw new Error(INSTALL_HINT);
  const material = await prepareDirectory(options.tls === true);
  const server = new RedisServer(binary, { ...options }, material);
  try {
    await server.firstStart();
  } catch (error) {
    await server.close();
    throw error;
  }
  return server;
}
