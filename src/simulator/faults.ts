/**
 * Fault injection. Rules are checked in order before routing; the first
 * rule of another kind than latency that fires (status, reset, hang,
 * throttle, html, oversize, truncate) decides the answer. Latency rules that
 * fire add their delay and let checking go on, so a delay can be combined
 * with a later rule. A truncate rule lets the request be routed and cuts the
 * answer afterwards.
 *
 * Besides the rules, this module builds the bodies the faults send: the HTML
 * error page, the oversize JSON body (in chunks, written with backpressure)
 * and the truncated length.
 */
import { STATUS_CODES } from 'node:http';
import type { FaultKind, FaultRule } from './types.js';

const KINDS: readonly FaultKind[] = [
  'latency',
  'status',
  'reset',
  'hang',
  'throttle',
  'html',
  'truncate',
  'oversize',
];

/** Status of an `html` fault without `status`: what a proxy answers when its upstream fails. */
export const DEFAULT_HTML_STATUS = 502;
/** Status of an `oversize` fault without `status`. */
export const DEFAULT_OVERSIZE_STATUS = 200;
/** Body size of an `oversize` fault without `sizeBytes`: 16 MiB + 1 KiB, past the SDK's default response limit. */
export const DEFAULT_OVERSIZE_BYTES = 16 * 1024 * 1024 + 1024;
/** Largest `sizeBytes` of an `oversize` fault (256 MiB). */
export const MAX_OVERSIZE_BYTES = 256 * 1024 * 1024;
/** Size of the chunks an oversize body is written in. */
const OVERSIZE_CHUNK_BYTES = 64 * 1024;

interface ActiveRule {
  id: string;
  rule: FaultRule;
  /** Remaining applications, Infinity when unlimited. */
  remaining: number;
}

export interface FaultDecision {
  /** Total delay (ms) from latency rules that fired. */
  latencyMs: number;
  /** Ids of the latency rules that fired. */
  latencyIds: string[];
  /** The terminal rule that fired, if any. */
  terminal?: { id: string; rule: FaultRule };
}

function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Checks `status`: required for `status`, optional for `html` and `oversize` (which must have a body). */
function validateStatus(rule: FaultRule): void {
  if (rule.kind === 'status') {
    if (!isIntegerIn(rule.status, 200, 599)) throw new TypeError('status fault needs an HTTP status between 200 and 599');
    return;
  }
  if ((rule.kind === 'html' || rule.kind === 'oversize') && rule.status !== undefined) {
    if (!isIntegerIn(rule.status, 200, 599) || rule.status === 204 || rule.status === 304) {
      throw new TypeError(`${rule.kind} fault status must be an HTTP status between 200 and 599, not 204 or 304`);
    }
  }
}

/** Checks the fields of the html, truncate, oversize and Retry-After faults, whatever the kind, when present. */
function validateResponseFields(rule: FaultRule): void {
  if (rule.retryAfterSeconds !== undefined && !isIntegerIn(rule.retryAfterSeconds, 0, Number.MAX_SAFE_INTEGER)) {
    throw new TypeError('fault retryAfterSeconds must be a non-negative integer');
  }
  if (rule.truncateAt !== undefined && !isIntegerIn(rule.truncateAt, 0, Number.MAX_SAFE_INTEGER)) {
    throw new TypeError('fault truncateAt must be a non-negative integer');
  }
  if (rule.sizeBytes !== undefined && !isIntegerIn(rule.sizeBytes, 1, MAX_OVERSIZE_BYTES)) {
    throw new TypeError(`fault sizeBytes must be an integer from 1 to ${MAX_OVERSIZE_BYTES}`);
  }
  if (rule.declareLength !== undefined && typeof rule.declareLength !== 'boolean') {
    throw new TypeError('fault declareLength must be a boolean');
  }
}

/** Throws a TypeError, naming the field, when the rule is malformed. */
export function validateFaultRule(rule: FaultRule): void {
  if (typeof rule !== 'object' || rule === null) throw new TypeError('fault rule must be an object');
  if (!KINDS.includes(rule.kind)) throw new TypeError(`fault kind must be one of ${KINDS.join(', ')}`);
  if (rule.method !== undefined && (typeof rule.method !== 'string' || rule.method === '')) {
    throw new TypeError('fault method must be a non-empty string');
  }
  if (rule.path !== undefined && typeof rule.path !== 'string' && !(rule.path instanceof RegExp)) {
    throw new TypeError('fault path must be a string or a RegExp');
  }
  if (rule.kind === 'latency') {
    if (typeof rule.latencyMs !== 'number' || !Number.isFinite(rule.latencyMs) || rule.latencyMs < 0) {
      throw new TypeError('latency fault needs latencyMs >= 0');
    }
  }
  validateStatus(rule);
  validateResponseFields(rule);
  if (rule.times !== undefined && (typeof rule.times !== 'number' || !Number.isInteger(rule.times) || rule.times < 1)) {
    throw new TypeError('fault times must be a positive integer');
  }
  if (
    rule.probability !== undefined &&
    (typeof rule.probability !== 'number' || !(rule.probability >= 0 && rule.probability <= 1))
  ) {
    throw new TypeError('fault probability must be between 0 and 1');
  }
}

/** How many bytes of a body of `length` bytes a `truncate` fault writes (see {@link FaultRule.truncateAt}). */
export function truncatedLength(length: number, truncateAt: number | undefined): number {
  if (truncateAt !== undefined) return Math.min(truncateAt, length);
  return length === 0 ? 0 : Math.max(1, Math.floor(length / 2));
}

/** The page an `html` fault answers, as a proxy or load balancer in front of the platform would. */
export function htmlErrorPage(status: number): string {
  const title = `${status} ${STATUS_CODES[status] ?? 'Error'}`;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    `<head><meta charset="utf-8"><title>${title}</title></head>`,
    '<body>',
    `<h1>${title}</h1>`,
    '<p>The gateway could not get a valid answer from the upstream service. Please try again in a few moments.</p>',
    '<hr><address>edge-proxy (OceanConnect simulator)</address>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const PADDING_OPEN = Buffer.from('{"padding":"');
const PADDING_CLOSE = Buffer.from('"}');
let paddingChunk: Buffer | undefined;

/** A JSON value of `size` bytes, for sizes too small for the padding object: `0`, `""`, `"x"`, `"xx"`... */
function smallJson(size: number): Buffer {
  return Buffer.from(size === 1 ? '0' : `"${'x'.repeat(size - 2)}"`);
}

/**
 * The body of an `oversize` fault, `{"padding":"xxx..."}` of exactly `size` bytes, in chunks of at most 64 KiB (the
 * chunks share one buffer, never changed, so the body is never held in memory as a whole).
 */
export function* oversizeChunks(size: number): Generator<Buffer> {
  const padding = size - PADDING_OPEN.length - PADDING_CLOSE.length;
  if (padding < 0) {
    yield smallJson(size);
    return;
  }
  paddingChunk ??= Buffer.alloc(OVERSIZE_CHUNK_BYTES, 'x');
  yield PADDING_OPEN;
  for (let left = padding; left > 0; left -= OVERSIZE_CHUNK_BYTES) {
    yield paddingChunk.subarray(0, Math.min(left, OVERSIZE_CHUNK_BYTES));
  }
  yield PADDING_CLOSE;
}

/** Where {@link writeChunks} writes: a server response, or any writable stream. */
export interface ChunkSink {
  readonly destroyed: boolean;
  write(chunk: Buffer): boolean;
  on(event: 'drain' | 'close', listener: () => void): unknown;
  off(event: 'drain' | 'close', listener: () => void): unknown;
}

/** Resolves once the sink takes more data again, or is closed. */
function drained(sink: ChunkSink): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      sink.off('drain', done);
      sink.off('close', done);
      resolve();
    };
    sink.on('drain', done);
    sink.on('close', done);
  });
}

/**
 * Writes the chunks in order, waiting for 'drain' whenever `write` returns false. Stops early once the sink is closed
 * or destroyed (the client went away) or `stopped()` says so. Resolves true when every chunk was written and the sink
 * is still open (the caller then ends it), false otherwise.
 */
export async function writeChunks(sink: ChunkSink, chunks: Iterable<Buffer>, stopped: () => boolean): Promise<boolean> {
  let closed = false;
  const onClose = (): void => {
    closed = true;
  };
  sink.on('close', onClose);
  try {
    for (const chunk of chunks) {
      if (closed || sink.destroyed || stopped()) return false;
      if (!sink.write(chunk)) await drained(sink);
    }
    return !(closed || sink.destroyed || stopped());
  } finally {
    sink.off('close', onClose);
  }
}

function pathMatches(pattern: FaultRule['path'], path: string): boolean {
  if (pattern === undefined) return true;
  if (pattern instanceof RegExp) {
    pattern.lastIndex = 0;
    return pattern.test(path);
  }
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return path === pattern;
}

export class FaultSet {
  private rules: ActiveRule[] = [];
  private nextId = 1;

  add(rule: FaultRule): string {
    validateFaultRule(rule);
    const id = `fault-${this.nextId++}`;
    const copy: FaultRule = { ...rule };
    this.rules.push({ id, rule: copy, remaining: rule.times ?? Infinity });
    return id;
  }

  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((r) => r.id !== id);
    return this.rules.length !== before;
  }

  clear(): void {
    this.rules = [];
  }

  list(): Array<{ id: string; rule: FaultRule; remaining: number }> {
    return this.rules.map((r) => ({ id: r.id, rule: { ...r.rule }, remaining: r.remaining }));
  }

  /** Decides which rules apply to a request, consuming their `times`. */
  decide(method: string, path: string, random: () => number = Math.random): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0, latencyIds: [] };
    for (const active of [...this.rules]) {
      const { rule } = active;
      if (rule.method !== undefined && rule.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!pathMatches(rule.path, path)) continue;
      if (rule.probability !== undefined && rule.probability < 1 && !(random() < rule.probability)) continue;
      active.remaining -= 1;
      if (active.remaining <= 0) this.remove(active.id);
      if (rule.kind === 'latency') {
        decision.latencyMs += rule.latencyMs ?? 0;
        decision.latencyIds.push(active.id);
        continue;
      }
      decision.terminal = { id: active.id, rule };
      break;
    }
    return decision;
  }
}
