/**
 * Runs the test suite (`npm test`) and then searches its whole output for every credential the simulator handed out
 * or was configured with during the run: app secrets, access tokens and refresh tokens.
 *
 *   node dist/test/run-tests.js [file or directory ...] [--node-test-option ...]
 *
 * Without paths it runs every dist/test/**\/*.test.js; with paths, only the test files given or found under the
 * directories given (so `npm test -- dist/test/unit` runs the unit tests). Arguments starting with `-` go to
 * `node --test` as they are (give values as `--option=value`).
 *
 * The credentials are collected by test/helpers/credential-recorder.ts, loaded into the test processes and every
 * process they start through NODE_OPTIONS (`--import`); it appends them to a temporary file. The child's output is
 * streamed through as it comes and kept; after the run one summary line is printed. Exit status: non-zero when the
 * tests failed, when a credential occurs in the output (each hit is reported by kind and line, the value masked),
 * or when fewer credentials were recorded than a full run certainly makes (the recorder is not working).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CREDENTIALS_FILE_ENV } from './helpers/credential-recorder.js';
import { CHILD_OUTPUT_DIR_ENV } from './helpers/run-node.js';
import { describeHits, parseCredentialLines, scanForCredentials, summaryLine, type ScanResult } from './helpers/credential-scan.js';

/** A full run records far more (every login and refresh of ~300 tests); fewer means the recorder is not working. */
const FULL_RUN_FLOOR = 50;

const TEST_ROOT = fileURLToPath(new URL('.', import.meta.url));
const RECORDER = new URL('./helpers/credential-recorder.js', import.meta.url);
const recorderHint = `is ${fileURLToPath(RECORDER)} loaded (NODE_OPTIONS --import) in the processes that start simulators?`;

/** Every *.test.js under `dir`. */
function testFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFilesUnder(path));
    else if (entry.isFile() && entry.name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

/** As the command line shows it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function selectFiles(paths: string[]): string[] {
  const files = new Set<string>();
  for (const given of paths.length > 0 ? paths : [TEST_ROOT]) {
    if (!existsSync(given)) throw new Error(`no such test file or directory: ${given}`);
    if (statSync(given).isDirectory()) for (const file of testFilesUnder(given)) files.add(shown(file));
    else files.add(shown(given));
  }
  return [...files].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function withRecorder(env: NodeJS.ProcessEnv, credentialsFile: string, childOutputDir: string): NodeJS.ProcessEnv {
  const options = [env.NODE_OPTIONS, `--import=${RECORDER.href}`].filter((o) => o !== undefined && o !== '').join(' ');
  return { ...env, NODE_OPTIONS: options, [CREDENTIALS_FILE_ENV]: credentialsFile, [CHILD_OUTPUT_DIR_ENV]: childOutputDir };
}

interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: Buffer;
}

function runNodeTest(files: string[], nodeTestOptions: string[], env: NodeJS.ProcessEnv): Promise<RunOutcome> {
  const args = ['--test', '--test-concurrency=1', '--test-timeout=300000', '--test-reporter=spec', ...nodeTestOptions, ...files];
  const child = spawn(process.execPath, args, { stdio: ['inherit', 'pipe', 'pipe'], env });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    process.stderr.write(chunk);
  });
  // Ctrl+C reaches the child too; either signal ends the run, and the scan and clean-up still happen.
  const forward = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      process.off('SIGINT', forward);
      process.off('SIGTERM', forward);
      resolve({ code, signal, stdout: Buffer.concat(stdout), stderr: Buffer.concat(stderr) });
    });
  });
}

async function main(argv: string[]): Promise<number> {
  const paths = argv.filter((a) => !a.startsWith('-'));
  const nodeTestOptions = argv.filter((a) => a.startsWith('-'));
  let files: string[];
  try {
    files = selectFiles(paths);
  } catch (error) {
    process.stderr.write(`run-tests: ${(error as Error).message}\n`);
    return 2;
  }
  if (files.length === 0) {
    process.stderr.write(`run-tests: no *.test.js files in ${paths.join(' ') || shown(TEST_ROOT)}\n`);
    return 2;
  }

  const dir = mkdtempSync(join(tmpdir(), 'oc-privacy-scan-'));
  const cleanUp = (): void => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanUp);
  try {
    const credentialsFile = join(dir, 'credentials.jsonl');
    // What tests capture of their child processes (the demo, the simulator process, benchmark children) and print only
    // on failure: kept here by keepChildOutput() and scanned too.
    const childOutputDir = join(dir, 'children');
    mkdirSync(childOutputDir);
    const run = await runNodeTest(files, nodeTestOptions, withRecorder(process.env, credentialsFile, childOutputDir));
    const credentials = existsSync(credentialsFile) ? parseCredentialLines(readFileSync(credentialsFile, 'utf8')) : [];

    const streams = [
      { source: 'stdout', text: run.stdout.toString('utf8') },
      { source: 'stderr', text: run.stderr.toString('utf8') },
      ...readdirSync(childOutputDir)
        .sort()
        .map((name) => ({ source: `child output ${name}`, text: readFileSync(join(childOutputDir, name), 'utf8') })),
    ];
    const results = streams.map(({ source, text }) => ({ source, text, result: scanForCredentials(text, credentials) }));
    const combined: ScanResult = { ...results[0]!.result, hits: results.flatMap((r) => r.result.hits) };
    const recorded = new Set(credentials.map((c) => c.value)).size;

    for (const { source, text, result } of results) {
      for (const line of describeHits(result, text, source)) process.stderr.write(`privacy scan: credential in ${line}\n`);
    }
    const bytes = streams.reduce((sum, { text }) => sum + Buffer.byteLength(text), 0);
    process.stdout.write(`\n${summaryLine(combined, bytes)} (${streams.length - 2} child process outputs included)\n`);

    let status = run.code ?? 1;
    if (run.signal !== null) process.stderr.write(`run-tests: node --test ended by ${run.signal}\n`);
    if (combined.hits.length > 0) {
      process.stderr.write('privacy scan: FAILED: credentials occur in the test output (see above)\n');
      status = status || 1;
    }
    // A subset may start no simulator at all; a full run logs in hundreds of times.
    const fullRun = argv.length === 0;
    if (fullRun && recorded < FULL_RUN_FLOOR) {
      process.stderr.write(`privacy scan: FAILED: only ${recorded} credential(s) recorded, expected at least ${FULL_RUN_FLOOR}: ${recorderHint}\n`);
      status = status || 1;
    } else if (recorded === 0) {
      process.stderr.write(`privacy scan: note: no credential recorded (no simulator started?): ${recorderHint}\n`);
    }
    return status;
  } finally {
    cleanUp();
    process.off('exit', cleanUp);
  }
}

process.exitCode = await main(process.argv.slice(2));
