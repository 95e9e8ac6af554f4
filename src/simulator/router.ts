/**
 * A small router: method + path pattern with `{param}` segments.
 *
 * Two kinds of routes exist:
 *  - open routes (token endpoints, admin API) get a {@link RequestContext};
 *  - business routes are reached only after app_key / token / throttle /
 *    `?appId=` checks and get a {@link BusinessContext}.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Errors } from './errors.js';
import type { AppState, SimulatorState } from './state.js';

export interface RequestContext {
  readonly state: SimulatorState;
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
  readonly query: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  /** The body parsed as JSON (undefined when empty); 400 / 100007 when not valid JSON. */
  json(): unknown;
  /** The body parsed as a JSON object ({} when empty); 400 / 100007 otherwise. */
  jsonObject(): Record<string, unknown>;
}

export interface BusinessContext extends RequestContext {
  /** The authenticated application (from app_key and the token). */
  readonly caller: AppState;
  /** The application whose resources are used: the caller, or the one named by `?appId=` (the route's app parameter). */
  readonly target: AppState;
}

export interface RouteResult {
  status: number;
  /** Serialised as compact JSON; omitted for an empty body. */
  body?: unknown;
  headers?: Record<string, string>;
}

export type OpenHandler = (ctx: RequestContext) => RouteResult | Promise<RouteResult>;
export type BusinessHandler = (ctx: BusinessContext) => RouteResult | Promise<RouteResult>;

/** Per-route options of a business route. */
export interface BusinessRouteOptions {
  /**
   * Query parameter naming the authorised application whose resources are used (default `appId`; the device-group
   * routes use `accessAppId`).
   */
  appParam?: 'appId' | 'accessAppId';
}

export type Route =
  | { auth: 'none'; method: string; pattern: string; segments: string[]; handler: OpenHandler }
  | { auth: 'app'; method: string; pattern: string; segments: string[]; handler: BusinessHandler; appParam: 'appId' | 'accessAppId' };

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allow: string[] }
  | { kind: 'none' };

function split(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}

function matchSegments(segments: string[], parts: string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const part = parts[i]!;
    if (segment.startsWith('{') && segment.endsWith('}')) {
      if (part === '') return undefined;
      let value: string;
      try {
        value = decodeURIComponent(part);
      } catch {
        return undefined;
      }
      params[segment.slice(1, -1)] = value;
    } else if (segment !== part) {
      return undefined;
    }
  }
  return params;
}

export class Router {
  private readonly routes: Route[] = [];

  /** A route that needs no authentication. */
  open(method: string, pattern: string, handler: OpenHandler): this {
    this.routes.push({ auth: 'none', method: method.toUpperCase(), pattern, segments: split(pattern), handler });
    return this;
  }

  /** A business route: app_key + bearer token required, throttled, `?appId=` (or `options.appParam`) aware. */
  business(method: string, pattern: string, handler: BusinessHandler, options: BusinessRouteOptions = {}): this {
    const appParam = options.appParam ?? 'appId';
    this.routes.push({ auth: 'app', method: method.toUpperCase(), pattern, segments: split(pattern), handler, appParam });
    return this;
  }

  match(method: string, path: string): RouteMatch {
    const parts = split(path);
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      if (route.method === method.toUpperCase()) return { kind: 'found', route, params };
      allow.add(route.method);
    }
    return allow.size > 0 ? { kind: 'wrong-method', allow: [...allow] } : { kind: 'none' };
  }

  list(): Array<{ method: string; pattern: string; auth: 'none' | 'app' }> {
    return this.routes.map((r) => ({ method: r.method, pattern: r.pattern, auth: r.auth }));
  }
}

/**
 * The application a request body's `appId` names: the request's target when absent or empty, otherwise an
 * application the caller may act for, checked like `?appId=` (403 / 100203 unknown, 403 / 100217 not authorised).
 */
export function bodyApp(ctx: BusinessContext, appId: string | undefined): AppState {
  return appId ? ctx.state.authorisedApp(ctx.caller, appId) : ctx.target;
}

/** Builds the body accessors of a context. */
export function bodyAccessors(rawBody: string): Pick<RequestContext, 'json' | 'jsonObject'> {
  let parsed = false;
  let value: unknown;
  const json = (): unknown => {
    if (!parsed) {
      if (rawBody.trim() === '') value = undefined;
      else {
        try {
          value = JSON.parse(rawBody);
        } catch {
          throw Errors.badRequest();
        }
      }
      parsed = true;
    }
    return value;
  };
  const jsonObject = (): Record<string, unknown> => {
    const v = json();
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw Errors.badRequest();
    return v as Record<string, unknown>;
  };
  return { json, jsonObject };
}
