/**
 * DeviceUpgrade routes: packages and upgrade tasks.
 */
import type { Router } from '../router.js';

export function registerUpgradeRoutes(router: Router): void {
  void router;
}
