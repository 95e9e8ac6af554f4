/**
 * Device groups of one application.
 */
export class GroupStore {
  constructor(readonly appId: string) {}
}
