import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import https from 'node:https';
import { after, before, describe, test } from 'node:test';
import fetch from 'node-fetch';
import { startSimulator, type Simulator } from '../../src/simulator/index.js';
import { createCertificateAuthority, issueClientCertificate } from '../../src/simulator/tls.js';
import { TestClient } from './helpers.js';

const LOGIN = '/iocm/app/sec/v1.1.0/login';

describe('TLS', () => {
  let sim: Simulator;
  const app = { appId: 'tlsApp', secret: 'tlsSecret' };

  before(async () => {
    sim = await startSimulator({ apps: [app] });
  });
  after(async () => {
    await sim.stop();
  });

  test('the CA is a CA and signed the server certificate with the loopback SANs', async () => {
    const ca = new X509Certificate(sim.ca);
    assert.equal(ca.ca, true);
    const served = await new Promise<X509Certificate>((resolve, reject) => {
      const req = https.request(`${sim.url}/`, { ca: sim.ca, agent: false }, (res) => {
        const peer = (res.socket as import('node:tls').TLSSocket).getPeerX509Certificate();
        res.resume();
        if (peer) resolve(peer);
        else reject(new Error('no peer certificate'));
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(served.ca, false);
    assert.ok(served.checkIssued(ca));
    assert.ok(served.verify(ca.publicKey));
    for (const name of ['IP Address:127.0.0.1', 'DNS:localhost']) assert.ok(served.subjectAltName?.includes(name), name);
    assert.match(served.subjectAltName ?? '', /IP Address:(::1|0:0:0:0:0:0:0:1)/);
  });

  test('node-fetch with an agent trusting the CA works, by IP and by the name localhost', async () => {
    const agent = new https.Agent({ ca: sim.ca });
    try {
      const byIp = await fetch(`${sim.url}${LOGIN}`, { method: 'POST', body: new URLSearchParams(app), agent });
      assert.equal(byIp.status, 200);
      const byName = await fetch(`https://localhost:${sim.port}${LOGIN}`, {
        method: 'POST',
        body: new URLSearchParams(app),
        agent,
      });
      assert.equal(byName.status, 200);
      assert.equal(((await byName.json()) as { tokenType: string }).tokenType, 'bearer');
    } finally {
      agent.destroy();
    }
  });

  test('a client trusting a foreign CA rejects the server', async () => {
    const foreign = createCertificateAuthority(undefined, 'Some Other CA');
    const client = new TestClient(sim, { ca: foreign.certPem });
    try {
      await assert.rejects(client.request('POST', LOGIN, { form: app }), (err: NodeJS.ErrnoException) => {
        assert.match(err.code ?? '', /UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
        return true;
      });
    } finally {
      client.close();
    }
    // And without any extra CA the default trust store rejects it too.
    const agent = new https.Agent();
    try {
      await assert.rejects(fetch(`${sim.url}${LOGIN}`, { method: 'POST', agent }));
    } finally {
      agent.destroy();
    }
  });

  test('the hostname is checked: another name is refused', async () => {
    const agent = new https.Agent({ ca: sim.ca });
    try {
      await assert.rejects(
        new Promise((resolve, reject) => {
          const req = https.request(
            { host: '127.0.0.1', port: sim.port, path: '/', agent, servername: 'platform.example.com', headers: { host: 'platform.example.com' } },
            resolve,
          );
          req.on('error', reject);
          req.end();
        }),
        (err: NodeJS.ErrnoException) => {
          assert.equal(err.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
          return true;
        },
      );
    } finally {
      agent.destroy();
    }
  });
});

describe('mutual TLS', () => {
  let sim: Simulator;
  const app = { appId: 'mtlsApp', secret: 'mtlsSecret' };

  before(async () => {
    sim = await startSimulator({ apps: [app], requireClientCertificate: true });
  });
  after(async () => {
    await sim.stop();
  });

  test('a client with a certificate issued by the simulator is accepted', async () => {
    const { cert, key } = sim.issueClientCertificate('sdk-test-client');
    assert.equal(new X509Certificate(cert).checkIssued(new X509Certificate(sim.ca)), true);
    const client = new TestClient(sim, { cert, key });
    try {
      const pair = await client.login(app.appId, app.secret);
      assert.ok(pair.accessToken);
    } finally {
      client.close();
    }
  });

  test('a client without a certificate fails the handshake', async () => {
    const client = new TestClient(sim);
    try {
      await assert.rejects(client.request('POST', LOGIN, { form: app }));
    } finally {
      client.close();
    }
    assert.equal(sim.stats().logins, 1);
  });

  test('a certificate from another CA is refused', async () => {
    const foreign = createCertificateAuthority(undefined, 'Foreign CA');
    const { cert, key } = issueClientCertificate(foreign, 'intruder');
    const client = new TestClient(sim, { cert, key });
    try {
      await assert.rejects(client.request('POST', LOGIN, { form: app }));
    } finally {
      client.close();
    }
    assert.equal(sim.stats().logins, 1);
  });
});
