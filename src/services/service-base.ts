import { NorthApiClient } from '../client/north-api-client.js';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import type { QueryParams } from '../http/transport.js';
import { fillPath, type ApiDescribed, type ApiOperation } from './api-table.js';
import { pathSegment } from './validation.js';
import { checkCallOptions, NO_OPTIONS, type CallOptions } from './call-options.js';

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
  /** Set on the views {@link withOptions} returns. */
  protected readonly callOptions: Readonly<CallOptions> = NO_OPTIONS;

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
    return this.client.invoke<T>({ method: op.method, path, query: input.query, json: input.json, accessToken, signal: this.callOptions.signal });
  }

  /**
   * The same service, with every call it makes carrying `options`: `devices.withOptions({ signal }).queryDeviceStatus(id,
   * null, null)`. The view shares this instance's client; creating one is cheap. Invalid options are 1017.
   */
  withOptions(options: CallOptions): this {
    const checked = checkCallOptions(options);
    // A real instance (not Object.create(this)): methods that use private members need one.
    const Service = this.constructor as new (client: NorthApiClient) => this;
    const view = new Service(this.client);
    Object.defineProperty(view, 'callOptions', { value: Object.freeze({ ...this.callOptions, ...checked }), enumerable: false });
    return view;
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
