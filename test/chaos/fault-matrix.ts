/**
 * One fault at a time: each row injects one fault into every request of one kind, makes a few calls through the
 * public API, and records what the callers got and how many requests reached the simulator.
 */
import { performance } from 'node:perf_hooks';
import { DataCollection, NorthApiException, type HttpOptions } from '../../src/index.js';
import { startSimulator, type FaultRule, type Simulator } from '../../src/simulator/index.js';
import { randomNodeId, sdkFor } from '../helpers/sdk.js';

const REG = '/iocm/app/reg/v1.1.0/deviceCredentials';
const DEVICES = '/iocm/app/dm/v1.4.0/devices';
const CALLS = 10;

type CallKind = 'GET' | 'POST';

export interface MatrixCase {
  fault: string;
  /** Applied to every request of `call`'s path while the row runs; absent for the login-from-elsewhere row. */
  rule?: FaultRule;
  call: CallKind;
  http?: HttpOptions;
  /**
   * The outcome every call must have: 'ok', an error code with its HTTP status ('50252/503'), or an error code alone
   * ('1010009': with 403 when the platform answered it, -1 when the call was held back unsent).
   */
  expected: string;
  /** Requests that reach the simulator per call. */
  requestsPerCall: number;
  /** What the SDK does, in words, for the report. */
  behaviour: string;
  /** Calls are made in two concurrent waves instead of one after another. */
  waves?: boolean;
  /** Log in from elsewhere before each call, voiding the token the call is about to use. */
  foreignLogin?: boolean;
}

export const MATRIX: readonly MatrixCase[] = [
  { fault: 'latency 200 ms', rule: { kind: 'latency', latencyMs: 200 }, call: 'GET', expected: 'ok', requestsPerCall: 1, behaviour: 'waits; nothing else' },
  { fault: '503', rule: { kind: 'status', status: 503 }, call: 'GET', http: { retryBaseDelayMs: 20 }, expected: '50252/503', requestsPerCall: 3, behaviour: 'retried twice with backoff, then surfaced' },
  { fault: '503', rule: { kind: 'status', status: 503 }, call: 'POST', expected: '50252/503', requestsPerCall: 1, behaviour: 'surfaced at once: a POST is never sent twice' },
  { fault: 'connection reset', rule: { kind: 'reset' }, call: 'GET', http: { retryBaseDelayMs: 20 }, expected: '1003/-1', requestsPerCall: 3, behaviour: 'retried twice, then surfaced' },
  { fault: 'connection reset', rule: { kind: 'reset' }, call: 'POST', expected: '1003/-1', requestsPerCall: 1, behaviour: 'surfaced at once' },
  { fault: 'no answer (hang)', rule: { kind: 'hang' }, call: 'GET', http: { timeoutMs: 1_000 }, expected: '1012/-1', requestsPerCall: 1, behaviour: 'times out after http.timeoutMs; not retried' },
  { fault: 'HTML error page 502', rule: { kind: 'html', status: 502 }, call: 'GET', http: { retryBaseDelayMs: 20 }, expected: '1011/502', requestsPerCall: 3, behaviour: 'retried twice, then surfaced with the status and the page in httpMessage' },
  { fault: 'HTML error page 502', rule: { kind: 'html', status: 502 }, call: 'POST', expected: '1011/502', requestsPerCall: 1, behaviour: 'surfaced at once' },
  { fault: 'truncated body', rule: { kind: 'truncate' }, call: 'GET', http: { retryBaseDelayMs: 20 }, expected: '1004/200', requestsPerCall: 3, behaviour: 'retried twice, then surfaced with the status' },
  { fault: 'truncated body', rule: { kind: 'truncate' }, call: 'POST', expected: '1004/200', requestsPerCall: 1, behaviour: 'surfaced at once (the platform did act on it)' },
  { fault: 'oversized body (16 MiB, chunked)', rule: { kind: 'oversize' }, call: 'GET', expected: '1004/200', requestsPerCall: 1, behaviour: 'reading stops at http.maxResponseBytes (10 MiB); not retried' },
  {
    fault: 'throttle (403 1010009)',
    rule: { kind: 'throttle' },
    call: 'GET',
    http: { throttleBaseDelayMs: 200 },
    expected: '1010009',
    requestsPerCall: 0.6,
    waves: true,
    behaviour: 'surfaced after the backoff; during it, one probe is sent and the other calls fail unsent',
  },
  { fault: 'login from elsewhere before each call', call: 'GET', expected: 'ok', requestsPerCall: 2, foreignLogin: true, behaviour: 'rejected (1010005), renewed, replayed: the caller never sees it' },
];

export interface MatrixRow {
  fault: string;
  call: CallKind;
  calls: number;
  requests: number;
  outcomes: Record<string, number>;
  expected: string;
  expectedRequests: number;
  behaviour: string;
  medianMs: number;
  met: boolean;
}

function outcomeOf(error: unknown): string {
  if (error === undefined) return 'ok';
  if (error instanceof NorthApiException) return `${error.errorCode}/${error.httpStatusCode}`;
  return `not a NorthApiException: ${String(error)}`;
}

/** Every one of `calls` outcomes is `expected`, or (for a bare error code) that code with any status. */
export function outcomesMatch(outcomes: Record<string, number>, expected: string, calls: number): boolean {
  const matching = Object.entries(outcomes).filter(([outcome]) => outcome === expected || (!expected.includes('/') && outcome.startsWith(`${expected}/`)));
  return matching.reduce((sum, [, n]) => sum + n, 0) === calls;
}

async function runCase(sim: Simulator, row: MatrixCase): Promise<MatrixRow> {
  const sdk = sdkFor(sim, sim.apps[0], { http: row.http ?? {}, logger: {} });
  const data = sdk.container.resolve(DataCollection);
  try {
    await sdk.auth.startRefreshTokenTimer();
    const { deviceId } = await sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    const path = row.call === 'GET' ? `${DEVICES}/*` : REG;
    const call = (): Promise<unknown> =>
      row.call === 'GET' ? data.querySingleDeviceInfo(deviceId, undefined, null, null) : sdk.devices.regDirectDevice({ nodeId: randomNodeId() }, null, null);
    sim.clearRecords();
    if (row.rule) sim.addFault({ ...row.rule, method: row.call, path });
    const outcomes: Record<string, number> = {};
    const durations: number[] = [];
    const one = async (): Promise<void> => {
      if (row.foreignLogin) sim.loginFromElsewhere(sim.apps[0]!.appId);
      const started = performance.now();
      const outcome = await call().then(
        () => 'ok',
        (error: unknown) => outcomeOf(error),
      );
      durations.push(performance.now() - started);
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    };
    if (row.waves) {
      await Promise.all(Array.from({ length: CALLS / 2 }, one));
      await Promise.all(Array.from({ length: CALLS / 2 }, one));
    } else {
      for (let i = 0; i < CALLS; i += 1) await one();
    }
    sim.clearFaults();
    const requests = sim.requests().filter((r) => r.method === row.call && (row.call === 'GET' ? r.path.startsWith(DEVICES) : r.path === REG)).length;
    const expectedRequests = Math.round(row.requestsPerCall * CALLS);
    durations.sort((a, b) => a - b);
    return {
      fault: row.fault,
      call: row.call,
      calls: CALLS,
      requests,
      outcomes,
      expected: row.expected,
      expectedRequests,
      behaviour: row.behaviour,
      medianMs: Math.round(durations[Math.floor(durations.length / 2)] ?? 0),
      met: outcomesMatch(outcomes, row.expected, CALLS) && requests === expectedRequests,
    };
  } finally {
    sim.clearFaults();
    await sdk.auth.stopRefreshTokenTimer();
    sdk.client.close();
  }
}

/** Runs every row of {@link MATRIX} against one simulator. */
export async function runFaultMatrix(progress: (line: string) => void = () => undefined): Promise<MatrixRow[]> {
  const sim = await startSimulator();
  try {
    const rows: MatrixRow[] = [];
    for (const row of MATRIX) {
      progress(`fault matrix: ${row.fault}, ${row.call}`);
      rows.push(await runCase(sim, row));
    }
    return rows;
  } finally {
    await sim.stop();
  }
}
