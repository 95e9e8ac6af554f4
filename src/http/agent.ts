import http from 'node:http';
import https from 'node:https';
import type { TlsMaterial } from '../client/ssl-config.js';

export interface AgentSettings {
  scheme: 'https' | 'http';
  tls: TlsMaterial;
  /** Sockets per host; the platform's own flow control (100 calls / 60 s by default) is the real limit. */
  maxSockets?: number;
}

/**
 * A keep-alive agent carrying the TLS settings. Free sockets are unref'd by Node, so an idle agent never keeps the
 * process alive; `destroy()` closes them at once.
 */
export function createAgent(settings: AgentSettings): http.Agent {
  const common = { keepAlive: true, keepAliveMsecs: 1000, maxSockets: settings.maxSockets ?? 64, maxFreeSockets: 16, scheduling: 'lifo' as const };
  if (settings.scheme === 'http') return new http.Agent(common);
  const { tls } = settings;
  return new https.Agent({
    ...common,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    pfx: tls.pfx ? Buffer.from(tls.pfx) : undefined,
    passphrase: tls.passphrase,
    rejectUnauthorized: tls.rejectUnauthorized,
  });
}
