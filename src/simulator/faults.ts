/**
 * Fault injection. Rules are checked in order before routing; the first
 * terminal rule (status, reset, hang, throttle) that fires decides the answer.
 * Latency rules that fire add their delay and let checking go on, so a delay
 * can be combined with a later terminal rule.
 */
import type { FaultKind, FaultRule } from './types.js';

const KINDS: readonly FaultKind[] = ['latency', 'status', 'reset', 'hang', 'throttle'];

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

/** Throws a TypeError when the rule is malformed. */
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
  if (rule.kind === 'status') {
    if (typeof rule.status !== 'number' || !Number.isInteger(rule.status) || rule.status < 200 || rule.status > 599) {
      throw new TypeError('status fault needs an HTTP status between 200 and 599');
    }
  }
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
