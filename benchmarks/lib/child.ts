/** Helper processes of the figures (load generator, bare server, fresh measuring processes). */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START_TIMEOUT_MS = 60_000;

export interface JsonChild<T> {
  /** The first line the child printed, parsed. */
  first: T;
  /** Closes the child's stdin (its signal to stop) and waits for it to exit; SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node [execArgv] <script>` with `input` as JSON in the environment variable BENCH_INPUT, and waits for its
 * first stdout line (JSON). The child writes one JSON object per line and stops when its stdin ends.
 */
export async function startJsonChild<T>(scriptUrl: URL, input: unknown, execArgv: string[] = []): Promise<JsonChild<T>> {
  const child = spawn(process.execPath, [...execArgv, fileURLToPath(scriptUrl)], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_INPUT: JSON.stringify(input) },
  });
  child.stdin.on('error', () => {});
  // 'close', not 'exit': it comes after the child's output has all been read.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4096);
  });
  let first: T;
  try {
    first = await firstLine<T>(child, () => stderr);
  } catch (error) {
    // A child that printed nothing usable is not left running.
    child.kill('SIGKILL');
    throw error;
  }
  return {
    first,
    async stop(graceMs = 5_000) {
      child.stdin.end();
      let timer: NodeJS.Timeout | undefined;
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          child.kill('SIGKILL');
          resolve();
        }, graceMs);
      });
      await Promise.race([exited, killed]);
      clearTimeout(timer);
      await exited;
    },
  };
}

/** Runs a child that prints one JSON line and then ends by itself; returns that line, parsed. */
export async function runJsonChild<T>(scriptUrl: URL, input: unknown, execArgv: string[] = []): Promise<T> {
  const child = await startJsonChild<T>(scriptUrl, input, execArgv);
  await child.stop(60_000);
  return child.first;
}

function firstLine<T>(child: ChildProcessWithoutNullStreams, stderr: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let buffer = '';
    const done = (error: Error | undefined, line?: string): void => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('close', onExit);
      child.stdout.resume(); // later output is not read, but must not fill the pipe
      if (error) return reject(error);
      try {
        resolve(JSON.parse(line!) as T);
      } catch (parseError) {
        reject(parseError);
      }
    };
    const onData = (chunk: Buffer): void => {
      buffer += chunk.toString('utf8');
      const nl = buffer.indexOf('\n');
      if (nl >= 0) done(undefined, buffer.slice(0, nl));
    };
    const onExit = (code: number | null, signal: string | null): void => done(new Error(`child exited (code ${code}, signal ${signal}): ${stderr()}`));
    const timer = setTimeout(() => done(new Error(`child printed nothing within ${START_TIMEOUT_MS} ms: ${stderr()}`)), START_TIMEOUT_MS);
    child.stdout.on('data', onData);
    child.once('close', onExit);
  });
}

/** In a child: the JSON input its parent passed. */
export function childInput<T>(): T {
  return JSON.parse(process.env.BENCH_INPUT ?? '{}') as T;
}

/** In a child: prints one JSON line for the parent. */
export function reply(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** In a child: resolves when the parent closes stdin. */
export function untilStdinEnds(): Promise<void> {
  return new Promise((resolve) => {
    process.stdin.on('end', () => resolve());
    process.stdin.on('close', () => resolve());
    process.stdin.resume();
  });
}
