import { NorthApiException, SdkErrorCode } from '../errors.js';
import { rememberSecret } from '../http/redact.js';
import { Transport, type TransportConfig } from '../http/transport.js';
import type { ApiTable } from '../services/api-table.js';
import { TokenRefresher, type RefresherListener, type Scheduler, type TokenEndpoints } from './refresh-policy.js';
import type { TokenGrant } from './token-grant.js';

const SEC = '/iocm/app/sec/v1.1.0';

/** The token operations, keyed by the Authentication method that sends each: the `api` table of Authentication. */
export const TOKEN_API = {
  getAuthToken: { method: 'POST', path: `${SEC}/login`, status: 200 },
  refreshAuthToken: { method: 'POST', path: `${SEC}/refreshToken`, status: 200 },
  logoutAuthToken: { method: 'POST', path: `${SEC}/logout`, status: 200 },
} as const satisfies ApiTable;

export interface AppCredentials {
  appId: string;
  secret: string;
}

/** Login: form-encoded appId and secret, no app_key or Authorization header. */
export async function login(transport: Transport, credentials: AppCredentials, signal?: AbortSignal): Promise<TokenGrant> {
  rememberSecret(credentials.secret);
  const { method, path } = TOKEN_API.getAuthToken;
  const body = await transport.request({ method, path, form: { appId: credentials.appId, secret: credentials.secret }, signal });
  return toGrant(body);
}

/** Refresh: JSON appId, secret and refreshToken. The answer carries a new refresh token too. */
export async function refresh(transport: Transport, credentials: AppCredentials, refreshToken: string, signal?: AbortSignal): Promise<TokenGrant> {
  rememberSecret(credentials.secret);
  rememberSecret(refreshToken);
  const { method, path } = TOKEN_API.refreshAuthToken;
  const body = await transport.request({ method, path, json: { appId: credentials.appId, secret: credentials.secret, refreshToken }, signal });
  return toGrant(body);
}

/** Logout (deprecated by the platform): JSON accessToken. The answer carries nothing of use. */
export async function logout(transport: Transport, accessToken: string, signal?: AbortSignal): Promise<void> {
  rememberSecret(accessToken);
  const { method, path } = TOKEN_API.logoutAuthToken;
  await transport.request({ method, path, json: { accessToken }, signal });
}

/**
 * The transport of a token refresher: one attempt per request and no flow-control gate, because the refresh loop has
 * its own retry and backoff rules (refresh-policy.ts).
 */
export function refresherTransport(config: TransportConfig): Transport {
  return new Transport({ ...config, retry: undefined });
}

/** Both endpoints bound to one transport and one application: what the refresher needs. */
export function tokenEndpoints(transport: Transport, credentials: AppCredentials): TokenEndpoints {
  return {
    login: () => login(transport, credentials),
    refresh: (refreshToken) => refresh(transport, credentials, refreshToken),
  };
}

function toGrant(body: unknown): TokenGrant {
  const raw = (body ?? {}) as Record<string, unknown>;
  if (typeof raw.accessToken !== 'string' || raw.accessToken.length === 0) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_AFTER_INVOKE_ERROR, 'The token endpoint answered without an accessToken.');
  }
  const expiresIn = Number(raw.expiresIn);
  const grant: TokenGrant = {
    accessToken: raw.accessToken,
    refreshToken: typeof raw.refreshToken === 'string' ? raw.refreshToken : '',
    expiresIn: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600,
    tokenType: typeof raw.tokenType === 'string' ? raw.tokenType : 'bearer',
    scope: typeof raw.scope === 'string' ? raw.scope : 'default',
  };
  rememberSecret(grant.accessToken);
  rememberSecret(grant.refreshToken);
  return grant;
}

/** Real timers and randomness, for a refresher that runs for real (in the worker, or in a benchmark's baseline). */
export const REAL_SCHEDULER: Scheduler = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  random: Math.random,
};

/**
 * The refresh loop as the worker runs it: the platform's token endpoints over `transport`, on real timers. A caller
 * waits for a renewal at most `maxWaitMs` (the worker passes its HTTP timeout).
 */
export function createTokenRefresher(transport: Transport, credentials: AppCredentials, listener: RefresherListener, options: { maxWaitMs?: number } = {}): TokenRefresher {
  return new TokenRefresher(tokenEndpoints(transport, credentials), REAL_SCHEDULER, listener, options);
}
