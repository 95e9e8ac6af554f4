import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readmeBlock, summaryMarkdown, type SuiteReport } from '../../benchmarks/lib/report.js';
import { ROOT, runNode } from '../helpers/run-node.js';

test('npm run bench runs every figure and writes latest.json, latest.md and the README block (shortened run, elsewhere)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  try {
    copyFileSync(`${ROOT}README.md`, join(dir, 'README.md'));
    const published = readFileSync(`${ROOT}benchmarks/results/latest.json`, 'utf8');
    const { code, output } = await runNode(['dist/benchmarks/run.js'], 5 * 60_000, {
      BENCH_SCALE: '0.02',
      BENCH_RESULTS_DIR: join(dir, 'results'),
      BENCH_README: join(dir, 'README.md'),
    });
    assert.equal(code, 0, output);
    const report = JSON.parse(readFileSync(join(dir, 'results', 'latest.json'), 'utf8')) as SuiteReport;
    assert.deepEqual(report.figures.map((f) => f.id), ['P1', 'P2', 'P3', 'P4', 'P5a', 'P5b', 'P6']);
    assert.deepEqual(report.failures, []);
    for (const figure of report.figures) assert.ok(Number.isFinite(figure.value) && Number.isFinite(figure.baseline), figure.id);
    assert.equal(readFileSync(join(dir, 'results', 'latest.md'), 'utf8'), summaryMarkdown(report));
    assert.ok(readFileSync(join(dir, 'README.md'), 'utf8').includes(readmeBlock(report)));
    // The published figures are untouched.
    assert.equal(readFileSync(`${ROOT}benchmarks/results/latest.json`, 'utf8'), published);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
