import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { readmeBlock, summaryMarkdown, type SuiteReport } from '../../benchmarks/lib/report.js';
import { ROOT } from '../helpers/run-node.js';

const report = JSON.parse(readFileSync(`${ROOT}benchmarks/results/latest.json`, 'utf8')) as SuiteReport;

test('the saved benchmark results cover P1 to P6, each against a baseline, and explain every missed goal', () => {
  assert.deepEqual(report.figures.map((f) => f.id), ['P1', 'P2', 'P3', 'P4', 'P5a', 'P5b', 'P6']);
  assert.deepEqual(report.failures, []);
  for (const figure of report.figures) {
    assert.ok(Number.isFinite(figure.baseline) && figure.baselineName !== '', `${figure.id} has a baseline`);
    assert.ok(figure.meetsGoal || /Reason: .+ Plan: .+/.test(figure.notes), `${figure.id} misses its goal without a reason and a plan`);
  }
});

test('README and benchmarks/results/latest.md show the saved results', () => {
  const readme = readFileSync(`${ROOT}README.md`, 'utf8');
  assert.ok(readme.includes(readmeBlock(report)), 'README shows the figures of latest.json (run npm run bench to refresh both)');
  assert.ok(readme.includes('](benchmarks/results/latest.md)'), 'README links the summary');
  assert.equal(readFileSync(`${ROOT}benchmarks/results/latest.md`, 'utf8'), summaryMarkdown(report));
});
