/** Messages between a fleet run (scenario.ts) and its instances (child.ts), over the IPC channel. */

export interface ChildSettings {
  host: string;
  port: number;
  ca: string;
  appId: string;
  secret: string;
  deviceId: string;
  /** Without it the instance refreshes on its own, as without fleet mode. */
  redisUrl?: string;
  leaseTtlMs?: number;
  connectTimeoutMs?: number;
  callers: number;
  /** Pause between two calls of one caller. */
  intervalMs: number;
  reportEveryMs: number;
}

export interface GoMessage {
  type: 'go';
  durationMs: number;
}

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'status'; at: number; role: string; storeConnected: boolean }
  | { type: 'log'; level: string; message: string }
  | { type: 'done'; calls: number; failures: Array<{ at: number; code: string; status: number }> };
