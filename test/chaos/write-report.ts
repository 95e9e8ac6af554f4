/**
 * `npm run reliability`: runs the chaos run (60 s, 100 callers, 2 s tokens) and the fault matrix, prints the figures
 * and writes them into docs/reliability.md, between its markers. RELIABILITY_DOC sends the page elsewhere;
 * CHAOS_DURATION_MS shortens the chaos run (the page then says so).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describeMachine, machineInfo } from '../../benchmarks/lib/machine.js';
import { runFaultMatrix, type MatrixRow } from './fault-matrix.js';
import { runChaos, type ChaosReport } from './scenario.js';

export const RELIABILITY_DOC = fileURLToPath(new URL('../../../docs/reliability.md', import.meta.url));
export const START_MARKER = '<!-- reliability:start: written by npm run reliability -->';
export const END_MARKER = '<!-- reliability:end -->';
export const COMMAND = 'npm run reliability';

function table(header: string[], rows: Array<Array<string | number>>): string {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '0 %' : `${((100 * part) / whole).toFixed(2)} %`;
}

/** The generated part of docs/reliability.md. */
export function renderReport(chaos: ChaosReport, matrix: MatrixRow[], machine: string, elapsedS: number): string {
  const calls = chaos.calls;
  const injected = table(
    ['Injected', 'Times'],
    Object.entries(chaos.injected).map(([what, times]) => [what, times]),
  );
  const kinds = table(
    ['Call', 'Calls', 'Failed'],
    Object.entries(calls.byKind).map(([kind, k]) => [kind, k.total, `${k.failed} (${percent(k.failed, k.total)})`]),
  );
  const causes = table(
    ['Cause of the failure', 'Calls'],
    Object.keys(chaos.failures).length === 0 ? [['(none)', 0]] : Object.entries(chaos.failures).map(([cause, n]) => [cause, n]),
  );
  const outcome = table(
    ['Figure', 'Value'],
    [
      ['calls', calls.total],
      ['succeeded', `${calls.succeeded} (${percent(calls.succeeded, calls.total)})`],
      ['failed, explained by an injected fault', calls.failed - chaos.unexplained],
      ['**failed, not explained (token lifecycle, SDK)**', `**${chaos.unexplained}**`],
      ['unhandled rejections', chaos.unhandledRejections],
      ['median call', `${chaos.medianCallMs} ms`],
      ['slowest call', `${chaos.slowestCallMs} ms`],
      ['logins / refreshes at the simulator', `${chaos.platform.logins} / ${chaos.platform.refreshes}`],
      ['calls rejected for a void token (1010005), then replayed', chaos.platform.rejectedTokens],
      ['failed refresh attempts the SDK retried', chaos.sdk.refreshFailed],
    ],
  );
  const matrixTable = table(
    ['Fault (every request)', 'Call', 'Calls', 'What the callers got', 'Requests sent', 'Median call', 'What the SDK does', 'As expected?'],
    matrix.map((r) => [
      r.fault,
      r.call,
      r.calls,
      Object.entries(r.outcomes)
        .map(([o, n]) => `${n} × ${o}`)
        .join(', '),
      r.requests,
      `${r.medianMs} ms`,
      r.behaviour,
      r.met ? 'yes' : '**no**',
    ]),
  );
  return [
    START_MARKER,
    `Produced by \`${COMMAND}\` on ${machine}; ${elapsedS.toFixed(0)} s in all.`,
    '',
    `### Chaos run: ${chaos.durationMs / 1000} s, ${chaos.callers} null-token callers, ${chaos.tokenLifetimeSeconds} s tokens`,
    '',
    `Seed ${chaos.seed}; the last calls ended ${(chaos.elapsedMs / 1000).toFixed(1)} s after the start.`,
    '',
    injected,
    '',
    outcome,
    '',
    kinds,
    '',
    causes,
    '',
    '### One fault at a time (outcome codes are `errorCode/httpStatusCode`)',
    '',
    matrixTable,
    END_MARKER,
  ].join('\n');
}

/** `text` with the part between the markers replaced by `block` (which carries the markers). */
export function replaceBlock(text: string, block: string): string {
  const start = text.indexOf(START_MARKER);
  const end = text.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`docs/reliability.md lacks the ${START_MARKER} ... ${END_MARKER} markers`);
  return text.slice(0, start) + block + text.slice(end + END_MARKER.length);
}

async function main(): Promise<void> {
  const started = performance.now();
  const progress = (line: string): void => console.log(line);
  const chaos = await runChaos({ durationMs: Number(process.env.CHAOS_DURATION_MS ?? 60_000), callers: 100, tokenLifetimeSeconds: 2, progress });
  const matrix = await runFaultMatrix(progress);
  const block = renderReport(chaos, matrix, describeMachine(machineInfo()), (performance.now() - started) / 1000);
  console.log(block);
  const target = process.env.RELIABILITY_DOC ?? RELIABILITY_DOC;
  writeFileSync(target, replaceBlock(readFileSync(target, 'utf8'), block));
  console.log(`written to ${target}`);
  if (chaos.unexplained > 0 || chaos.unhandledRejections > 0 || matrix.some((r) => !r.met)) process.exitCode = 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
