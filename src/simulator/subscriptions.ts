/**
 * Push subscriptions of one application.
 */
export class SubscriptionStore {
  constructor(readonly appId: string) {}
}
