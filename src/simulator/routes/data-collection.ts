/**
 * DataCollection routes: device queries, data and desired history, capabilities.
 */
import type { Router } from '../router.js';

export function registerDataCollectionRoutes(router: Router): void {
  void router;
}
