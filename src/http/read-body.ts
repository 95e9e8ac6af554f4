import type { IncomingMessage } from 'node:http';

/** A request body as read by {@link readBody}. */
export type BodyRead = { kind: 'ok'; text: string } | { kind: 'too-large' } | { kind: 'aborted' };

/** How much of an oversized body is read and thrown away (so the client sees the answer) before the connection is cut. */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;

/**
 * Reads a request body as UTF-8 text, keeping at most `limit` bytes. A larger body (declared or sent) is read on and
 * thrown away, so that the client, still sending, gets to read the answer; past {@link MAX_DRAIN_BYTES} (sent or
 * declared) the connection is cut instead and the result is `aborted`, as it is when the client goes away.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  // The client may have gone before anyone got to read (its 'close' event has fired already).
  if (req.destroyed || req.readableAborted) return Promise.resolve({ kind: 'aborted' });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const declared = Number(req.headers['content-length'] ?? 0);
    let tooLarge = declared > limit;
    let settled = false;
    const finish = (result: BodyRead): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    if (declared > MAX_DRAIN_BYTES) {
      // Not worth reading to the end: cut the connection now.
      req.socket.destroy();
      finish({ kind: 'aborted' });
      return;
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      if (tooLarge) {
        chunks.length = 0;
        if (size > MAX_DRAIN_BYTES) {
          req.socket.destroy();
          finish({ kind: 'aborted' });
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => finish(tooLarge ? { kind: 'too-large' } : { kind: 'ok', text: Buffer.concat(chunks).toString('utf8') }));
    req.on('error', () => finish({ kind: 'aborted' }));
    req.on('close', () => finish({ kind: 'aborted' }));
  });
}
