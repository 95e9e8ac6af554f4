import { NorthApiException, SdkErrorCode } from '../errors.js';
import { rememberSecret } from '../http/redact.js';
import type { Transport } from '../http/transport.js';
import type { TokenEndpoints } from './refresh-policy.js';
import type { TokenGrant } from './token-grant.js';

export const LOGIN_PATH = '/iocm/app/sec/v1.1.0/login';
export const REFRESH_PATH = '/iocm/app/sec/v1.1.0/refreshToken';
export const LOGOUT_PATH = '/iocm/app/sec/v1.1.0/logout';

export interface AppCredentials {
  appId: string;
  secret: string;
}

/** Login: form-encoded appId and secret, no app_key or Authorization header. */
export async function login(transport: Transport, credentials: AppCredentials, signal?: AbortSignal): Promise<TokenGrant> {
  rememberSecret(credentials.secret);
  const body = await transport.request({ method: 'POST', path: LOGIN_PATH, form: { appId: credentials.appId, secret: credentials.secret }, signal });
  return toGrant(body);
}

/** Refresh: JSON appId, secret and refreshToken. The answer carries a new refresh token too. */
export async function refresh(transport: Transport, credentials: AppCredentials, refreshToken: string, signal?: AbortSignal): Promise<TokenGrant> {
  rememberSecret(credentials.secret);
  rememberSecret(refreshToken);
  const body = await transport.request({ method: 'POST', path: REFRESH_PATH, json: { appId: credentials.appId, secret: credentials.secret, refreshToken }, signal });
  return toGrant(body);
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
