import { readFileSync } from 'node:fs';
import { NorthApiException, SdkErrorCode, type SdkErrorCodeValue } from '../errors.js';
import { rememberSecret } from '../http/redact.js';

/** PEM text, or a Buffer holding it. */
export type Pem = string | Buffer;

/**
 * TLS settings. Node-style fields first; the Java SDK's file-based names are accepted too, for ported code.
 * Server verification is on unless `rejectUnauthorized: false` is set explicitly (the SDK then logs a warning).
 */
export interface SSLConfig {
  /** CA certificate(s) that sign the platform's certificate, PEM. Added to Node's default trust store. */
  ca?: Pem | Pem[];
  /** Client certificate (PEM) for mutual TLS. */
  cert?: Pem;
  /** Client private key (PEM) for mutual TLS. */
  key?: Pem;
  /** Client certificate and key as PKCS#12. */
  pfx?: Buffer;
  /** Passphrase of `key` or `pfx`. */
  passphrase?: string;
  /** Verify the platform's certificate. Default true. */
  rejectUnauthorized?: boolean;
  /** Java name: path of a PKCS#12 file holding the client certificate and key. */
  selfCertPath?: string;
  /** Java name: password of `selfCertPath`. */
  selfCertPwd?: string;
  /** Java name: path of a PEM file with the CA certificate(s) to trust. (Java keystores are not supported.) */
  trustCAPath?: string;
}

/** TLS material as plain data: what crosses into the refresher worker (no objects, no file paths). */
export interface TlsMaterial {
  ca?: string[];
  cert?: string;
  key?: string;
  pfx?: Uint8Array;
  passphrase?: string;
  rejectUnauthorized: boolean;
}

const SSL_KEYS = new Set(['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'selfCertPath', 'selfCertPwd', 'trustCAPath']);

/** Validates an SSLConfig and reads the files it names. Errors: 1007 for a malformed config, 1006 for an unreadable file. */
export function resolveSslConfig(ssl: SSLConfig | undefined): TlsMaterial {
  if (ssl === undefined) return { rejectUnauthorized: true };
  if (ssl === null || typeof ssl !== 'object') {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'ssl must be an object.');
  }
  for (const key of Object.keys(ssl)) {
    if (!SSL_KEYS.has(key)) {
      throw NorthApiException.sdk(
        SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID,
        `Unknown ssl option "${key}"; accepted options: ${[...SSL_KEYS].join(', ')}.`,
      );
    }
  }
  if (ssl.rejectUnauthorized !== undefined && typeof ssl.rejectUnauthorized !== 'boolean') {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'ssl.rejectUnauthorized must be a boolean.');
  }
  rememberSecret(ssl.passphrase);
  rememberSecret(ssl.selfCertPwd);
  const material: TlsMaterial = { rejectUnauthorized: ssl.rejectUnauthorized !== false };
  const cas: string[] = [];
  if (ssl.ca !== undefined) {
    for (const pem of Array.isArray(ssl.ca) ? ssl.ca : [ssl.ca]) cas.push(pemText(pem, 'ssl.ca'));
  }
  if (ssl.trustCAPath !== undefined) cas.push(readPem(ssl.trustCAPath, 'ssl.trustCAPath'));
  if (cas.length > 0) material.ca = cas;
  if (ssl.cert !== undefined) material.cert = pemText(ssl.cert, 'ssl.cert');
  if (ssl.key !== undefined) material.key = pemText(ssl.key, 'ssl.key');
  if ((material.cert === undefined) !== (material.key === undefined)) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'ssl.cert and ssl.key go together: give both or neither.');
  }
  if (ssl.pfx !== undefined) {
    if (!(ssl.pfx instanceof Uint8Array)) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'ssl.pfx must be a Buffer.');
    }
    material.pfx = new Uint8Array(ssl.pfx);
  }
  if (ssl.selfCertPath !== undefined) {
    if (material.pfx !== undefined) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'Give ssl.pfx or ssl.selfCertPath, not both.');
    }
    material.pfx = new Uint8Array(readFile(ssl.selfCertPath, 'ssl.selfCertPath'));
  }
  const passphrase = ssl.passphrase ?? ssl.selfCertPwd;
  if (passphrase !== undefined) {
    if (typeof passphrase !== 'string') {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, 'ssl.passphrase must be a string.');
    }
    material.passphrase = passphrase;
  }
  return material;
}

/** A PEM given as a string or Buffer, as text; anything else is `code` (1007 for ssl options) naming the field. */
export function pemText(value: unknown, field: string, code: SdkErrorCodeValue = SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID): string {
  if (typeof value === 'string' && value.length > 0) return value;
  if (Buffer.isBuffer(value) && value.length > 0) return value.toString('utf8');
  throw NorthApiException.sdk(code, `${field} must be a non-empty PEM string or Buffer.`);
}

function readFile(path: unknown, field: string): Buffer {
  if (typeof path !== 'string' || path.length === 0) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INPUT_PARAMETER_INVALID, `${field} must be a non-empty file path.`);
  }
  try {
    return readFileSync(path);
  } catch (error) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_SSL_CONFIG_ERROR, `Cannot read ${field}.`, error);
  }
}

function readPem(path: unknown, field: string): string {
  const text = readFile(path, field).toString('utf8');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_SSL_CONFIG_ERROR, `${field} is not a PEM certificate file (Java keystores are not supported).`);
  }
  return text;
}
