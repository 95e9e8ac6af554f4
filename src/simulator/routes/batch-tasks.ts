/**
 * BatchProcess routes: batch tasks and task details.
 */
import type { Router } from '../router.js';

export function registerBatchTaskRoutes(router: Router): void {
  void router;
}
