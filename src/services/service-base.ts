import { NorthApiClient, type ServiceCall } from '../client/north-api-client.js';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import { optionalString, tokenArgument } from './validation.js';

/** What every service class shares: its client, and how a validated call is handed to it. */
export abstract class ServiceBase {
  protected readonly client: NorthApiClient;

  constructor(client: NorthApiClient) {
    if (!(client instanceof NorthApiClient)) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, `${new.target.name} needs a NorthApiClient.`);
    }
    this.client = client;
  }

  /** Sends a call whose arguments have been validated; checks the token argument last, still before any I/O. */
  protected send<T>(call: Omit<ServiceCall, 'accessToken'>, accessToken: string | null | undefined): Promise<T> {
    return this.client.invoke<T>({ ...call, accessToken: tokenArgument(accessToken) });
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
