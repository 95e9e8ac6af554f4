import { redact } from './http/redact.js';

/** Where the SDK writes what it has to say. Every message is redacted before it gets here. */
export interface NorthApiLogger {
  debug?(message: string): void;
  info?(message: string): void;
  warn?(message: string): void;
  error?(message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** The default: warnings and errors to stderr, nothing else. */
export const defaultLogger: NorthApiLogger = {
  warn: (message) => console.warn(message),
  error: (message) => console.error(message),
};

/** Logs through the given logger, redacting first; a logger that throws never breaks the SDK. */
export function log(logger: NorthApiLogger | undefined, level: LogLevel, message: string): void {
  const fn = logger?.[level];
  if (!fn) return;
  try {
    fn.call(logger, `[oceanconnect-north-sdk] ${redact(message)}`);
  } catch {
    // A broken logger must not break a service call.
  }
}
