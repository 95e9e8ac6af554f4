/**
 * Rules of one application.
 */
export class RuleStore {
  constructor(readonly appId: string) {}
}
