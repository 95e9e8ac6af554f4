/** Test helpers: a small HTTPS client that trusts the simulator CA. */
import http from 'node:http';
import https from 'node:https';
import type { Simulator } from '../../src/simulator/index.js';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** Parsed body, or undefined when empty. */
  json: any;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent form-encoded. */
  form?: Record<string, string>;
  /** Sent as is. */
  body?: string | Buffer;
  signal?: AbortSignal;
}

export interface TlsClientOptions {
  ca?: string;
  cert?: string;
  key?: string;
  servername?: string;
  /** Host to connect to instead of the simulator's host. */
  host?: string;
}

export class TestClient {
  readonly agent: http.Agent;
  private readonly base: URL;

  constructor(
    readonly sim: Pick<Simulator, 'url' | 'ca' | 'protocol'>,
    private readonly tls: TlsClientOptions = {},
  ) {
    this.base = new URL(sim.url);
    this.agent =
      sim.protocol === 'https'
        ? new https.Agent({ keepAlive: true, ca: tls.ca ?? (sim.ca || undefined), cert: tls.cert, key: tls.key, servername: tls.servername })
        : new http.Agent({ keepAlive: true });
  }

  request(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers };
    let payload: string | Buffer | undefined = options.body;
    if (options.json !== undefined) {
      payload = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    } else if (options.form !== undefined) {
      payload = new URLSearchParams(options.form).toString();
      headers['content-type'] ??= 'application/x-www-form-urlencoded';
    }
    const transport = this.sim.protocol === 'https' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        {
          protocol: this.base.protocol,
          host: this.tls.host ?? this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port,
          method,
          path,
          headers,
          agent: this.agent,
          signal: options.signal,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text === '' ? undefined : JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async login(appId: string, secret: string): Promise<{ accessToken: string; refreshToken: string; expiresIn: number }> {
    const reply = await this.request('POST', '/iocm/app/sec/v1.1.0/login', { form: { appId, secret } });
    if (reply.status !== 200) throw new Error(`login failed: ${reply.status} ${reply.text}`);
    return reply.json;
  }

  /** Business-call headers for an app and token. */
  static auth(appId: string, accessToken: string): Record<string, string> {
    return { app_key: appId, authorization: `Bearer ${accessToken}` };
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Polls until `check` returns a truthy value (the test timeout bounds the wait). */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  for (;;) {
    const value = await check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Asserts no secret or token appears anywhere in the serialised events. */
export function leakedIn(events: unknown, needles: string[]): string[] {
  const text = JSON.stringify(events);
  return needles.filter((n) => n !== '' && text.includes(n));
}

/** The newest event of a type. */
export function lastEvent<E extends { type: string }>(events: E[], type: E['type']): E | undefined {
  for (let i = events.length - 1; i >= 0; i--) if (events[i]!.type === type) return events[i];
  return undefined;
}
