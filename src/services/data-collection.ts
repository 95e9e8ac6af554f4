import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';

const API = {} as const satisfies ApiTable;

/**
 * Device queries: single and batch device information, data and desired-property history, capabilities (Java SDK `DataCollection`).
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class DataCollection extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }
}
