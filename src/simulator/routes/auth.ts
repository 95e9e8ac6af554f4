/**
 * Token endpoints: login (form-encoded), refreshToken and logout (JSON).
 * They need no app_key / Authorization header.
 */
import { ApiError, Errors } from '../errors.js';
import type { RequestContext, RouteResult, Router } from '../router.js';
import type { AppState, SimulatorState, TokenPair } from '../state.js';
import type { SimulatorStats } from '../types.js';
import { isNonEmptyString } from '../util.js';

export const LOGIN_PATH = '/iocm/app/sec/v1.1.0/login';
export const REFRESH_PATH = '/iocm/app/sec/v1.1.0/refreshToken';
export const LOGOUT_PATH = '/iocm/app/sec/v1.1.0/logout';

function tokenAnswer(pair: TokenPair): RouteResult {
  return {
    status: 200,
    body: {
      scope: 'default',
      tokenType: 'bearer',
      expiresIn: pair.expiresIn,
      accessToken: pair.accessToken,
      refreshToken: pair.refreshToken,
    },
  };
}

/** Looks up the app and checks the secret; 401 / 100208 on any mismatch. */
function authenticate(
  state: SimulatorState,
  appId: string,
  secret: string,
): { app: AppState } | { app?: AppState; detail: string } {
  const app = state.app(appId);
  // The supplied appId is not echoed when unknown: it could be a misplaced secret.
  if (!app) return { detail: 'unknown appId' };
  if (app.config.secret !== secret) return { app, detail: 'wrong secret' };
  return { app };
}

/** Counts and records a failed login or refresh, then throws the platform error to answer with. */
function failure(state: SimulatorState, counter: keyof SimulatorStats, type: 'login-failed' | 'refresh-failed') {
  return (app: AppState | undefined, detail: string, error: ApiError): never => {
    state.count(app, counter);
    state.event({ type, appId: app?.appId, detail, status: error.status });
    throw error;
  };
}

function login(ctx: RequestContext): RouteResult {
  const { state } = ctx;
  const form = new URLSearchParams(ctx.rawBody);
  const appId = form.get('appId');
  const secret = form.get('secret');
  const fail = failure(state, 'loginFailures', 'login-failed');
  if (!isNonEmptyString(appId) || !isNonEmptyString(secret)) {
    return fail(undefined, 'appId or secret missing', Errors.requiredParameterMissing());
  }
  const auth = authenticate(state, appId, secret);
  if ('detail' in auth) return fail(auth.app, auth.detail, Errors.appIdOrSecretWrong());
  const pair = state.issueTokens(auth.app, 'superseded by a new login');
  state.count(auth.app, 'logins');
  state.event({ type: 'login', appId: auth.app.appId, status: 200 });
  return tokenAnswer(pair);
}

function refresh(ctx: RequestContext): RouteResult {
  const { state } = ctx;
  const fail = failure(state, 'refreshFailures', 'refresh-failed');
  let body: Record<string, unknown>;
  try {
    body = ctx.jsonObject();
  } catch (err) {
    return fail(undefined, 'body is not a JSON object', err instanceof ApiError ? err : Errors.badRequest());
  }
  const { appId, secret, refreshToken } = body;
  if (!isNonEmptyString(appId) || !isNonEmptyString(secret) || !isNonEmptyString(refreshToken)) {
    return fail(undefined, 'appId, secret or refreshToken missing', Errors.requiredParameterMissing());
  }
  const auth = authenticate(state, appId, secret);
  if ('detail' in auth) return fail(auth.app, auth.detail, Errors.appIdOrSecretWrong());
  const check = state.checkRefreshToken(auth.app, refreshToken);
  if (!check.ok) return fail(auth.app, `${check.reason} refresh token`, Errors.appIdOrSecretWrong());
  const pair = state.issueTokens(auth.app, 'superseded by a token refresh');
  state.count(auth.app, 'refreshes');
  state.event({ type: 'refresh', appId: auth.app.appId, status: 200 });
  return tokenAnswer(pair);
}

function logout(ctx: RequestContext): RouteResult {
  const { state } = ctx;
  const { accessToken } = ctx.jsonObject();
  if (!isNonEmptyString(accessToken)) throw Errors.requiredParameterMissing();
  const app = state.logout(accessToken);
  state.event({ type: 'logout', appId: app?.appId, status: 200, detail: app ? 'token voided' : 'token was not current' });
  return { status: 200 };
}

export function registerAuthRoutes(router: Router): void {
  router.open('POST', LOGIN_PATH, login);
  router.open('POST', REFRESH_PATH, refresh);
  router.open('POST', LOGOUT_PATH, logout);
}
