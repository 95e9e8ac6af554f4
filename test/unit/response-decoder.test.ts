import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { NorthApiException } from '../../src/errors.js';
import { decodeResponse, parseRetryAfter, type RawResponse } from '../../src/http/response-decoder.js';
import { redact, rememberSecret } from '../../src/http/redact.js';

const json = 'application/json';
const res = (status: number, body: string, contentType = json): RawResponse => ({ status, statusText: 'Reason', contentType, body });

function decodeError(raw: RawResponse): NorthApiException {
  try {
    decodeResponse(raw);
  } catch (error) {
    assert.ok(error instanceof NorthApiException);
    return error;
  }
  assert.fail('expected a NorthApiException');
}

test('204 and empty 2xx bodies decode to undefined; JSON bodies to their value', () => {
  assert.equal(decodeResponse(res(204, '')), undefined);
  assert.equal(decodeResponse(res(200, '  ')), undefined);
  assert.deepEqual(decodeResponse(res(201, '{"commandId":"c1"}')), { commandId: 'c1' });
  assert.deepEqual(decodeResponse(res(200, '[1,2]')), [1, 2]);
});

test('an error_code body is an error whatever the status, 200 included', () => {
  const error = decodeError(res(200, '{"error_code":"100435","error_desc":"Cannot cancel."}'));
  assert.equal(error.errorCode, '100435');
  assert.equal(error.errorDesc, 'Cannot cancel.');
  assert.equal(error.httpStatusCode, 200);
  assert.equal(error.message, '200 100435: Cannot cancel.');
  const numeric = decodeError(res(400, '{"error_code":100426,"error_desc":"The nodeId is duplicated."}'));
  assert.equal(numeric.errorCode, '100426');
});

test('the gateway resultcode body maps to errorCode/errorDesc (1010005), unlike the Java SDK 1005', () => {
  const error = decodeError(res(403, '{"resultcode":"1010005","resultmsg":"Invalid access token or appId."}'));
  assert.equal(error.errorCode, '1010005');
  assert.equal(error.errorDesc, 'Invalid access token or appId.');
  assert.equal(error.httpStatusCode, 403);
});

test('error statuses without error_code: 1005 for JSON, 1011 for other bodies, 1005 for empty ones; body in httpMessage', () => {
  const jsonError = decodeError(res(500, '{"message":"boom"}'));
  assert.equal(jsonError.errorCode, '1005');
  assert.equal(jsonError.httpMessage, '{"message":"boom"}');
  const html = decodeError(res(502, '<html>Bad gateway</html>', 'text/html'));
  assert.equal(html.errorCode, '1011');
  assert.equal(html.httpStatusCode, 502);
  assert.equal(decodeError(res(503, '')).errorCode, '1005');
  assert.equal(decodeError(res(200, 'not json', 'text/plain')).errorCode, '1004');
});

test('Retry-After: seconds or an HTTP date', () => {
  assert.equal(parseRetryAfter('3'), 3000);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4_000), 6000);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(parseRetryAfter(null), undefined);
});

test('error bodies echoing credentials are redacted everywhere the error shows', () => {
  rememberSecret('remembered-token-value-123');
  const error = decodeError(res(500, '{"accessToken":"abcdefgh12345","note":"remembered-token-value-123","secret":"s3cr3t-value"}'));
  for (const text of [error.message, error.httpMessage, String(error), JSON.stringify(error), inspect(error)]) {
    assert.ok(!text.includes('abcdefgh12345'), text);
    assert.ok(!text.includes('remembered-token-value-123'), text);
    assert.ok(!text.includes('s3cr3t-value'), text);
  }
  assert.equal(redact('Authorization: Bearer abc.def-ghi'), 'Authorization: [redacted]');
  assert.equal(redact('appId=a&secret=xyz&x=1'), 'appId=a&secret=[redacted]&x=1');
});

test('Java-style getters', () => {
  const error = decodeError(res(404, '{"error_code":"100403","error_desc":"The device is not existed."}'));
  assert.equal(error.getError_code(), '100403');
  assert.equal(error.getError_desc(), 'The device is not existed.');
  assert.equal(error.getHttpStatusCode(), 404);
  assert.equal(error.getHttpReasonPhase(), 'Reason');
  assert.ok(error.toString().startsWith('NorthApiException [error_code=100403'));
});
