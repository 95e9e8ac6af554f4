import { inject, injectable } from '../di.js';
import { NorthApiClient } from '../client/north-api-client.js';
import type { ApiTable } from './api-table.js';
import { ServiceBase } from './service-base.js';

const API = {} as const satisfies ApiTable;

/**
 * Subscriptions to service-data and management-data push notifications (Java SDK `SubscriptionManagement`).
 * `accessToken` may be null while the refresh timer runs.
 */
@injectable()
export class SubscriptionManagement extends ServiceBase {
  /** The operations this class sends: HTTP method, path and documented success status. */
  static readonly api: ApiTable = API;

  constructor(@inject(NorthApiClient) client: NorthApiClient) {
    super(client);
  }
}
