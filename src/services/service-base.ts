import { NorthApiClient } from '../client/north-api-client.js';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import type { QueryParams } from '../http/transport.js';
import { fillPath, type ApiDescribed, type ApiOperation } from './api-table.js';
import { pathSegment } from './validation.js';

/** What a method hands to {@link ServiceBase.call} once its input is validated. */
export interface CallInput {
  /** Values of the path's `{name}` segments, not yet checked: each must be a non-empty string. */
  params?: Readonly<Record<string, unknown>>;
  query?: QueryParams;
  json?: unknown;
}

/** What every service class shares: its client, and how a validated call is handed to it. */
export abstract class ServiceBase {
  protected readonly client: NorthApiClient;

  constructor(client: NorthApiClient) {
    if (!(client instanceof NorthApiClient)) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, `${new.target.name} needs a NorthApiClient.`);
    }
    this.client = client;
  }

  /**
   * Sends one operation of the class's `api` table. Path parameters are checked and encoded here, and the client
   * checks the token argument after them: any bad input fails with 1007 (or 1009 for the token) before a byte is
   * sent. An operation whose table entry names an `appParam` must carry that key in its query (its value may be
   * undefined): a method that does not is a programming error, reported as a plain Error.
   */
  protected call<T>(op: ApiOperation, input: CallInput, accessToken: string | null | undefined): Promise<T> {
    if (op.appParam !== undefined && (input.query === undefined || !Object.hasOwn(input.query, op.appParam))) {
      throw new Error(`${this.#operationName(op)} sends no ${op.appParam} query parameter, though its api table names ${op.appParam} as its appParam.`);
    }
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.params ?? {})) params[name] = pathSegment(value, name);
    const path = fillPath(op.path, params);
    return this.client.invoke<T>({ method: op.method, path, query: input.query, json: input.json, accessToken });
  }

  toString(): string {
    return `${this.constructor.name}(${this.client.toString()})`;
  }

  /** `Class.method (METHOD path)` for `op`, as error messages name it. */
  #operationName(op: ApiOperation): string {
    const table = (this.constructor as Partial<ApiDescribed>).api ?? {};
    const method = Object.keys(table).find((name) => table[name] === op) ?? '?';
    return `${this.constructor.name}.${method} (${op.method} ${op.path})`;
  }
}
