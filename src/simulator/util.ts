/** Small helpers shared by the simulator modules. */
import { randomBytes } from 'node:crypto';

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

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

