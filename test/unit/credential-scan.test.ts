import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  describeHits,
  MIN_SEARCHABLE_LENGTH,
  parseCredentialLines,
  scanForCredentials,
  summaryLine,
  type Credential,
} from '../helpers/credential-scan.js';

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

describe('credential scan of test output', () => {
  const access = hex(16);
  const refresh = hex(16);
  const secret = 'mySecret-4711/x';
  const hexSecret = hex(16);
  const credentials: Credential[] = [
    { kind: 'accessToken', value: access },
    { kind: 'refreshToken', value: refresh },
    { kind: 'secret', value: secret },
    { kind: 'secret', value: hexSecret },
  ];

  /** Every line of the report, joined: must never hold a value. */
  function assertNoValueIn(report: string): void {
    for (const { value } of credentials) assert.ok(!report.includes(value), `the report repeats a ${value.length}-character value`);
  }

  test('clean text: 0 hits, even with other hex strings of the same length', () => {
    const text = `ok 1 - a test\n  deviceId ${hex(16)} commandId ${hex(16)}\n${hex(40)}\n# pass 1\n`;
    const result = scanForCredentials(text, credentials);
    assert.deepEqual(result.hits, []);
    assert.deepEqual(result.searched, { secret: 2, accessToken: 1, refreshToken: 1 });
    assert.match(summaryLine(result, text.length), /^privacy scan: 4 credentials \(2 secrets, 1 access token, 1 refresh token\) over \d+ bytes of output: 0 hits$/);
  });

  test('a token inside a longer hex run, at the start and end of lines, in JSON: each found with its line', () => {
    const text = [
      'first line',
      `prefix ${hex(5)}${access}${hex(7)} suffix`, // line 2: inside a longer run
      `${refresh} at the start`, // line 3
      `at the end ${access}`, // line 4
      JSON.stringify({ accessToken: access, nested: { refreshToken: refresh } }), // line 5: two hits
      `${'a'.repeat(3)}${refresh}`, // line 6: run starting with the same characters
      '',
    ].join('\n');
    const result = scanForCredentials(text, credentials);
    assert.deepEqual(
      result.hits.map((h) => [h.kind, h.line]),
      [
        ['accessToken', 2],
        ['refreshToken', 3],
        ['accessToken', 4],
        ['accessToken', 5],
        ['refreshToken', 5],
        ['refreshToken', 6],
      ],
    );
    const inRun = result.hits[0]!;
    assert.equal(inRun.column, 'prefix '.length + 10 + 1);
    assert.equal(inRun.length, 32);
    assert.equal(result.hits[1]!.column, 1);
    assert.equal(result.hits[2]!.column, 'at the end '.length + 1);
    const report = describeHits(result, text).join('\n');
    assertNoValueIn(report);
    assert.match(report, /output line 2, column 18: accessToken \(32 characters\): "prefix [0-9a-f]{10}<accessToken>[0-9a-f]{14} suffix"/);
    assert.match(report, /output line 5, column \d+: refreshToken .*"\{\\"accessToken\\":\\"<accessToken>\\",\\"nested\\":\{\\"refreshToken\\":\\"<refreshToken>\\"\}\}"/);
    assert.match(summaryLine(result, text.length), /: 6 hits$/);
  });

  test('secrets are found, hex or not, also as JSON escapes them', () => {
    const quoted = 'quote"back\\slash';
    const text = `app secret=${secret}\nsecret: ${hexSecret}.\n${JSON.stringify({ quoted })}\n`;
    const result = scanForCredentials(text, [...credentials, { kind: 'secret', value: quoted }]);
    assert.deepEqual(
      result.hits.map((h) => [h.kind, h.line, h.column]),
      [
        ['secret', 1, 12],
        ['secret', 2, 9],
        ['secret', 3, 12],
      ],
    );
    const report = describeHits(result, text, 'stderr');
    assert.equal(report.length, 3);
    assert.match(report[0]!, /^stderr line 1, column 12: secret \(15 characters\): "app secret=<secret>"$/);
    assertNoValueIn(report.join('\n'));
    assert.ok(!report.join('\n').includes('back\\slash') && !report.join('\n').includes('back\\\\slash'));
  });

  test('upper-cased and base64 copies of a token, form-encoded and base64 copies of a secret, are found too', () => {
    const text = [
      `Authorization: Bearer ${access.toUpperCase()}`,
      `logged: ${Buffer.from(refresh).toString('base64')}`,
      `body: appId=a&secret=${encodeURIComponent(secret)}`,
      `basic: ${Buffer.from(secret).toString('base64')}`,
    ].join('\n');
    const result = scanForCredentials(text, credentials);
    assert.deepEqual(
      result.hits.map((h) => [h.kind, h.line]),
      [
        ['accessToken', 1],
        ['refreshToken', 2],
        ['secret', 3],
        ['secret', 4],
      ],
    );
    assertNoValueIn(describeHits(result, text, 'stdout').join('\n'));
  });

  test('overlapping and repeated occurrences are all reported, masked', () => {
    const text = `${access}${access}|${secret}${secret}`;
    const result = scanForCredentials(text, credentials);
    assert.equal(result.hits.length, 4);
    const report = describeHits(result, text);
    for (const line of report) assert.match(line, /"<accessToken><accessToken>\|<secret><secret>"$/);
    assertNoValueIn(report.join('\n'));
    // Without the text, only the positions.
    assert.deepEqual(describeHits(result), [
      'output line 1, column 1: accessToken (32 characters)',
      'output line 1, column 33: accessToken (32 characters)',
      'output line 1, column 66: secret (15 characters)',
      'output line 1, column 81: secret (15 characters)',
    ]);
  });

  test('long lines are cut around the hit', () => {
    const text = `${'x'.repeat(500)} ${access} ${'y'.repeat(500)}`;
    const [line] = describeHits(scanForCredentials(text, credentials), text);
    assert.match(line!, /: "\.\.\.x+ <accessToken> y+\.\.\."$/);
    assert.ok(line!.length < 260, line);
  });

  test(`values shorter than ${MIN_SEARCHABLE_LENGTH} characters are skipped, not searched; duplicates count once`, () => {
    const text = 'abc short 1234567 and everything else\n';
    const result = scanForCredentials(text, [
      { kind: 'secret', value: 'abc' },
      { kind: 'secret', value: '1234567' },
      { kind: 'accessToken', value: access },
      { kind: 'accessToken', value: access },
    ]);
    assert.deepEqual(result.hits, []);
    assert.deepEqual(result.skipped, { secret: 2, accessToken: 0, refreshToken: 0 });
    assert.deepEqual(result.searched, { secret: 0, accessToken: 1, refreshToken: 0 });
    assert.equal(
      summaryLine(result, text.length),
      `privacy scan: 1 credential (0 secrets, 1 access token, 0 refresh tokens), 2 skipped (shorter than 8 characters) over ${text.length} bytes of output: 0 hits`,
    );
  });

  test('the recorder file format is read back; broken lines are ignored', () => {
    const file = [
      JSON.stringify({ kind: 'secret', value: secret }),
      JSON.stringify({ kind: 'accessToken', value: access }),
      '{"kind":"refreshToken","val', // cut short
      JSON.stringify({ kind: 'other', value: 'x' }),
      JSON.stringify({ kind: 'refreshToken', value: refresh }),
      '',
    ].join('\n');
    assert.deepEqual(parseCredentialLines(file), [
      { kind: 'secret', value: secret },
      { kind: 'accessToken', value: access },
      { kind: 'refreshToken', value: refresh },
    ]);
  });
});
