/**
 * Upgrade packages and upgrade tasks of one application.
 */
export class UpgradeStore {
  constructor(readonly appId: string) {}
}
