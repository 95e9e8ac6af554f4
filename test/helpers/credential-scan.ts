/**
 * Searches text (the output of a test run) for credentials, reporting where they occur without ever repeating them.
 * Used by test/run-tests.ts.
 *
 * Hex credentials (the simulator's tokens and generated secrets: 32 lower-case hex characters) are found by collecting
 * every run of hex characters in the text once and testing each window of a credential's length against a set; the
 * others are searched with indexOf. Values shorter than {@link MIN_SEARCHABLE_LENGTH} are not searched (they would
 * match by chance) but counted as skipped.
 */

export type CredentialKind = 'secret' | 'accessToken' | 'refreshToken';

export interface Credential {
  kind: CredentialKind;
  value: string;
}

/** One occurrence of a credential: where, and what kind; never the value. */
export interface CredentialHit {
  kind: CredentialKind;
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
  /** Length of the value. */
  length: number;
}

export interface ScanResult {
  /** Distinct values searched for, by kind. */
  searched: Record<CredentialKind, number>;
  /** Distinct values too short to search for, by kind. */
  skipped: Record<CredentialKind, number>;
  hits: CredentialHit[];
}

/** Shorter values are reported as skipped, not searched. */
export const MIN_SEARCHABLE_LENGTH = 8;

const HEX_VALUE = /^[0-9a-f]+$/;
const HEX_RUN = /[0-9a-f]+/g;

function zero(): Record<CredentialKind, number> {
  return { secret: 0, accessToken: 0, refreshToken: 0 };
}

/** Reads credential lines (`{"kind","value"}` per line, as the recorder writes them); malformed lines are ignored. */
export function parseCredentialLines(text: string): Credential[] {
  const out: Credential[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const parsed = JSON.parse(line) as Partial<Credential>;
      const { kind, value } = parsed;
      if ((kind === 'secret' || kind === 'accessToken' || kind === 'refreshToken') && typeof value === 'string' && value !== '') {
        out.push({ kind, value });
      }
    } catch {
      // a line cut short (a process killed while writing) is not a credential
    }
  }
  return out;
}

/** Distinct values, each with the first kind it was recorded as. */
export function distinctCredentials(credentials: Iterable<Credential>): Credential[] {
  const byValue = new Map<string, CredentialKind>();
  for (const { kind, value } of credentials) if (!byValue.has(value)) byValue.set(value, kind);
  return [...byValue].map(([value, kind]) => ({ kind, value }));
}

/** Offsets at which lines start, for turning an offset into a line and column. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo]! + 1 };
}

/** Finds every occurrence of every credential in `text`. */
export function scanForCredentials(text: string, credentials: Iterable<Credential>): ScanResult {
  const searched = zero();
  const skipped = zero();
  /** Hex values by length, value -> kind. */
  const hexByLength = new Map<number, Map<string, CredentialKind>>();
  const others: Credential[] = [];
  for (const credential of distinctCredentials(credentials)) {
    const { kind, value } = credential;
    if (value.length < MIN_SEARCHABLE_LENGTH) {
      skipped[kind] += 1;
      continue;
    }
    searched[kind] += 1;
    if (HEX_VALUE.test(value)) {
      let set = hexByLength.get(value.length);
      if (!set) hexByLength.set(value.length, (set = new Map()));
      set.set(value, kind);
    } else {
      others.push(credential);
    }
  }

  const found: Array<{ offset: number; kind: CredentialKind; length: number }> = [];
  if (hexByLength.size > 0) {
    const shortest = Math.min(...hexByLength.keys());
    // Case-insensitive: an upper-cased copy of a token is still the token. Lower-casing keeps every offset.
    for (const match of text.toLowerCase().matchAll(HEX_RUN)) {
      const run = match[0];
      if (run.length < shortest) continue;
      const start = match.index!;
      for (const [length, set] of hexByLength) {
        for (let i = 0; i + length <= run.length; i++) {
          const kind = set.get(run.slice(i, i + length));
          if (kind !== undefined) found.push({ offset: start + i, kind, length });
        }
      }
    }
  }
  for (const set of hexByLength.values()) {
    for (const [value, kind] of set) {
      // Tokens base64-encoded on their own (e.g. inside a Basic or a logged header value).
      const form = Buffer.from(value).toString('base64');
      for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) found.push({ offset: i, kind, length: form.length });
    }
  }
  for (const { kind, value } of others) {
    // As written, as JSON writes it inside a string (a secret holding a quote or backslash, say), as a form or query
    // value, and base64-encoded on its own.
    const forms = new Set([value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value), new URLSearchParams({ v: value }).toString().slice(2), Buffer.from(value).toString('base64')]);
    for (const form of forms) {
      for (let i = text.indexOf(form); i !== -1; i = text.indexOf(form, i + 1)) found.push({ offset: i, kind, length: form.length });
    }
  }

  found.sort((a, b) => a.offset - b.offset);
  const starts = lineStarts(text);
  const hits = found.map(({ offset, kind, length }) => ({ kind, ...position(starts, offset), length }));
  return { searched, skipped, hits };
}

function total(counts: Record<CredentialKind, number>): number {
  return counts.secret + counts.accessToken + counts.refreshToken;
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** One line: how many credentials were searched for, over how much output, and how many hits. */
export function summaryLine(result: ScanResult, bytes: number): string {
  const { searched, skipped } = result;
  const kinds = [
    plural(searched.secret, 'secret', 'secrets'),
    plural(searched.accessToken, 'access token', 'access tokens'),
    plural(searched.refreshToken, 'refresh token', 'refresh tokens'),
  ].join(', ');
  const skippedText = total(skipped) > 0 ? `, ${total(skipped)} skipped (shorter than ${MIN_SEARCHABLE_LENGTH} characters)` : '';
  return (
    `privacy scan: ${plural(total(searched), 'credential', 'credentials')} (${kinds})${skippedText} ` +
    `over ${bytes} bytes of output: ${plural(result.hits.length, 'hit', 'hits')}`
  );
}

/**
 * One line per hit: kind, line, column and length, and, when `text` (the scanned text) is given, the line around
 * the hit with every credential found on it replaced by `<kind>`. Never contains a value.
 */
export function describeHits(result: ScanResult, text?: string, source = 'output'): string[] {
  const lines = text === undefined ? [] : text.split('\n');
  const byLine = new Map<number, CredentialHit[]>();
  for (const hit of result.hits) {
    const list = byLine.get(hit.line);
    if (list) list.push(hit);
    else byLine.set(hit.line, [hit]);
  }
  return result.hits.map((hit) => {
    const where = `${source} line ${hit.line}, column ${hit.column}: ${hit.kind} (${hit.length} characters)`;
    const line = lines[hit.line - 1];
    if (line === undefined) return where;
    return `${where}: ${maskedLine(line, byLine.get(hit.line)!, hit)}`;
  });
}

/** The line with every hit on it masked, cut to about 160 characters around `focus`. */
function maskedLine(line: string, hits: CredentialHit[], focus: CredentialHit): string {
  let masked = '';
  let from = 0;
  let focusAt = 0;
  // Overlapping hits (a value inside a longer one) are merged into one masked stretch.
  const spans = hits.map((h) => ({ start: h.column - 1, end: h.column - 1 + h.length, kind: h.kind, focus: h === focus })).sort((a, b) => a.start - b.start);
  for (const span of spans) {
    if (span.start < from) {
      // Overlaps the stretch masked last: widen that stretch.
      if (span.focus) focusAt = masked.length;
      from = Math.max(from, span.end);
      continue;
    }
    masked += line.slice(from, span.start);
    if (span.focus) focusAt = masked.length;
    masked += `<${span.kind}>`;
    from = span.end;
  }
  masked += line.slice(from);
  const start = Math.max(0, focusAt - 80);
  const end = Math.min(masked.length, focusAt + 80);
  const cut = masked.slice(start, end);
  return JSON.stringify(`${start > 0 ? '...' : ''}${cut}${end < masked.length ? '...' : ''}`);
}
