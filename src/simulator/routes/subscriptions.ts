/**
 * SubscriptionManagement routes: service-data and management-data subscriptions.
 */
import type { Router } from '../router.js';

export function registerSubscriptionRoutes(router: Router): void {
  void router;
}
