/**
 * Reading query parameters of list routes: integers with a range and a
 * default, paging, platform times, and one page of a list.
 */
import type { ApiError } from './errors.js';
import { parsePlatformTime } from './device-data.js';

/**
 * Digits with an optional leading minus, the default written form of an integer parameter. A negative value then
 * fails the range check, with the same error as a malformed one; `-0` reads as 0.
 */
const SIGNED_INTEGER = /^-?\d+$/;
/** Digits only: a leading minus is malformed. */
export const UNSIGNED_INTEGER = /^\d+$/;

/** The values an integer parameter may take, `[min, max]`, and how it must be written (default `SIGNED_INTEGER`). */
export interface IntegerRange {
  min: number;
  max: number;
  syntax?: RegExp;
}

/** An integer query parameter within the range; undefined when absent or empty; `error()` when malformed or out of range. */
export function optionalIntegerParam(
  query: Record<string, string>,
  name: string,
  range: IntegerRange,
  error: () => ApiError,
): number | undefined {
  const text = query[name];
  if (text === undefined || text === '') return undefined;
  if (!(range.syntax ?? SIGNED_INTEGER).test(text)) throw error();
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) throw error();
  return value;
}

/** An integer query parameter within the range; `fallback` when absent or empty; `error()` when malformed or out of range. */
export function integerParam(
  query: Record<string, string>,
  name: string,
  range: IntegerRange & { fallback: number },
  error: () => ApiError,
): number {
  return optionalIntegerParam(query, name, range, error) ?? range.fallback;
}

/** The page size a list route takes when none is given, the largest it accepts, and how the numbers must be written. */
export interface PageLimits {
  defaultSize: number;
  maxSize: number;
  syntax?: RegExp;
}

/**
 * `pageNo` (from 0, default 0) and `pageSize` (1 to `maxSize`, default `defaultSize`) of a list route; `error()`
 * for a value malformed or out of range.
 */
export function pagingParams(
  query: Record<string, string>,
  limits: PageLimits,
  error: () => ApiError,
): { pageNo: number; pageSize: number } {
  const { syntax } = limits;
  return {
    pageNo: integerParam(query, 'pageNo', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0, syntax }, error),
    pageSize: integerParam(query, 'pageSize', { min: 1, max: limits.maxSize, fallback: limits.defaultSize, syntax }, error),
  };
}

/** A time query parameter (`yyyyMMdd'T'HHmmss'Z'`) in ms; undefined when absent or empty; `error()` when malformed. */
export function timeParam(query: Record<string, string>, name: string, error: () => ApiError): number | undefined {
  const text = query[name];
  if (text === undefined || text === '') return undefined;
  const ms = parsePlatformTime(text);
  if (ms === undefined) throw error();
  return ms;
}

/** Whether `ms` lies in `[start, end]`, compared at the platform's one-second resolution. */
export function inTimeRange(ms: number, start: number | undefined, end: number | undefined): boolean {
  const seconds = Math.floor(ms / 1000) * 1000;
  return (start === undefined || seconds >= start) && (end === undefined || seconds <= end);
}

/** Page `pageNo` (from 0) of `items`, `pageSize` items long. */
export function page<T>(items: readonly T[], pageNo: number, pageSize: number): T[] {
  const from = pageNo * pageSize;
  return from >= items.length ? [] : items.slice(from, from + pageSize);
}

/** A copy of `items` sorted by `time`, newest first; items of equal time keep their reverse order (last added first). */
export function newestFirst<T>(items: readonly T[], time: (item: T) => number): T[] {
  // Stable sort on a reversed copy keeps the newest inserted first among equal times.
  return [...items].reverse().sort((a, b) => time(b) - time(a));
}
