/**
 * DeviceGroupManagement routes: groups and members.
 */
import type { Router } from '../router.js';

export function registerDeviceGroupRoutes(router: Router): void {
  void router;
}
