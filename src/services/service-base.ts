import { NorthApiClient } from '../client/north-api-client.js';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import type { QueryParams } from '../http/transport.js';
import { fillPath, type ApiOperation } from './api-table.js';
import { optionalString, pathSegment, tokenArgument } from './validation.js';

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
   * Sends one operation of the class's `api` table. Path parameters are checked and encoded here and the token
   * argument last: any bad input fails with 1007 (or 1009 for the token) before a byte is sent.
   */
  protected call<T>(op: ApiOperation, input: CallInput, accessToken: string | null | undefined): Promise<T> {
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.params ?? {})) params[name] = pathSegment(value, name);
    const path = fillPath(op.path, params);
    const token = tokenArgument(accessToken);
    return this.client.invoke<T>({ method: op.method, path, query: input.query, json: input.json, accessToken: token });
  }

  /** The optional authorised-app id: null/undefined (own resources) or a non-empty string. */
  protected appIdArgument(appId: unknown, field = 'appId'): string | undefined {
    const value = optionalString(appId, field);
    if (value === '') return undefined;
    return value;
  }

  toString(): string {
    return `${this.constructor.name}(${this.client.toString()})`;
  }
}
