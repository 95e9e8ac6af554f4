// The refresher worker: a thin shell that builds the refresh loop from src/auth and exposes it over comlink.
// Token updates and events go to the main thread as plain messages; only the access token ever leaves this thread.
import { parentPort, workerData } from 'node:worker_threads';
import * as Comlink from 'comlink/dist/esm/comlink.mjs';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { NorthApiException, SdkErrorCode } from '../src/errors.js';
import { createTokenRefresher, refresherTransport } from '../src/auth/token-endpoints.js';
import type { RefresherPush, RefresherWorkerApi, RefresherWorkerConfig, RpcResult } from '../src/auth/refresher-protocol.js';

if (!parentPort) throw new Error('token-refresher must run as a worker thread');
const port = parentPort;
const config = workerData as RefresherWorkerConfig;
const transport = refresherTransport(config.transport);

const push = (message: RefresherPush): void => port.postMessage(message);

const refresher = createTokenRefresher(transport, { appId: config.transport.appId, secret: config.secret }, {
  onToken: (state) => push({ kind: 'oc:token', state }),
  onEvent: (event) => push({ kind: 'oc:event', event }),
}, { maxWaitMs: config.transport.timeoutMs });

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
    settle(() => {
      refresher.stop();
      transport.close();
      return null;
    }),
  getToken: () => settle(() => refresher.getToken()),
  forceRefresh: (staleToken) => settle(() => refresher.forceRefresh(staleToken)),
  status: () => settle(() => refresher.status()),
};

Comlink.expose(api, nodeEndpoint(port as unknown as Parameters<typeof nodeEndpoint>[0]));
