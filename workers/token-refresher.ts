// The refresher worker: a thin shell that builds the refresh loop from src/auth and exposes it over comlink.
// Token updates, events and log lines go to the main thread as plain messages; only the access token ever leaves
// this thread. With a token store (fleet mode) the loop is shared with the app's other instances through Redis.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { parentPort, threadId, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { NorthApiException, SdkErrorCode } from '../src/errors.js';
import { createTokenRefresher, REAL_SCHEDULER, refresherTransport, tokenEndpoints } from '../src/auth/token-endpoints.js';
import { FleetRefresher } from '../src/auth/fleet-refresher.js';
import { RedisTokenStore } from '../src/auth/redis-token-store.js';
import type { RefresherListener } from '../src/auth/refresh-policy.js';
import type { RefresherPush, RefresherWorkerApi, RefresherWorkerConfig, RpcResult } from '../src/auth/refresher-protocol.js';

if (!parentPort) throw new Error('token-refresher must run as a worker thread');
const port = parentPort;
const config = workerData as RefresherWorkerConfig;
const transport = refresherTransport(config.transport);
const credentials = { appId: config.transport.appId, secret: config.secret };

const push = (message: RefresherPush): void => port.postMessage(message);
const listener: RefresherListener = {
  onToken: (state) => push({ kind: 'oc:token', state }),
  onEvent: (event) => push({ kind: 'oc:event', event }),
};
const maxWaitMs = config.transport.timeoutMs;

const refresher = config.tokenStore
  ? new FleetRefresher(new RedisTokenStore(config.tokenStore, `${config.transport.baseUrl}|${config.transport.appId}`), tokenEndpoints(transport, credentials), REAL_SCHEDULER, listener, {
      leaseTtlMs: config.tokenStore.leaseTtlMs,
      maxWaitMs,
      instance: `${hostname()}/${process.pid}/${threadId}/${randomBytes(3).toString('hex')}`,
      log: (level, message) => push({ kind: 'oc:log', level, message }),
    })
  : createTokenRefresher(transport, credentials, listener, { maxWaitMs });

async function settle<T>(work: () => T | Promise<T>): Promise<RpcResult<T>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    const failure = error instanceof NorthApiException ? error : NorthApiException.sdk(SdkErrorCode.CLIENT_INTERNAL_ERROR, undefined, error);
    return { ok: false, error: failure.toData() };
  }
}

const api: RefresherWorkerApi = {
  start: () => settle(() => refresher.start()),
  stop: () =>
    settle(async () => {
      await refresher.stop();
      transport.close();
      return null;
    }),
  getToken: () => settle(() => refresher.getToken()),
  forceRefresh: (staleToken) => settle(() => refresher.forceRefresh(staleToken)),
  status: () => settle(() => refresher.status()),
};

Comlink.expose(api, nodeEndpoint(port as unknown as Parameters<typeof nodeEndpoint>[0]));
