/**
 * Batch tasks of one application.
 */
export class BatchTaskStore {
  constructor(readonly appId: string) {}
}
