// The benchmark suite (`npm run bench`): runs every figure in its own process, one after the other, prints the table,
// writes benchmarks/results/latest.json and latest.md, and refreshes the figures in the README.
//   node dist/benchmarks/run.js            all figures; results written
//   node dist/benchmarks/run.js p1 p4      only these; printed, nothing written
// BENCH_RESULTS_DIR and BENCH_README send the results elsewhere; BENCH_SCALE shortens every run (a smoke test), and
// such a run never writes over the published results.
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SCALE, type FigureMessage, type FigureResult } from './lib/figure.js';
import { machineInfo } from './lib/machine.js';
import { textTable, updateReadme, writeResults, type SuiteReport } from './lib/report.js';

const FIGURES = ['p1-overhead', 'p2-token-read', 'p3-soak', 'p4-isolation', 'p5-cold-start', 'p6-throughput'];
/** No figure takes this long; one that does is stopped and reported as failed. */
const FIGURE_TIMEOUT_MS = 4 * 60_000;

const RESULTS_DIR = process.env['BENCH_RESULTS_DIR'] ? pathToFileURL(`${process.env['BENCH_RESULTS_DIR']}/`) : new URL('../../benchmarks/results/', import.meta.url);
const README = process.env['BENCH_README'] ? pathToFileURL(process.env['BENCH_README']) : new URL('../../README.md', import.meta.url);

function runFigure(name: string): Promise<FigureResult[]> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(new URL(`./${name}.js`, import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let message: FigureMessage | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish within ${FIGURE_TIMEOUT_MS / 1000} s`));
    }, FIGURE_TIMEOUT_MS);
    child.on('message', (m: FigureMessage) => (message = m));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (message?.results) resolve(message.results);
      else reject(new Error(message?.error ?? `${name} exited (code ${code}, signal ${signal}) without a result`));
    });
  });
}

const wanted = process.argv.slice(2).map((arg) => arg.toLowerCase());
const selected = wanted.length === 0 ? FIGURES : FIGURES.filter((name) => wanted.some((w) => name.startsWith(w)));
if (selected.length === 0) {
  console.error(`No figure matches ${wanted.join(' ')}; figures: ${FIGURES.join(', ')}`);
  process.exit(2);
}

const started = performance.now();
const report: SuiteReport = { machine: machineInfo(), durationSeconds: 0, figures: [], failures: [] };
for (const name of selected) {
  process.stderr.write(`--- ${name}\n`);
  try {
    report.figures.push(...(await runFigure(name)));
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    report.failures.push({ figure: name, error: text });
    process.stderr.write(`${name} failed: ${text}\n`);
  }
}
report.durationSeconds = Math.round((performance.now() - started) / 100) / 10;

console.log(`\n${textTable(report.figures)}\n`);
console.log(`${report.figures.filter((f) => f.meetsGoal).length} of ${report.figures.length} figures meet their goal; suite ran ${report.durationSeconds} s.`);
if (report.failures.length > 0) {
  console.log(`Did not run: ${report.failures.map((f) => f.figure).join(', ')}`);
  process.exitCode = 1;
}
if (selected.length === FIGURES.length && report.failures.length > 0) {
  console.log('Results not written: the saved figures stay those of the last complete run.');
} else if (SCALE !== 1 && (!process.env['BENCH_RESULTS_DIR'] || !process.env['BENCH_README'])) {
  console.log(`Results not written: a run shortened by BENCH_SCALE=${SCALE} is never published (set BENCH_RESULTS_DIR and BENCH_README).`);
} else if (selected.length === FIGURES.length) {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeResults(RESULTS_DIR, report);
  const readme = updateReadme(README, report) ? ' and the README' : ' (the README has no benchmark markers)';
  console.log(`Wrote ${fileURLToPath(new URL('latest.json', RESULTS_DIR))}, latest.md${readme}.`);
}
