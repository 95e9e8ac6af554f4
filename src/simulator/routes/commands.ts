/**
 * SignalDelivery and DeviceServiceInvocation routes: device commands, cancel tasks, sendCommand.
 */
import type { Router } from '../router.js';

export function registerCommandRoutes(router: Router): void {
  void router;
}
