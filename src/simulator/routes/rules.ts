/**
 * RuleEngine routes: rules and their status.
 */
import type { Router } from '../router.js';

export function registerRuleRoutes(router: Router): void {
  void router;
}
