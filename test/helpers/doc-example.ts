import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { RecordedRequest } from '../../src/simulator/index.js';

/** One entry of test/fixtures/doc-examples.json: a request and response as the platform documentation shows them. */
export interface DocExample {
  api: string;
  method: string;
  path: string;
  request: { headers?: Record<string, string>; query?: Record<string, string>; body?: unknown; form?: Record<string, string> };
  response: { status: number | string; headers?: Record<string, string>; body?: unknown };
  notes?: string;
}

export const DOC_EXAMPLES: DocExample[] = JSON.parse(readFileSync(new URL('../../../test/fixtures/doc-examples.json', import.meta.url), 'utf8'));

/** The `api` names of the examples handed out by {@link docExample}, so that a test can check none was forgotten. */
export const usedExamples = new Set<string>();

/** The example whose `api` is `name`, or else the one example whose `api` starts with `name`. */
export function docExample(name: string): DocExample {
  const exact = DOC_EXAMPLES.filter((example) => example.api === name);
  const found = exact.length > 0 ? exact : DOC_EXAMPLES.filter((example) => example.api.startsWith(name));
  assert.equal(found.length, 1, `examples named "${name}": ${found.length}`);
  usedExamples.add(found[0]!.api);
  return found[0]!;
}

/**
 * Placeholders of the documentation: masked values (runs of `*`), `<...>` and `{...}` stand-ins, `...`, empty strings
 * and format patterns. They stand for "some value"; everything else is a literal the SDK or simulator must match.
 */
export function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && (value === '' || /\*{3,}/.test(value) || /[<{]/.test(value) || value.includes('...') || /yyyy/.test(value));
}

/**
 * Checks `actual` against a documented value. Literals must be equal; placeholders match any value that is present;
 * objects must have every documented key (and, with `exact`, no other key); arrays match item by item. A documented
 * `null` also accepts an absent value (JSON writers drop null fields).
 */
export function assertMatchesDoc(actual: unknown, documented: unknown, where: string, exact = false): void {
  if (documented === null) {
    assert.ok(actual === null || actual === undefined, `${where}: expected null or absent, got ${JSON.stringify(actual)}`);
    return;
  }
  if (isPlaceholder(documented)) {
    assert.notEqual(actual, undefined, `${where}: missing`);
    return;
  }
  if (Array.isArray(documented)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, documented.length, `${where}: array length`);
    documented.forEach((item, index) => assertMatchesDoc(actual[index], item, `${where}[${index}]`, exact));
    return;
  }
  if (typeof documented === 'object') {
    assert.ok(actual !== null && typeof actual === 'object' && !Array.isArray(actual), `${where}: expected an object, got ${JSON.stringify(actual)}`);
    const object = actual as Record<string, unknown>;
    for (const [key, value] of Object.entries(documented as Record<string, unknown>)) {
      if (value !== null) assert.ok(key in object, `${where}.${key}: missing`);
      assertMatchesDoc(object[key], value, `${where}.${key}`, exact);
    }
    if (exact) {
      const extra = Object.keys(object).filter((key) => !(key in (documented as object)));
      assert.deepEqual(extra, [], `${where}: fields the documentation does not have`);
    }
    return;
  }
  assert.equal(actual, documented, `${where}`);
}

/**
 * The request on the wire against the documented one: method, path (placeholders as wildcards), query parameters
 * (documented ones marked "(optional ...)" may be absent), the documented headers, and the JSON or form body with
 * exactly the documented fields.
 */
export function assertRequestMatchesDoc(request: RecordedRequest, example: DocExample): void {
  assert.equal(request.method, example.method, 'method');
  const pattern = new RegExp(`^${example.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`);
  assert.match(request.path, pattern, 'path');
  const documentedQuery = example.request.query ?? {};
  for (const [name, value] of Object.entries(documentedQuery)) {
    if (value.startsWith('(optional')) continue;
    assert.ok(name in request.query, `query parameter ${name} missing`);
    assertMatchesDoc(request.query[name], value, `query.${name}`);
  }
  const undocumented = Object.keys(request.query).filter((name) => !(name in documentedQuery));
  assert.deepEqual(undocumented, [], 'query parameters the documentation does not have');
  for (const [name, value] of Object.entries(example.request.headers ?? {})) {
    const sent = request.headers[name.toLowerCase()];
    assert.notEqual(sent, undefined, `header ${name} missing`);
    if (name.toLowerCase() === 'content-type') assert.equal(sent!.split(';')[0]!.trim(), value, 'Content-Type');
    if (name.toLowerCase() === 'authorization') assert.match(sent!, /^Bearer \S+$/, 'Authorization');
  }
  if (example.request.form) {
    assertMatchesDoc(Object.fromEntries(new URLSearchParams(request.body)), example.request.form, 'form', true);
  } else if (example.request.body !== undefined) {
    assertMatchesDoc(JSON.parse(request.body), example.request.body, 'body', true);
  }
}
