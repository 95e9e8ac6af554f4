/**
 * Device commands and command cancel tasks of one application.
 */
export class CommandStore {
  constructor(readonly appId: string) {}
}
