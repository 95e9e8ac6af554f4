import { NorthApiClient } from '../client/north-api-client.js';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import type { QueryParams } from '../http/transport.js';
import { fillPath, type ApiOperation } from './api-table.js';
import { invalid, optionalString, pathSegment, tokenArgument } from './validation.js';

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

  /**
   * The optional authorised-app id: null, undefined or `''` (own resources), or a string that is not blank. A
   * whitespace-only string names no application and is refused with 1007.
   * @param appId - the value as the caller gave it
   * @param field - the argument's name, as messages show it
   * @returns the app id to send, or undefined for the caller's own application
   */
  protected appIdArgument(appId: unknown, field = 'appId'): string | undefined {
    const value = optionalString(appId, field);
    if (value === '') return undefined;
    if (value !== undefined && value.trim().length === 0) throw invalid(field, "must not be blank (use null or '' for your own application)");
    return value;
  }

  toString(): string {
    return `${this.constructor.name}(${this.client.toString()})`;
  }
}
