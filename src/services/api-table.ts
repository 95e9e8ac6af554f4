import type { HttpMethod } from '../http/transport.js';

/**
 * One northbound operation as a service method sends it. Every service class lists its operations in a static
 * `api` table; the methods send through it, and docs/api.md is generated from it, so the code and the docs cannot
 * disagree about a method, a path or a status.
 */
export interface ApiOperation {
  readonly method: HttpMethod;
  /** Path pattern; `{name}` segments are filled from the call's path parameters. */
  readonly path: string;
  /** The documented success status (204 and empty bodies resolve to `void`). */
  readonly status: number;
  /** Name of the query parameter that carries the authorised application, when the operation has one. */
  readonly appParam?: 'appId' | 'accessAppId' | 'ownerFlag';
}

export type ApiTable = Readonly<Record<string, ApiOperation>>;

/** A class that lists its operations: every service class and Authentication. */
export interface ApiDescribed {
  readonly name: string;
  readonly api: ApiTable;
}

/** `op` with its `{name}` segments replaced by the given, already encoded, values. */
export function fillPath(path: string, params: Readonly<Record<string, string>>): string {
  return path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`no value for path parameter ${name} of ${path}`);
    return value;
  });
}
