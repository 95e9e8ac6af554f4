import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/test/...). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where the test runner (test/run-tests.ts) wants the output of child processes, to scan it for credentials. */
export const CHILD_OUTPUT_DIR_ENV = 'OC_CHILD_OUTPUT_DIR';
let kept = 0;

/**
 * Hands the captured output of a child process to the test runner's privacy scan (a test prints it only when it
 * fails). Does nothing outside the runner.
 */
export function keepChildOutput(label: string, output: string): void {
  const dir = process.env[CHILD_OUTPUT_DIR_ENV];
  if (!dir) return;
  kept += 1;
  writeFileSync(join(dir, `${process.pid}-${kept}-${label.replace(/[^\w.-]+/g, '_').slice(0, 60)}.txt`), output);
}

/**
 * Runs `node <args>` in the repository root, with `env` added to the environment; resolves with the exit code and
 * stdout+stderr. Killed after `limitMs`.
 */
export function runNode(args: string[], limitMs = 60_000, env: Record<string, string> = {}): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      keepChildOutput(args.join(' '), output);
      resolve({ code, output });
    });
  });
}
