import { fileURLToPath } from 'node:url';

/** One published figure. `ratio` is `value / baseline`; both are measured in the same run. */
export interface FigureResult {
  id: string;
  name: string;
  goal: string;
  value: number;
  unit: string;
  /** What the value is compared with, in the same unit. */
  baseline: number;
  /** What the baseline is. */
  baselineName: string;
  ratio: number;
  meetsGoal: boolean;
  /** How it was measured; for a missed goal, the reason and the plan. */
  notes: string;
  /** The raw numbers behind the figure. */
  details: Record<string, unknown>;
}

/** What the runner sends a figure's child process and gets back. */
export interface FigureMessage {
  results?: FigureResult[];
  error?: string;
}

/**
 * `BENCH_SCALE` (0 < scale <= 1, default 1) shortens every figure's run by that factor: a smoke test of the suite
 * (test/e2e/bench-smoke.test.ts). Figures of a shortened run mean nothing and are never published.
 */
export const SCALE = ((): number => {
  const text = process.env['BENCH_SCALE'];
  if (text === undefined || text === '') return 1;
  const scale = Number(text);
  if (!(scale > 0 && scale <= 1)) throw new Error(`BENCH_SCALE must be a number in (0, 1], not ${text}`);
  return scale;
})();

/** A count or a duration shortened by {@link SCALE}, never below `min`. */
export function scaled(full: number, min = 1): number {
  return Math.max(min, Math.round(full * SCALE));
}

export function ratio(value: number, baseline: number): number {
  return baseline === 0 ? Number.NaN : value / baseline;
}

/** Progress lines go to stderr, so that stdout carries only the table. */
export function progress(id: string, message: string): void {
  process.stderr.write(`[${id}] ${message}\n`);
}

/**
 * Runs `measure` when this module is the process's entry point: under the runner (forked, with an IPC channel) the
 * results are sent back to it; run on its own, the figure is printed. Either way the process then ends by itself:
 * a figure must close every server, socket, worker and timer it opened.
 */
export function figureMain(moduleUrl: string, measure: () => Promise<FigureResult | FigureResult[]>): void {
  if (process.argv[1] !== fileURLToPath(moduleUrl)) return;
  measure().then(
    (measured) => {
      const results = Array.isArray(measured) ? measured : [measured];
      if (process.send) process.send({ results } satisfies FigureMessage, () => process.disconnect());
      else console.log(JSON.stringify(results, null, 2));
    },
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.exitCode = 1;
      if (process.send) process.send({ error: text } satisfies FigureMessage, () => process.disconnect());
      else console.error(text);
    },
  );
}

/** For a missed goal: adds why, and what is planned, to the notes (a met goal is returned unchanged). */
export function explainMiss(result: FigureResult, reason: string, plan: string): FigureResult {
  if (result.meetsGoal) return result;
  return { ...result, notes: `${result.notes} Goal missed. Reason: ${reason} Plan: ${plan}` };
}
