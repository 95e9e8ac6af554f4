import assert from 'node:assert/strict';
import net from 'node:net';
import zlib from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc, { type Arbitrary } from 'fast-check';
import { NorthApiClient } from '../../src/client/north-api-client.js';
import { NorthApiException } from '../../src/errors.js';
import { decodeResponse, type RawResponse } from '../../src/http/response-decoder.js';
import { DeviceManagement } from '../../src/services/device-management.js';
import { bodyBytesArb, bodyTextArb, contentTypeArb, jsonObjectArb, runSettings, statusArb } from './arbitraries.js';

/**
 * Any answer of the platform, good or broken, becomes a value or a NorthApiException: first decodeResponse alone on
 * random statuses, content types and bodies, then the whole way through the real transport from a raw TCP server
 * that answers random status lines, headers, framings and bytes, and sometimes hangs up mid-body.
 */

/** What decodeResponse did: the value it returned, or what it threw. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function decodeOutcome(raw: RawResponse): Outcome {
  try {
    return { ok: true, value: decodeResponse(raw) };
  } catch (error) {
    return { ok: false, error };
  }
}

/** `error` is a NorthApiException with a non-empty errorCode, and (when given) the HTTP status. */
function assertSdkError(error: unknown, status?: number): asserts error is NorthApiException {
  assert.ok(error instanceof NorthApiException, `not a NorthApiException: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
  assert.equal(typeof error.errorCode, 'string');
  assert.ok(error.errorCode.length > 0, `empty errorCode (${error.message})`);
  if (status !== undefined) assert.equal(error.httpStatusCode, status, `httpStatusCode of ${error.message}`);
}

describe('decodeResponse', () => {
  test('returns only for a 2xx, and otherwise throws a NorthApiException carrying the status and a non-empty errorCode', () => {
    fc.assert(
      fc.property(
        statusArb,
        contentTypeArb,
        bodyTextArb,
        fc.string({ maxLength: 12 }),
        fc.option(fc.nat({ max: 120_000 }), { nil: undefined }),
        (status, contentType, body, statusText, retryAfterMs) => {
          const outcome = decodeOutcome({ status, statusText, contentType, body, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) });
          if (outcome.ok) assert.ok(status >= 200 && status < 300, `status ${status} decoded to a value`);
          else assertSdkError(outcome.error, status);
        },
      ),
      runSettings(5000),
    );
  });

  test('a 2xx JSON object without error_code or resultcode decodes to exactly the parsed value', () => {
    const objectArb = jsonObjectArb.filter((value) => !Object.hasOwn(value, 'error_code') && !Object.hasOwn(value, 'resultcode'));
    fc.assert(
      fc.property(
        fc.integer({ min: 200, max: 299 }),
        contentTypeArb,
        objectArb,
        fc.constantFrom(undefined, 0, 2, '\t'),
        fc.constantFrom('', ' ', '\n', '\r\n\t'),
        (status, contentType, value, indent, padding) => {
          const body = `${padding}${JSON.stringify(value, null, indent)}${padding}`;
          assert.deepEqual(decodeResponse({ status, statusText: 'OK', contentType, body }), JSON.parse(body));
        },
      ),
      runSettings(2000),
    );
  });
});

// ---------------------------------------------------------------------------------------------------------------------
// Through the real transport
// ---------------------------------------------------------------------------------------------------------------------

/**
 * How the raw server frames its answer:
 * - `length`: Content-Length right; `length-short`: smaller than the body (the rest is extra bytes);
 * - `length-long`: larger than the body, which ends early; `length-cut`: right, but the socket closes mid-body;
 * - `until-close`: no length, the body ends when the socket closes;
 * - `chunked`: chunked, complete; `chunked-cut`: chunked, the socket closes before the last chunk;
 * - `nothing`: the socket closes before any answer; `partial-status`: it closes in the middle of the status line.
 */
type Framing = 'length' | 'length-short' | 'length-long' | 'length-cut' | 'until-close' | 'chunked' | 'chunked-cut' | 'nothing' | 'partial-status';

interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly contentType: string | undefined;
  readonly extraHeaders: readonly (readonly [string, string])[];
  /** The body as sent (compressed, when `encoding` is set). */
  readonly body: Buffer;
  /**
   * A Content-Encoding the client asked for (it sends `Accept-Encoding: gzip, br`): the body is compressed with it,
   * or (`valid` false) is garbage that claims to be.
   */
  readonly encoding?: { readonly name: 'gzip' | 'br'; readonly valid: boolean };
  /** The body once decoded: what the client should read (undefined when the body is not valid in its encoding). */
  readonly plain: Buffer | undefined;
  readonly framing: Framing;
  /** Bytes too few or too many (length-short / length-long), or where the body is cut (length-cut / chunked-cut). */
  readonly delta: number;
  /** Chunk sizes of a chunked body. */
  readonly chunkSize: number;
  /** How the server hangs up: a FIN once everything is written, or a destroy right after the write. */
  readonly hangUp: 'end' | 'destroy';
}

/** The client's body cap: random bodies straddle it. */
const MAX_RESPONSE_BYTES = 2048;

const COMPRESS = { gzip: zlib.gzipSync, br: zlib.brotliCompressSync } as const;

/** Answers with random heads, framings and bodies; with `encoded`, each body also carries a Content-Encoding. */
function answerArb(encoded: boolean): Arbitrary<Answer> {
  const encodingArb = encoded
    ? fc.record({ name: fc.constantFrom<'gzip' | 'br'>('gzip', 'br'), valid: fc.boolean() })
    : fc.constant(undefined);
  return fc
    .record({
      status: statusArb.filter((status) => status >= 200),
      reason: fc.stringMatching(/^[A-Za-z][A-Za-z ]{0,15}$/),
      contentType: fc.option(
        fc.constantFrom('application/json', 'application/json; charset=UTF-8', 'APPLICATION/JSON', 'text/html', 'text/plain', 'application/octet-stream'),
        { nil: undefined },
      ),
      extraHeaders: fc.array(
        fc.oneof(
          fc.tuple(fc.constant('Retry-After'), fc.constantFrom('0', '1', 'soon', 'Wed, 21 Oct 2015 07:28:00 GMT')),
          fc.tuple(fc.constant('X-Junk'), fc.stringMatching(/^[!-~]{1,12}$/)),
        ),
        { maxLength: 2 },
      ),
      body: fc.oneof(
        { weight: 6, arbitrary: bodyBytesArb },
        { weight: 1, arbitrary: fc.integer({ min: 1500, max: 5000 }).map((size) => Buffer.from(JSON.stringify({ data: 'x'.repeat(size) }))) },
      ),
      encoding: encodingArb,
      framing: fc.constantFrom<Framing>('length', 'length-short', 'length-long', 'length-cut', 'until-close', 'chunked', 'chunked-cut', 'nothing', 'partial-status'),
      delta: fc.integer({ min: 1, max: 64 }),
      chunkSize: fc.integer({ min: 1, max: 700 }),
      hangUp: fc.constantFrom<'end' | 'destroy'>('end', 'destroy'),
    })
    .map(({ body, encoding, ...rest }): Answer => {
      if (encoding === undefined) return printable({ ...rest, body, plain: body });
      const extraHeaders = [...rest.extraHeaders, ['Content-Encoding', encoding.name] as const];
      if (!encoding.valid) return printable({ ...rest, extraHeaders, body, encoding, plain: undefined });
      return printable({ ...rest, extraHeaders, body: COMPRESS[encoding.name](body), encoding, plain: body });
    });
}

/** `answer`, printed in a counterexample with its bodies as latin1 text rather than byte lists. */
function printable(answer: Answer): Answer {
  const bytes = (buffer: Buffer | undefined): string => (buffer === undefined ? 'undefined' : `Buffer.from(${JSON.stringify(buffer.toString('latin1'))}, 'latin1')`);
  return Object.defineProperty(answer, fc.toStringMethod, {
    value: () => {
      const { body, plain, ...rest } = answer;
      return `${fc.stringify(rest).slice(0, -1)}, body: ${bytes(body)}, plain: ${bytes(plain)} }`;
    },
    enumerable: false,
  });
}

/** The chunked encoding of `body`, in chunks of `size` bytes, with the final empty chunk when `complete`. */
function chunked(body: Buffer, size: number, complete: boolean): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const chunk = body.subarray(at, at + size);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  if (complete) parts.push(Buffer.from('0\r\n\r\n'));
  return Buffer.concat(parts);
}

/** The bytes the server writes for `answer`: the head (undefined when it sends no full head) and the body part. */
function wireOf(answer: Answer): { head: Buffer | undefined; payload: Buffer } {
  const { body, framing, delta } = answer;
  if (framing === 'nothing') return { head: undefined, payload: Buffer.alloc(0) };
  if (framing === 'partial-status') return { head: undefined, payload: Buffer.from('HTTP/1.1 2') };
  const lines = [`HTTP/1.1 ${answer.status} ${answer.reason}`, 'Connection: close'];
  if (answer.contentType !== undefined) lines.push(`Content-Type: ${answer.contentType}`);
  for (const [name, value] of answer.extraHeaders) lines.push(`${name}: ${value}`);
  let payload = body;
  switch (framing) {
    case 'length':
    case 'length-cut':
      lines.push(`Content-Length: ${body.length}`);
      if (framing === 'length-cut') payload = body.subarray(0, Math.max(0, body.length - delta));
      break;
    case 'length-short':
      lines.push(`Content-Length: ${Math.max(0, body.length - delta)}`);
      break;
    case 'length-long':
      lines.push(`Content-Length: ${body.length + delta}`);
      break;
    case 'until-close':
      break;
    case 'chunked':
    case 'chunked-cut': {
      lines.push('Transfer-Encoding: chunked');
      const encoded = chunked(body, answer.chunkSize, framing === 'chunked');
      payload = framing === 'chunked' ? encoded : encoded.subarray(0, Math.max(0, encoded.length - (delta % Math.max(1, encoded.length))));
      break;
    }
  }
  return { head: Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload };
}

/** What the property expects of one call. */
interface Expectation {
  /** A full status line and headers were sent: any error must carry the status. */
  readonly headSent: boolean;
  /** The answer is incomplete (the body was cut short): the call must fail with 1004. */
  readonly truncated: boolean;
  /** The exact outcome, when the answer is clean (framed right, nothing after it, no content coding). */
  readonly exact?: { oversize: true } | { oversize: false; decoded: Outcome };
}

function expectationOf(answer: Answer, wire: { head: Buffer | undefined; payload: Buffer }): Expectation {
  if (wire.head === undefined) return { headSent: false, truncated: false };
  const bodiless = answer.status === 204 || answer.status === 304;
  const { framing, body } = answer;
  const cut = framing === 'length-long' || framing === 'chunked-cut' || (framing === 'length-cut' && wire.payload.length < body.length);
  // A compressed body may be whole though the message is cut short after it: only plain bodies must then fail.
  const truncated = !bodiless && cut && answer.encoding === undefined;
  const extraBytes = bodiless ? wire.payload.length > 0 : framing === 'length-short';
  if (cut || extraBytes) return { headSent: true, truncated };
  const delivered = bodiless ? Buffer.alloc(0) : answer.plain;
  if (delivered === undefined) return { headSent: true, truncated: false };
  const declared = framing === 'length' && !bodiless ? body.length : 0;
  if (delivered.length > MAX_RESPONSE_BYTES || declared > MAX_RESPONSE_BYTES) return { headSent: true, truncated: false, exact: { oversize: true } };
  const decoded = decodeOutcome({ status: answer.status, statusText: answer.reason, contentType: answer.contentType ?? '', body: delivered.toString('utf8') });
  return { headSent: true, truncated: false, exact: { oversize: false, decoded } };
}

/** A raw TCP server: each connection gets the answer set for the current call once the request head is in. */
class RawServer {
  readonly server = net.createServer((socket) => this.#serve(socket));
  readonly sockets = new Set<net.Socket>();
  /** Request heads received. */
  requests = 0;
  answer: Answer | undefined;

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  #serve(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let received = Buffer.alloc(0);
    const onData = (data: Buffer): void => {
      received = Buffer.concat([received, data]);
      if (!received.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      this.requests += 1;
      const answer = this.answer;
      if (answer === undefined) {
        socket.destroy();
        return;
      }
      const { head, payload } = wireOf(answer);
      if (head) socket.write(head);
      if (answer.hangUp === 'end') socket.end(payload);
      else socket.write(payload, () => socket.destroy());
    };
    socket.on('data', onData);
  }
}

describe('any answer, through the real transport', () => {
  const raw = new RawServer();
  let client: NorthApiClient;
  let devices: DeviceManagement;

  before(async () => {
    const port = await raw.listen();
    client = new NorthApiClient({
      clientInfo: { platformIp: '127.0.0.1', platformPort: port, appId: 'propApp', secret: 'prop-secret-not-real', scheme: 'http' },
      http: { timeoutMs: 2000, maxResponseBytes: MAX_RESPONSE_BYTES, retries: 0 },
    });
    devices = new DeviceManagement(client);
  });

  after(async () => {
    client?.close();
    await raw.close();
  });

  /** Calls a GET method against `answer` and checks the property. */
  async function check(answer: Answer): Promise<void> {
    raw.answer = answer;
    const expectation = expectationOf(answer, wireOf(answer));
    const before = raw.requests;
    let outcome: Outcome;
    try {
      outcome = { ok: true, value: await devices.queryDeviceStatus('device-1', null, 'prop-token-0123456789') };
    } catch (error) {
      outcome = { ok: false, error };
    }
    assert.equal(raw.requests - before, 1, 'exactly one request (retries: 0)');
    if (!outcome.ok) assertSdkError(outcome.error, expectation.headSent ? answer.status : -1);
    if (expectation.truncated) {
      assert.ok(!outcome.ok, 'a body cut short must not decode');
      assert.equal((outcome.error as NorthApiException).errorCode, '1004', (outcome.error as NorthApiException).message);
    }
    const exact = expectation.exact;
    if (exact?.oversize) {
      assert.ok(!outcome.ok, 'an answer over maxResponseBytes must not decode');
      assert.equal((outcome.error as NorthApiException).errorCode, '1004');
    } else if (exact && !exact.oversize) {
      const decoded = exact.decoded;
      if (decoded.ok) {
        assert.ok(outcome.ok, `expected the decoded value, got ${outcome.ok ? '' : String(outcome.error)}`);
        assert.deepEqual(outcome.value, decoded.value);
      } else {
        assert.ok(!outcome.ok, 'expected the decoder error, got a value');
        assert.equal((outcome.error as NorthApiException).errorCode, (decoded.error as NorthApiException).errorCode);
      }
    }
  }

  test(
    'status lines, headers, Content-Length right / wrong / missing, chunked, cut mid-body: a value or a NorthApiException with the status; cut bodies are 1004',
    { timeout: 120_000 },
    async () => {
      await fc.assert(fc.asyncProperty(answerArb(false), check), runSettings(400));
    },
  );

  test(
    'the same with a Content-Encoding the client accepts (gzip, br; valid or garbage): a value or a NorthApiException with the status',
    { timeout: 120_000 },
    async () => {
      await fc.assert(fc.asyncProperty(answerArb(true), check), runSettings(300));
    },
  );
});
