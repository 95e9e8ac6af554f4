import fc, { type Arbitrary } from 'fast-check';

/**
 * Shared generators of the property tests: a small language describing a method's parameters (what the method
 * accepts, read from its code and JSDoc), the valid values and the mutations derived from it, and random HTTP answers.
 */

// ---------------------------------------------------------------------------------------------------------------------
// Run settings
// ---------------------------------------------------------------------------------------------------------------------

/**
 * fast-check settings of every property: `FC_SEED` replays a failure (fast-check prints the seed, the path, the
 * counterexample and the error of every failure), `FC_NUM_RUNS` overrides the runs per property.
 */
export function runSettings(numRuns: number): { numRuns: number; seed?: number; includeErrorInReport: boolean } {
  const seed = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
  const runs = process.env.FC_NUM_RUNS === undefined ? numRuns : Number(process.env.FC_NUM_RUNS);
  return { numRuns: runs, ...(seed === undefined || Number.isNaN(seed) ? {} : { seed }), includeErrorInReport: true };
}

// ---------------------------------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------------------------------

/** Any JavaScript value fast-check knows: boxed values, Map, Set, Date (invalid ones too), bigint, typed and sparse arrays, null-prototype objects. */
export const anyValue: Arbitrary<unknown> = fc.anything({
  maxDepth: 3,
  maxKeys: 4,
  withBoxedValues: true,
  withMap: true,
  withSet: true,
  withObjectString: true,
  withNullPrototype: true,
  withBigInt: true,
  withDate: true,
  withTypedArray: true,
  withSparseArray: true,
});

/** Characters of generated ids and texts: URL-special ones, dots, spaces, non-ASCII (one astral). */
const TEXT_CHAR = fc.constantFrom(...'abcXYZ0189-_.~ /?#%&=+:@;,', 'é', '中', '\u200b', '😀');

/**
 * A string as the SDK accepts it: `nonEmpty` ones are not blank, `maxLength` counts UTF-16 units (as
 * `String.length` does); a string of exactly `maxLength` units is generated now and then.
 */
export function textArb(nonEmpty: boolean, maxLength?: number): Arbitrary<string> {
  const minLength = nonEmpty ? 1 : 0;
  let arb: Arbitrary<string> = fc
    .oneof(
      { weight: 4, arbitrary: fc.string({ unit: TEXT_CHAR, minLength, maxLength: 12 }) },
      { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength: 8 }) },
    )
    .filter((s) => (maxLength === undefined || s.length <= maxLength) && (!nonEmpty || s.trim().length > 0));
  if (maxLength !== undefined) arb = fc.oneof({ weight: 9, arbitrary: arb }, { weight: 1, arbitrary: fc.constant('m'.repeat(maxLength)) });
  return arb;
}

/** A JSON object as a free-form DTO field holds it; null values (at any depth) are allowed: the SDK leaves them out. */
export const jsonObjectArb: Arbitrary<Record<string, unknown>> = fc.dictionary(fc.string({ maxLength: 6 }), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 4 });

/** A JSON array as a free-form DTO field holds it (null items allowed). */
export const jsonArrayArb: Arbitrary<unknown[]> = fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 4 });

/** A cycle: `{ a: 1, self: <itself> }`, fresh each time. */
function cyclic(): Record<string, unknown> {
  const value: Record<string, unknown> = { a: 1 };
  value.self = value;
  return value;
}

/** Values JSON cannot carry (or carries as null), each built fresh. */
const POISON: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1n, Symbol('s')),
  fc.constant(null).map(() => (): number => 1),
  fc.constant(null).map(() => cyclic()),
  fc.constant(null).map(() => [1, Number.NaN]),
  fc.constant(null).map(() => new Float64Array([Number.NaN])),
  fc.constant(null).map(() => [1, , 2]),
  fc.constant(null).map(() => [undefined, null, 'x']),
  fc.constant(null).map(() => new Date(Number.NaN)),
);

/** A free-form JSON object with a value JSON cannot carry somewhere in it. */
const poisonedObjectArb: Arbitrary<unknown> = fc
  .tuple(jsonObjectArb, fc.string({ maxLength: 4 }), POISON, fc.integer({ min: 0, max: 2 }))
  .map(([base, key, poison, depth]) => {
    let inner: unknown = poison;
    for (let i = 0; i < depth; i++) inner = i % 2 === 0 ? { deep: inner } : [inner];
    return { ...base, [`p${key}`]: inner };
  });

/** A random string that no `{name}` of a path template matches and that no SDK check accepts as a fixed value. */
const OTHER_WORD = fc.constantFrom('foo', 'ack', 'Ack', 'CANCELLED', 'canceled', 'asc', 'Active', 'now', 'x y');

// ---------------------------------------------------------------------------------------------------------------------
// The parameter description language
// ---------------------------------------------------------------------------------------------------------------------

export type Spec =
  /** A string; `nonEmpty`: not blank (requireString / optionalId); `segment`: also goes into the URL path. */
  | { readonly kind: 'text'; readonly nonEmpty: boolean; readonly maxLength?: number; readonly segment?: boolean }
  /** One of fixed strings. */
  | { readonly kind: 'enum'; readonly values: readonly string[] }
  | { readonly kind: 'int'; readonly min: number; readonly max: number }
  | { readonly kind: 'bool' }
  /** Hexadecimal string of `minLength` to `maxLength` characters. */
  | { readonly kind: 'hex'; readonly minLength: number; readonly maxLength: number }
  /** The authorised-application argument: null, '' or a non-blank string. */
  | { readonly kind: 'app' }
  /** Subscription `ownerFlag`: null, a boolean or 'true' / 'false'. */
  | { readonly kind: 'ownerFlag' }
  /** A free-form JSON object (the SDK checks only that it is an object). */
  | { readonly kind: 'json' }
  /** A free-form JSON array. */
  | { readonly kind: 'jsonArray' }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Field>> }
  | { readonly kind: 'array'; readonly item: Spec; readonly minLength: number; readonly maxLength?: number }
  /** Valid when it matches any of `options` (cross-field rules are written as unions of shapes). */
  | { readonly kind: 'union'; readonly options: readonly Spec[] }
  | { readonly kind: 'const'; readonly value: string }
  /** A positional argument that may also be null or undefined (left out). */
  | { readonly kind: 'maybe'; readonly spec: Spec }
  /** The `accessToken` argument: a non-empty string when valid. */
  | { readonly kind: 'token' };

export interface Field {
  readonly spec: Spec;
  readonly optional: boolean;
}

export const text = (maxLength?: number): Spec => ({ kind: 'text', nonEmpty: false, ...(maxLength === undefined ? {} : { maxLength }) });
export const id = (maxLength?: number): Spec => ({ kind: 'text', nonEmpty: true, ...(maxLength === undefined ? {} : { maxLength }) });
export const segment = (): Spec => ({ kind: 'text', nonEmpty: true, segment: true });
export const oneOf = (...values: string[]): Spec => ({ kind: 'enum', values });
export const int = (min: number, max: number = Number.MAX_SAFE_INTEGER): Spec => ({ kind: 'int', min, max });
export const bool = (): Spec => ({ kind: 'bool' });
export const hex = (minLength: number, maxLength: number): Spec => ({ kind: 'hex', minLength, maxLength });
export const app = (): Spec => ({ kind: 'app' });
export const ownerFlag = (): Spec => ({ kind: 'ownerFlag' });
export const json = (): Spec => ({ kind: 'json' });
export const jsonArray = (): Spec => ({ kind: 'jsonArray' });
export const constant = (value: string): Spec => ({ kind: 'const', value });
export const token = (): Spec => ({ kind: 'token' });
export const maybe = (spec: Spec): Spec => ({ kind: 'maybe', spec });
export const union = (...options: Spec[]): Spec => ({ kind: 'union', options });
export const arr = (item: Spec, minLength: number, maxLength?: number): Spec => ({ kind: 'array', item, minLength, ...(maxLength === undefined ? {} : { maxLength }) });

/** An optional field: absent, undefined or null are all valid. */
export const opt = (spec: Spec): Field => ({ spec, optional: true });

/** An object; plain specs are required fields, {@link opt} ones optional. */
export function obj(fields: Record<string, Spec | Field>): Spec {
  const out: Record<string, Field> = {};
  for (const [name, value] of Object.entries(fields)) out[name] = 'optional' in value ? value : { spec: value, optional: false };
  return { kind: 'object', fields: out };
}

/** The same object with more (or replaced) fields. */
export function extend(base: Spec, fields: Record<string, Spec | Field>): Spec {
  if (base.kind !== 'object') throw new Error('extend() takes an object spec');
  const more = obj(fields) as Extract<Spec, { kind: 'object' }>;
  return { kind: 'object', fields: { ...base.fields, ...more.fields } };
}

/** A header-safe token (no whitespace or control characters), as the tests pass explicitly. */
export const validTokenArb: Arbitrary<string> = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{8,40}$/);

// ---------------------------------------------------------------------------------------------------------------------
// Valid values
// ---------------------------------------------------------------------------------------------------------------------

const ABSENT = Symbol('absent');

/** A value the spec accepts. */
export function validArb(spec: Spec): Arbitrary<unknown> {
  switch (spec.kind) {
    case 'text': {
      const base = textArb(spec.nonEmpty, spec.maxLength);
      return spec.segment ? base.filter((s) => s !== '.' && s !== '..') : base;
    }
    case 'enum':
      return fc.constantFrom(...spec.values);
    case 'int': {
      const edges = [spec.min, spec.max, 0, 1].filter((n) => n >= spec.min && n <= spec.max);
      return fc.oneof(fc.constantFrom(...edges), fc.integer({ min: spec.min, max: spec.max }));
    }
    case 'bool':
      return fc.boolean();
    case 'hex':
      return fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: spec.minLength, maxLength: spec.maxLength });
    case 'app':
      return fc.oneof(fc.constantFrom<unknown>(null, undefined, ''), textArb(true));
    case 'ownerFlag':
      return fc.constantFrom<unknown>(null, undefined, true, false, 'true', 'false');
    case 'json':
      return jsonObjectArb;
    case 'jsonArray':
      return jsonArrayArb;
    case 'const':
      return fc.constant(spec.value);
    case 'token':
      return validTokenArb;
    case 'maybe':
      return fc.oneof(fc.constantFrom<unknown>(null, undefined), validArb(spec.spec));
    case 'union':
      return fc.oneof(...spec.options.map((option) => validArb(option)));
    case 'array': {
      const small = fc.array(validArb(spec.item), { minLength: spec.minLength, maxLength: Math.max(spec.minLength, Math.min(spec.maxLength ?? 4, 4)) });
      if (spec.maxLength === undefined || spec.maxLength <= 4) return small;
      const full = fc.array(validArb(spec.item), { minLength: spec.maxLength, maxLength: spec.maxLength });
      return fc.oneof({ weight: 19, arbitrary: small }, { weight: 1, arbitrary: full });
    }
    case 'object': {
      const model: Record<string, Arbitrary<unknown>> = {};
      for (const [name, field] of Object.entries(spec.fields)) {
        model[name] = field.optional ? fc.oneof(fc.constantFrom<unknown>(ABSENT, undefined, null), validArb(field.spec)) : validArb(field.spec);
      }
      return fc.record(model).map(withoutAbsent);
    }
  }
}

function withoutAbsent(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(record)) if (value !== ABSENT) out[name] = value;
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Invalid (or doubtful) values
// ---------------------------------------------------------------------------------------------------------------------

/**
 * A replacement for a value of `spec` that is wrong in some way: missing, null, of another type, empty, too long, out
 * of range, wrapped in an extra object or array, or any value at all. Some replacements happen to be valid (null for
 * an optional field, a string fc.anything() draws for a text): properties must accept success for them too.
 */
export function invalidArb(spec: Spec): Arbitrary<unknown> {
  const valid = validArb(spec);
  const common: Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(undefined, null),
    // Strings in the token position are the subject of a test of their own (whitespace, control characters...).
    spec.kind === 'token' ? anyValue.filter((value) => typeof value !== 'string') : anyValue,
    valid.map((value) => ({ value })),
    valid.map((value) => [value]),
  ];
  const specific = specificInvalid(spec);
  return fc.oneof(...common, ...specific);
}

function specificInvalid(spec: Spec): Arbitrary<unknown>[] {
  switch (spec.kind) {
    case 'text': {
      const out: Arbitrary<unknown>[] = [
        fc.constantFrom<unknown>('', ' ', '\t\n', 0, 42, true, {}, [], 'a\uD800', '\uDC00'),
        OTHER_WORD,
      ];
      if (spec.maxLength !== undefined) out.push(fc.integer({ min: 1, max: 4 }).map((extra) => 'L'.repeat(spec.maxLength! + extra)));
      if (spec.segment) out.push(fc.constantFrom('.', '..', ' ..', '\uD83D', 'x\uDE00'));
      return out;
    }
    case 'enum':
      return [
        OTHER_WORD,
        fc.constantFrom(...spec.values).map((value) => value.toLowerCase()),
        fc.constantFrom(...spec.values).map((value) => ` ${value}`),
        fc.constantFrom<unknown>('', 0, true),
      ];
    case 'int': {
      const out: unknown[] = [0.5, spec.min + 0.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, String(spec.min), 2 ** 53, -(2 ** 53), 1n, true];
      if (spec.min > Number.MIN_SAFE_INTEGER) out.push(spec.min - 1);
      if (spec.max < Number.MAX_SAFE_INTEGER) out.push(spec.max + 1, spec.max + 1000);
      return [fc.constantFrom(...out)];
    }
    case 'bool':
      return [fc.constantFrom<unknown>('true', 'false', 0, 1, 'yes')];
    case 'hex':
      return [
        fc.constantFrom<unknown>('xyz12345', '1234567', 'g'.repeat(spec.maxLength), '0'.repeat(spec.maxLength + 1), '0'.repeat(Math.max(0, spec.minLength - 1)), '', 12345678),
      ];
    case 'app':
      return [fc.constantFrom<unknown>(' ', '\t', '  \n', 0, 1, true, {}, ['app'])];
    case 'ownerFlag':
      return [fc.constantFrom<unknown>('TRUE', 'yes', 'on', 1, 0, '', {}, ['true'])];
    case 'json':
      return [poisonedObjectArb, jsonArrayArb, fc.constantFrom<unknown>('{}', 0, true)];
    case 'jsonArray':
      return [poisonedObjectArb.map((value) => [value]), jsonObjectArb, fc.constantFrom<unknown>('[]', 0)];
    case 'const':
      return [OTHER_WORD, fc.constantFrom<unknown>(spec.value.toLowerCase(), '', 0)];
    case 'token':
      return [fc.constantFrom<unknown>('', 0, 1, true, false, {}, [], ['token'], 1n), validTokenArb];
    case 'maybe':
      return specificInvalid(spec.spec);
    case 'union':
      return spec.options.flatMap((option) => specificInvalid(option));
    case 'array': {
      const valid = validArb(spec);
      const item = validArb(spec.item);
      const out: Arbitrary<unknown>[] = [
        fc.constantFrom<unknown>({}, 'list', 0),
        valid.map((list) => Object.fromEntries((list as unknown[]).map((v, i) => [String(i), v]))),
        // A hole (a sparse array) somewhere among valid items.
        fc.tuple(valid, fc.nat()).map(([list, at]) => {
          const copy = [...(list as unknown[])];
          const index = at % (copy.length + 1);
          copy.splice(index, 0, undefined);
          delete copy[index];
          return copy;
        }),
        fc.tuple(valid, fc.constantFrom<unknown>(null, undefined)).map(([list, hole]) => [...(list as unknown[]), hole]),
      ];
      if (spec.minLength > 0) out.push(fc.constant([]));
      if (spec.maxLength !== undefined) out.push(fc.array(item, { minLength: spec.maxLength + 1, maxLength: spec.maxLength + 2 }));
      return out;
    }
    case 'object':
      return [fc.constantFrom<unknown>('object', 0, true, [], new Date(0)), validArb(spec).map((value) => [value])];
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Valid values with mutations here and there
// ---------------------------------------------------------------------------------------------------------------------

/** A generated value and how many mutations it went through (0: it is valid). */
export interface Tagged {
  readonly value: unknown;
  readonly mutations: number;
}

/**
 * How many values a value of `spec` holds, roughly (arrays counted with two items): {@link taggedArb} mutates each
 * with odds 1 in that count, so that a call goes through about one mutation whatever the size of its arguments.
 */
export function sizeOf(spec: Spec): number {
  switch (spec.kind) {
    case 'object':
      return 1 + Object.values(spec.fields).reduce((sum, field) => sum + sizeOf(field.spec), 0);
    case 'array':
      return 1 + 2 * sizeOf(spec.item);
    case 'union':
      return Math.max(...spec.options.map((option) => sizeOf(option)));
    case 'maybe':
      return sizeOf(spec.spec);
    default:
      return 1;
  }
}

/**
 * A value of `spec` in which, at every depth, each value may have been replaced (odds 1 in `oneIn`) by an
 * {@link invalidArb} one; objects may also carry unknown extra fields (of any value), counted as mutations too.
 */
export function taggedArb(spec: Spec, oneIn: number): Arbitrary<Tagged> {
  const mutated = invalidArb(spec).map((value): Tagged => ({ value, mutations: 1 }));
  return fc.oneof({ weight: 1, arbitrary: mutated }, { weight: oneIn - 1, arbitrary: keptArb(spec, oneIn) });
}

function keptArb(spec: Spec, oneIn: number): Arbitrary<Tagged> {
  switch (spec.kind) {
    case 'object': {
      const model: Record<string, Arbitrary<Tagged | typeof ABSENT>> = {};
      for (const [name, field] of Object.entries(spec.fields)) {
        model[name] = field.optional
          ? fc.oneof(fc.constantFrom<Tagged | typeof ABSENT>(ABSENT, { value: undefined, mutations: 0 }, { value: null, mutations: 0 }), taggedArb(field.spec, oneIn))
          : taggedArb(field.spec, oneIn);
      }
      const extras = fc.oneof(
        { weight: oneIn, arbitrary: fc.constant<[string, unknown][]>([]) },
        { weight: 1, arbitrary: fc.array(fc.tuple(fc.string({ maxLength: 8 }), anyValue), { minLength: 1, maxLength: 2 }) },
      );
      return fc.tuple(fc.record(model), extras).map(([record, extra]) => {
        const value: Record<string, unknown> = {};
        let mutations = 0;
        for (const [name, item] of Object.entries(record)) {
          if (item === ABSENT) continue;
          value[name] = item.value;
          mutations += item.mutations;
        }
        for (const [name, item] of extra) {
          if (Object.hasOwn(spec.fields, name)) continue;
          Object.defineProperty(value, name, { value: item, enumerable: true, writable: true, configurable: true });
          mutations += 1;
        }
        return { value, mutations };
      });
    }
    case 'array':
      return fc
        .array(taggedArb(spec.item, oneIn), { minLength: spec.minLength, maxLength: Math.max(spec.minLength, Math.min(spec.maxLength ?? 4, 4)) })
        .map((items) => ({ value: items.map((item) => item.value), mutations: items.reduce((sum, item) => sum + item.mutations, 0) }));
    case 'union':
      return fc.oneof(...spec.options.map((option) => keptArb(option, oneIn)));
    default:
      return validArb(spec).map((value): Tagged => ({ value, mutations: 0 }));
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP answers
// ---------------------------------------------------------------------------------------------------------------------

/** An HTTP status from 100 to 599, the common ones more often. */
export const statusArb: Arbitrary<number> = fc.oneof(
  fc.constantFrom(200, 201, 202, 204, 301, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504),
  fc.integer({ min: 100, max: 599 }),
);

/** A Content-Type header value (or none: ''). */
export const contentTypeArb: Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    'application/json',
    'application/json; charset=UTF-8',
    'APPLICATION/JSON',
    'application/problem+json',
    'text/html',
    'text/plain; charset=utf-8',
    'application/octet-stream',
    '',
  ),
  fc.string({ maxLength: 20 }),
);

/** Values an error field may take: codes, empty strings, other types. */
const errorFieldValue: Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>('100208', 100208, '1010005', '100435', '', ' ', '0', 0, -1, false, true, [], [''], {}, { code: 1 }, '[object Object]'),
  fc.string({ maxLength: 10 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** A JSON object with error fields (error_code, error_desc, resultcode, resultmsg), each present or not, of random types. */
export const errorObjectArb: Arbitrary<Record<string, unknown>> = fc
  .tuple(
    fc.record({ error_code: errorFieldValue, error_desc: errorFieldValue, resultcode: errorFieldValue, resultmsg: errorFieldValue }, { requiredKeys: [] }),
    jsonObjectArb,
  )
  .map(([errors, extra]) => ({ ...extra, ...errors }));

/** The body of an answer, as text: JSON of all kinds, error objects, truncated JSON, random text, whitespace, nothing. */
export const bodyTextArb: Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
  errorObjectArb.map((value) => JSON.stringify(value)),
  fc.tuple(fc.oneof(errorObjectArb, jsonObjectArb), fc.nat()).map(([value, cut]) => {
    const text = JSON.stringify(value);
    return text.slice(0, cut % Math.max(1, text.length));
  }),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('utf8')),
  fc.uint8Array({ maxLength: 60 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
  fc.constantFrom('', ' ', '\r\n', '\t \n ', 'null', '[]', '""', '0', '<html>Bad gateway</html>', '{', '{"error_code":'),
);

/** The body of an answer, as bytes: {@link bodyTextArb} in UTF-8, or raw binary. */
export const bodyBytesArb: Arbitrary<Buffer> = fc.oneof(
  { weight: 4, arbitrary: bodyTextArb.map((body) => Buffer.from(body, 'utf8')) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 80 }).map((bytes) => Buffer.from(bytes)) },
);
