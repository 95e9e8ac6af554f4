import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MATRIX } from '../chaos/fault-matrix.js';
import { COMMAND, END_MARKER, RELIABILITY_DOC, START_MARKER } from '../chaos/write-report.js';
import { ROOT, runNode } from '../helpers/run-node.js';

function block(text: string): string {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  assert.ok(start >= 0 && end > start, 'the figures block is there');
  return text.slice(start, end);
}

/**
 * Checks a written figures block: the command, a chaos run with no unexplained failure, every matrix row met, and
 * (for a full-length run; a few seconds may see no refresh fail) every random fault injected at least once.
 */
function checkFigures(figures: string, chaosSeconds: number, everyFaultInjected: boolean): void {
  assert.match(figures, new RegExp(`Produced by \`${COMMAND}\` on .+ Node v\\d+`));
  assert.match(figures, new RegExp(`### Chaos run: ${chaosSeconds} s, 100 null-token callers, 2 s tokens`));
  assert.match(figures, /\| \*\*failed, not explained \(token lifecycle, SDK\)\*\* \| \*\*0\*\* \|/);
  assert.match(figures, /\| unhandled rejections \| 0 \|/);
  for (const label of ['latency', 'refresh endpoint 503', 'business call 503', 'connection reset', 'login from elsewhere']) {
    assert.match(figures, new RegExp(`\\| ${label}[^|]* \\| ${everyFaultInjected ? '[1-9]' : ''}\\d* \\|`), `${label} injected`);
  }
  for (const row of MATRIX) {
    const line = figures.split('\n').find((l) => l.startsWith(`| ${row.fault} | ${row.call} |`));
    assert.ok(line, `matrix row ${row.fault} ${row.call}`);
    assert.ok(line.endsWith('| yes |'), line);
  }
}

test('docs/reliability.md shows the figures of a full run, and the README points to it', () => {
  checkFigures(block(readFileSync(RELIABILITY_DOC, 'utf8')), 60, true);
  assert.match(readFileSync(join(ROOT, 'README.md'), 'utf8'), /\[docs\/reliability\.md\]\(docs\/reliability\.md\)/);
});

test('npm run reliability runs (chaos shortened) and writes the figures into the page', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'oc-reliability-'));
  try {
    const doc = join(dir, 'reliability.md');
    copyFileSync(RELIABILITY_DOC, doc);
    const { code, output } = await runNode(['dist/test/chaos/write-report.js'], 240_000, { CHAOS_DURATION_MS: '4000', RELIABILITY_DOC: doc });
    assert.equal(code, 0, output);
    checkFigures(block(readFileSync(doc, 'utf8')), 4, false);
    assert.equal(readFileSync(doc, 'utf8').split(START_MARKER)[0], readFileSync(RELIABILITY_DOC, 'utf8').split(START_MARKER)[0], 'the text around the block is kept');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
