// Baseline server of P6: a bare Node https server with the simulator's TLS settings (a fresh CA and an RSA-2048 server
// certificate from the simulator's own tls module, Node's defaults otherwise) answering a fixed JSON body to every
// request. Prints {port, ca} once listening; stops when stdin ends.
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createServerTls } from '../src/simulator/tls.js';
import { childInput, reply, untilStdinEnds } from './lib/child.js';

const { host, body } = childInput<{ host: string; body: string }>();
const tls = await createServerTls(host);
const payload = Buffer.from(body);
const server = https.createServer({ key: tls.server.key, cert: tls.server.cert }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
  res.end(payload);
});
await new Promise<void>((resolve) => server.listen(0, host, resolve));
reply({ port: (server.address() as AddressInfo).port, ca: tls.ca.certPem });
await untilStdinEnds();
server.close();
server.closeAllConnections();
