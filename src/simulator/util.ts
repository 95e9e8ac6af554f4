/** Small helpers shared by the simulator modules. */
import { randomBytes } from 'node:crypto';
import type { inspect, InspectOptionsStylized } from 'node:util';
import type { SimulatorAddress } from './types.js';

/** `n` random bytes as lower-case hex (2n characters). */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Platform time format: UTC `yyyyMMdd'T'HHmmss'Z'`, e.g. `20151212T121212Z`. */
export function platformTime(ms: number = Date.now()): string {
  const d = new Date(ms);
  return (
    `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`
  );
}

export { isPlainObject } from '../services/validation.js';

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** An optional string field of a request body: undefined when absent or null, `invalid()` when not a string. */
export function optionalString(body: Record<string, unknown>, key: string, invalid: () => Error): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid();
  return value;
}

/** Deletes, in place, the properties whose value is undefined, and returns the object. */
export function withoutUndefined<T extends object>(value: T): T {
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (record[key] === undefined) delete record[key];
  return value;
}

/** What a simulator handle shows of itself (inspect, JSON): where it listens and its apps without their secrets. */
export function addressView(address: SimulatorAddress): Pick<SimulatorAddress, 'url' | 'host' | 'port' | 'protocol'> & { apps: Array<{ appId: string; grants?: string[] }> } {
  return {
    url: address.url,
    host: address.host,
    port: address.port,
    protocol: address.protocol,
    apps: address.apps.map(({ appId, grants }) => (grants ? { appId, grants: [...grants] } : { appId })),
  };
}

/**
 * How a simulator handle prints (`util.inspect`, `console.log`): where it listens and its apps without their
 * secrets. Tokens, keys and whatever else the handle holds stay out.
 */
export function inspectAddress(
  name: string,
  address: SimulatorAddress,
  depth: number,
  options: InspectOptionsStylized,
  inspectValue: typeof inspect,
): string {
  if (depth < 0) return options.stylize(`[${name}]`, 'special');
  const view = addressView(address);
  // The view stands where the handle stands, so it gets the depth left at the handle (null: no limit).
  return `${name} ${inspectValue(view, { ...options, depth })}`;
}

/**
 * Copies the own enumerable properties of `source` onto `target` as plain data properties. Unlike `Object.assign`,
 * a `__proto__` key (which JSON.parse creates as an ordinary key) is stored as data instead of replacing the
 * target's prototype.
 */
export function assignData(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) setData(target, key, value);
}

/** Sets one property as plain data, whatever its key (`__proto__` included). */
export function setData(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}

/**
 * A deep copy of data a caller handed in (structured clone, which keeps `__proto__` keys as data). Values that
 * cannot be copied (functions, symbols, ...) are a TypeError naming `what`.
 */
export function cloneData<T>(value: T, what: string): T {
  try {
    return structuredClone(value);
  } catch {
    throw new TypeError(`${what} must be plain data (it holds a value that cannot be copied)`);
  }
}

/**
 * An append-only log that keeps the newest `max` entries. Old entries are dropped in batches (once the log holds half
 * as many again), so an append costs O(1) on average instead of moving the whole log each time it is full.
 */
export class BoundedLog<T> {
  private entries: T[] = [];

  constructor(readonly max: number) {}

  push(entry: T): void {
    if (this.max === 0) return;
    this.entries.push(entry);
    if (this.entries.length >= this.max + Math.max(1, this.max >> 1)) this.entries.splice(0, this.entries.length - this.max);
  }

  /** Entries held right now, dropped ones not yet trimmed included: never more than `max` and a half. */
  get size(): number {
    return this.entries.length;
  }

  /** The kept entries (the live objects), oldest first. */
  list(): T[] {
    return this.entries.length > this.max ? this.entries.slice(-this.max) : [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
