/**
 * Certificates for the simulator: a throw-away CA generated at start, a server
 * certificate signed by it, and client certificates for mutual TLS.
 *
 * Keys come from Node's crypto (fast, native); certificates are assembled and
 * signed (SHA-256) with node-forge.
 */
import { generateKeyPair, generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';

export interface KeyPairPem {
  /** PKCS#1 PEM ("RSA PRIVATE KEY"), readable by both Node and node-forge. */
  privateKey: string;
  /** SPKI PEM. */
  publicKey: string;
}

export interface CertificateAuthority {
  certPem: string;
  keyPem: string;
  /** Parsed forms, kept to sign further certificates. */
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface IssuedCertificate {
  cert: string;
  key: string;
}

const RSA_BITS = 2048;

/** Synchronous RSA key pair. */
export function rsaKeyPairSync(): KeyPairPem {
  return generateKeyPairSync('rsa', {
    modulusLength: RSA_BITS,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
}

/** Asynchronous RSA key pair (runs on the libuv pool, so several can be made in parallel). */
export function rsaKeyPair(): Promise<KeyPairPem> {
  return new Promise((resolve, reject) => {
    generateKeyPair(
      'rsa',
      {
        modulusLength: RSA_BITS,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
      },
      (err, publicKey, privateKey) => {
        if (err) reject(err);
        else resolve({ publicKey, privateKey });
      },
    );
  });
}

/** A positive, random 16-byte serial number in hex. */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = bytes[0]! & 0x7f;
  if (bytes[0] === 0) bytes[0] = 0x01;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  // Back-date a little so that small clock differences do not matter.
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 3600 * 1000);
}

function keyIdentifier(cert: forge.pki.Certificate): string {
  return cert.generateSubjectKeyIdentifier().getBytes();
}

/** Creates a self-signed CA certificate (CA:true) with a fresh key. */
export function createCertificateAuthority(keys: KeyPairPem = rsaKeyPairSync(), commonName = 'OceanConnect Simulator CA'): CertificateAuthority {
  const key = forge.pki.privateKeyFromPem(keys.privateKey);
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialNumber();
  validity(cert, 365);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'oceanconnect-north-sdk simulator' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem: keys.privateKey, cert, key };
}

type AltName = { type: 2; value: string } | { type: 7; ip: string };

/** Subject alternative names for a server: loopback names plus the configured host. */
export function serverAltNames(host: string): AltName[] {
  const names: AltName[] = [
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
    { type: 2, value: 'localhost' },
  ];
  const h = host.replace(/^\[|\]$/g, '');
  const unspecified = h === '0.0.0.0' || h === '::' || h === '';
  if (!unspecified && h !== '127.0.0.1' && h !== '::1' && h.toLowerCase() !== 'localhost') {
    names.push(isIP(h) ? { type: 7, ip: h } : { type: 2, value: h });
  }
  return names;
}

function issue(
  ca: CertificateAuthority,
  keys: KeyPairPem,
  commonName: string,
  extensions: object[],
): IssuedCertificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(keys.publicKey);
  cert.serialNumber = serialNumber();
  validity(cert, 365);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    ...extensions,
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: keyIdentifier(ca.cert) },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.privateKey };
}

/** A TLS server certificate for `host` (and the loopback names), signed by the CA. */
export function issueServerCertificate(ca: CertificateAuthority, host: string, keys: KeyPairPem = rsaKeyPairSync()): IssuedCertificate {
  const h = host.replace(/^\[|\]$/g, '');
  const commonName = h === '' || h === '0.0.0.0' || h === '::' ? 'localhost' : h;
  return issue(ca, keys, commonName, [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: serverAltNames(host) },
  ]);
}

/** A TLS client certificate, signed by the CA, for mutual TLS. */
export function issueClientCertificate(ca: CertificateAuthority, commonName = 'simulator-client'): IssuedCertificate {
  return issue(ca, rsaKeyPairSync(), commonName, [
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
}

export interface ServerTlsMaterial {
  ca: CertificateAuthority;
  server: IssuedCertificate;
}

/** Generates the CA and the server certificate; the two keys are made in parallel. */
export async function createServerTls(host: string): Promise<ServerTlsMaterial> {
  const [caKeys, serverKeys] = await Promise.all([rsaKeyPair(), rsaKeyPair()]);
  const ca = createCertificateAuthority(caKeys);
  const server = issueServerCertificate(ca, host, serverKeys);
  return { ca, server };
}
