// Load process of P6: keeps `connections` keep-alive TLS connections busy with one GET each in flight (no
// pipelining), for a warm-up and then a measured period, and prints one JSON line with the counts. Responses are
// framed by Content-Length, as the two servers measured answer.
import tls from 'node:tls';
import { childInput, reply } from './lib/child.js';

export interface LoadInput {
  host: string;
  port: number;
  ca: string;
  path: string;
  headers: Record<string, string>;
  connections: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  non2xx: number;
  errors: number;
  seconds: number;
  perSecond: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

function requestBytes(input: LoadInput): Buffer {
  const lines = [`GET ${input.path} HTTP/1.1`, `Host: ${input.host}:${input.port}`, 'Connection: keep-alive'];
  for (const [name, value] of Object.entries(input.headers)) lines.push(`${name}: ${value}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
}

/** Content-Length of a header block (lower-cased search; the servers send it on every answer). */
function contentLength(head: string): number {
  const at = head.toLowerCase().indexOf('\r\ncontent-length:');
  if (at < 0) return 0;
  return Number.parseInt(head.slice(at + 17, head.indexOf('\r\n', at + 2)), 10);
}

async function main(): Promise<void> {
  const input = childInput<LoadInput>();
  const request = requestBytes(input);
  let counting = false;
  let stopped = false;
  const totals = { requests: 0, non2xx: 0, errors: 0 };
  const sockets: tls.TLSSocket[] = [];

  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const socket = tls.connect({ host: input.host, port: input.port, ca: input.ca }, () => {
        socket.write(request);
        resolve();
      });
      sockets.push(socket);
      let buffer: Buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk]);
        for (;;) {
          const end = buffer.indexOf(HEADER_END);
          if (end < 0) return;
          const head = buffer.toString('latin1', 0, end);
          const total = end + 4 + contentLength(head);
          if (buffer.length < total) return;
          if (counting) {
            totals.requests += 1;
            if (head.charCodeAt(9) !== 50) totals.non2xx += 1; // 'HTTP/1.1 2xx'
          }
          buffer = buffer.subarray(total);
          if (!stopped) socket.write(request);
        }
      });
      socket.on('error', (error) => {
        totals.errors += 1;
        reject(error);
      });
    });

  await Promise.all(Array.from({ length: input.connections }, open));
  await new Promise((resolve) => setTimeout(resolve, input.warmupMs));
  counting = true;
  const start = process.hrtime.bigint();
  await new Promise((resolve) => setTimeout(resolve, input.durationMs));
  counting = false;
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  stopped = true;
  for (const socket of sockets) socket.destroy();
  reply({ ...totals, seconds, perSecond: totals.requests / seconds } satisfies LoadResult);
}

await main();
