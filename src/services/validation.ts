import { NorthApiException, SdkErrorCode } from '../errors.js';

/**
 * Argument checks shared by every service method. Each failure is NorthApiException 1007 naming the field, raised
 * before any I/O.
 */
export function invalid(field: string, expectation: string): NorthApiException {
  return NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, `${field} ${expectation}.`);
}

/** True for an object that is not an array (and not null). */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, field: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  return value;
}

/** The length check of the string checks below: at most `maxLength` characters. */
function lengthChecked(value: string, field: string, maxLength: number): string {
  if (value.length > maxLength) throw invalid(field, `must be at most ${maxLength} characters`);
  return value;
}

export function requireString(value: unknown, field: string, maxLength = Infinity): string {
  if (typeof value !== 'string' || value.trim().length === 0) throw invalid(field, 'must be a non-empty string');
  return lengthChecked(value, field, maxLength);
}

export function optionalString(value: unknown, field: string, maxLength = Infinity): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  return lengthChecked(value, field, maxLength);
}

/**
 * Optional string fields of a DTO, each checked like {@link optionalString} in the order given and returned keyed by
 * name (undefined where absent or null). Messages name the field as `<dto>.<name>`.
 * @param input - the DTO, already known to be an object
 * @param dto - the argument's name, as messages show it
 * @param names - the fields, in the order they are checked and sent
 * @returns the checked values, keyed by field name
 */
export function optionalStrings<const K extends string>(input: Record<string, unknown>, dto: string, names: readonly K[]): { [P in K]: string | undefined } {
  const out = {} as { [P in K]: string | undefined };
  for (const name of names) out[name] = optionalString(input[name], `${dto}.${name}`);
  return out;
}

/**
 * An optional id or name that is sent as a filter or names a resource: absent (undefined or null) or a non-empty
 * string. An empty string is refused rather than sent as `name=`.
 * @param value - the value as the caller gave it
 * @param field - the field's name, as messages show it
 * @returns the id, or undefined where absent
 */
export function optionalId(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return requireString(value, field);
}

/**
 * Optional id fields of a DTO, each checked like {@link optionalId} in the order given and returned keyed by name
 * (undefined where absent or null). Messages name the field as `<dto>.<name>`.
 * @param input - the DTO, already known to be an object
 * @param dto - the argument's name, as messages show it
 * @param names - the fields, in the order they are checked and sent
 * @returns the checked values, keyed by field name
 */
export function optionalIds<const K extends string>(input: Record<string, unknown>, dto: string, names: readonly K[]): { [P in K]: string | undefined } {
  const out = {} as { [P in K]: string | undefined };
  for (const name of names) out[name] = optionalId(input[name], `${dto}.${name}`);
  return out;
}

/**
 * A string field that only takes documented fixed values.
 * @param value - the value, already known to be a string
 * @param field - the field's name, as messages show it
 * @param allowed - the accepted values
 * @returns the value
 */
export function oneOf<const V extends string>(value: string, field: string, allowed: readonly V[]): V {
  if (!(allowed as readonly string[]).includes(value)) {
    const expectation = allowed.length === 1 ? `must be ${allowed[0]}` : allowed.length === 2 ? `must be ${allowed[0]} or ${allowed[1]}` : `must be one of ${allowed.join(', ')}`;
    throw invalid(field, expectation);
  }
  return value as V;
}

export function optionalInteger(value: unknown, field: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer from ${min} to ${max}`);
  }
  return value;
}

export function requireInteger(value: unknown, field: string, min?: number, max?: number): number {
  if (value === undefined || value === null) throw invalid(field, 'is required');
  return optionalInteger(value, field, min, max) as number;
}

/** The paging fields of a list query, checked. */
export interface Paging {
  pageNo: number | undefined;
  pageSize: number | undefined;
}

/**
 * `pageNo` (0 or more) and `pageSize` (`minPageSize` to `maxPageSize`) of a list query's DTO, in that order.
 * @param input - the DTO, already known to be an object
 * @param dto - the argument's name, as messages show it
 * @param minPageSize - the smallest page size the operation accepts
 * @param maxPageSize - the largest page size the operation accepts
 * @returns the checked values, undefined where absent or null
 */
export function paging(input: Record<string, unknown>, dto: string, minPageSize: number, maxPageSize = Number.MAX_SAFE_INTEGER): Paging {
  return {
    pageNo: optionalInteger(input.pageNo, `${dto}.pageNo`, 0),
    pageSize: optionalInteger(input.pageSize, `${dto}.pageSize`, minPageSize, maxPageSize),
  };
}

export function optionalBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw invalid(field, 'must be a boolean');
  return value;
}

export function optionalObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  return requireObject(value, field);
}

/**
 * An array of at least `minLength` items. The result is a dense copy: a hole of a sparse array is an undefined item
 * there, so that a check of each item sees it (`[, x].map(...)` would skip it, and JSON would send it as null).
 */
export function requireArray(value: unknown, field: string, minLength = 1): unknown[] {
  if (!Array.isArray(value) || value.length < minLength) throw invalid(field, `must be an array of at least ${minLength} item(s)`);
  return Array.from(value);
}

/**
 * An optional array field: undefined where absent or null. A present value goes through `check`, by default
 * {@link requireArray} with no minimum length.
 * @param value - the value as the caller gave it
 * @param field - the field's name, as messages show it
 * @param check - the check of a present value, given the value and `field`
 * @returns the checked value, or undefined where absent
 */
export function optionalArray(value: unknown, field: string): unknown[] | undefined;
export function optionalArray<T>(value: unknown, field: string, check: (value: unknown, field: string) => T): T | undefined;
export function optionalArray(value: unknown, field: string, check: (value: unknown, field: string) => unknown = anyArray): unknown {
  if (value === undefined || value === null) return undefined;
  return check(value, field);
}

function anyArray(value: unknown, field: string): unknown[] {
  return requireArray(value, field, 0);
}

/** Length limits of a list of strings, and how messages word a breach of them. */
export interface StringListLimits {
  /** Fewest items. Default 1. */
  readonly minLength?: number;
  /** Most items. Default: no limit. */
  readonly maxLength?: number;
  /** Expectation when the value is not an array or has too few items. Default: the wording of {@link requireArray}. */
  readonly notArray?: string;
  /** Expectation when the list has too many items. Default: `must hold at most <maxLength> items`. */
  readonly tooLong?: string;
}

/**
 * A list of ids or names: an array of `minLength` to `maxLength` items, each a non-empty string (checked like
 * {@link requireString}, named `<field>[<index>]` in messages).
 * @param value - the list as the caller gave it
 * @param field - the field's name, as messages show it
 * @param limits - the length limits and the wording of their messages
 * @returns the list
 */
export function requireStringList(value: unknown, field: string, limits: StringListLimits = {}): string[] {
  const { minLength = 1, maxLength = Infinity } = limits;
  if (!Array.isArray(value) || value.length < minLength) throw invalid(field, limits.notArray ?? `must be an array of at least ${minLength} item(s)`);
  if (value.length > maxLength) throw invalid(field, limits.tooLong ?? `must hold at most ${maxLength} items`);
  // Array.from, not map: a hole of a sparse array is checked (and refused) like an undefined item.
  return Array.from(value as unknown[], (item, index) => requireString(item, `${field}[${index}]`));
}

/** An unpaired UTF-16 surrogate: encodeURIComponent throws a URIError on one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An id that goes into a URL path: non-empty, and encoded. `.` and `..` are refused: URL parsing resolves them
 * (`/devices/..` is sent as `/`), so the request would reach another resource. So is a string with an unpaired
 * surrogate, which no URL can carry.
 */
export function pathSegment(value: unknown, field: string): string {
  const text = requireString(value, field);
  if (text === '.' || text === '..') throw invalid(field, "must not be '.' or '..' (the URL would name another resource)");
  if (LONE_SURROGATE.test(text)) throw invalid(field, 'must be well-formed Unicode (it holds an unpaired surrogate)');
  return encodeURIComponent(text);
}

/**
 * The optional authorised-app id: null, undefined or `''` (own resources), or a string that is not blank. A
 * whitespace-only string names no application and is refused with 1007.
 * @param appId - the value as the caller gave it
 * @param field - the argument's name, as messages show it
 * @returns the app id to send, or undefined for the caller's own application
 */
export function appIdArgument(appId: unknown, field = 'appId'): string | undefined {
  const value = optionalString(appId, field);
  if (value === '') return undefined;
  if (value !== undefined && value.trim().length === 0) throw invalid(field, "must not be blank (use null or '' for your own application)");
  return value;
}

/** Fields of `value` that are neither undefined nor null: JSON bodies never carry them. */
export function compact<T extends object>(value: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined && item !== null) out[key] = item;
  }
  return out as Partial<T>;
}

/**
 * Like {@link compact}, at every depth: nested objects and arrays lose their undefined and null fields (and items,
 * holes included) too. This is also the check of what a JSON body carries from free-form fields: a value JSON cannot
 * carry (NaN or an infinite number, which JSON.stringify would send as null; a bigint, function or symbol) or an
 * object that contains itself is 1007, naming where it is (`<field>.a.b[2]`).
 * @param value - the body, or a part of it
 * @param field - what messages call `value`: the argument's name
 * @returns the compacted copy
 */
export function compactDeep<T>(value: T, field = 'body'): T {
  return compactValue(value, field, []) as T;
}

function compactValue(value: unknown, field: string, ancestors: object[]): unknown {
  switch (typeof value) {
    case 'number':
      if (!Number.isFinite(value)) throw invalid(field, 'must be a finite number (JSON has no NaN or Infinity)');
      return value;
    case 'bigint':
    case 'function':
    case 'symbol':
      throw invalid(field, `must be a JSON value, not a ${typeof value}`);
    case 'object':
      break;
    default:
      return value;
  }
  if (value === null) return value;
  if (ancestors.includes(value)) throw invalid(field, 'must not contain itself');
  ancestors.push(value);
  try {
    if (Array.isArray(value)) {
      const items: unknown[] = [];
      value.forEach((item: unknown, index) => {
        if (item !== undefined && item !== null) items.push(compactValue(item, `${field}[${index}]`, ancestors));
      });
      return items;
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined && item !== null) out[key] = compactValue(item, `${field}.${key}`, ancestors);
    }
    return out;
  } finally {
    ancestors.pop();
  }
}
