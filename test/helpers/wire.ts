import assert from 'node:assert/strict';
import { NorthApiException } from '../../src/index.js';
import type { RecordedRequest, Simulator } from '../../src/simulator/index.js';
import { TestClient } from '../simulator/helpers.js';

/**
 * The one request the simulator received since the last clear, checked to carry the app's `app_key` and its
 * current token; the records are cleared afterwards.
 */
export function onlyRequest(sim: Simulator, appId: string): RecordedRequest {
  const requests = sim.requests();
  assert.equal(requests.length, 1, `expected one request, got: ${requests.map((r) => `${r.method} ${r.path}`).join(', ') || 'none'}`);
  const request = requests[0]!;
  assert.equal(request.headers.app_key, appId);
  assert.equal(request.headers.authorization, `Bearer ${sim.currentAccessToken(appId)}`);
  sim.clearRecords();
  return request;
}

/** The JSON body of a recorded request (undefined when empty). */
export function jsonBody(request: RecordedRequest): unknown {
  return request.body === '' ? undefined : JSON.parse(request.body);
}

/** Asserts that `promise` fails with NorthApiException `code` (and HTTP status, when given). */
export async function rejectsWith(promise: Promise<unknown>, code: string, httpStatusCode?: number, message?: RegExp): Promise<NorthApiException> {
  let caught: unknown;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof NorthApiException, `expected NorthApiException ${code}, got ${caught === undefined ? 'success' : String(caught)}`);
  assert.equal(caught.errorCode, code, caught.message);
  if (httpStatusCode !== undefined) assert.equal(caught.httpStatusCode, httpStatusCode);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** Bad input: the call fails with 1007, its message names `field`, and nothing reaches the simulator. */
export async function rejectsBadInput(sim: Simulator, call: () => Promise<unknown>, field: string): Promise<void> {
  sim.clearRecords();
  const error = await rejectsWith(call(), '1007', -1);
  assert.ok(error.message.includes(field), `message "${error.message}" should name ${field}`);
  assert.equal(sim.requests().length, 0, 'nothing may be sent');
}

/** A business request the SDK would never send (bad paging, missing fields...), made with the app's current token. */
export async function rawBusinessCall(sim: Simulator, appId: string, method: string, pathAndQuery: string, json?: unknown): Promise<{ status: number; body: unknown }> {
  const client = new TestClient(sim);
  try {
    const reply = await client.request(method, pathAndQuery, { headers: TestClient.auth(appId, sim.currentAccessToken(appId) ?? ''), json });
    return { status: reply.status, body: reply.json };
  } finally {
    client.close();
  }
}
