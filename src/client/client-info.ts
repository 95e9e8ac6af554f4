import { inspect } from 'node:util';
import { NorthApiException, SdkErrorCode } from '../errors.js';
import { REDACTED, rememberSecret } from '../http/redact.js';

/** Where the platform is and which application logs in (Java SDK `ClientInfo`). */
export interface ClientInfo {
  platformIp: string;
  platformPort: string | number;
  appId: string;
  secret: string;
  /** https (default) or http (plain, for a local simulator only). */
  scheme?: 'https' | 'http';
}

const CLIENT_INFO_KEYS = new Set(['platformIp', 'platformPort', 'appId', 'secret', 'scheme']);

/**
 * Checks a ClientInfo the way the Java SDK does (1008 for a missing field, 1010 for a space in appId or secret), plus
 * what TypeScript users can get wrong (unknown keys, a port out of range, an unknown scheme), and returns a frozen copy
 * whose secret is hidden from JSON, `toString()` and `util.inspect`.
 */
export function validateClientInfo(info: unknown): Readonly<ClientInfo> {
  if (info === null || typeof info !== 'object') {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INFO_ERROR, 'clientInfo must be an object.');
  }
  const raw = info as Record<string, unknown>;
  for (const key of Object.keys(raw)) {
    if (!CLIENT_INFO_KEYS.has(key)) {
      throw NorthApiException.sdk(
        SdkErrorCode.CLIENT_INFO_ERROR,
        `Unknown clientInfo field "${key}"; accepted fields: ${[...CLIENT_INFO_KEYS].join(', ')}.`,
      );
    }
  }
  for (const field of ['platformIp', 'appId', 'secret'] as const) {
    const value = raw[field];
    if (typeof value !== 'string' || value.length === 0) {
      throw NorthApiException.sdk(SdkErrorCode.CLIENT_INFO_ERROR, `clientInfo.${field} must be a non-empty string.`);
    }
  }
  const appId = raw.appId as string;
  const secret = raw.secret as string;
  rememberSecret(secret);
  if (/\s/.test(appId) || /\s/.test(secret)) {
    throw NorthApiException.sdk(SdkErrorCode.APPID_SECRET_INCLUDE_SPACE, 'Remove the spaces from clientInfo.appId or clientInfo.secret.');
  }
  const port = raw.platformPort;
  const portText = typeof port === 'number' ? String(port) : port;
  if (typeof portText !== 'string' || !/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INFO_ERROR, 'clientInfo.platformPort must be a port number from 1 to 65535.');
  }
  const scheme = raw.scheme ?? 'https';
  if (scheme !== 'https' && scheme !== 'http') {
    throw NorthApiException.sdk(SdkErrorCode.CLIENT_INFO_ERROR, 'clientInfo.scheme must be "https" or "http".');
  }
  const copy = {
    platformIp: raw.platformIp as string,
    platformPort: port as string | number,
    appId,
    scheme,
  } as ClientInfo;
  Object.defineProperty(copy, 'secret', { value: secret, enumerable: false });
  Object.defineProperty(copy, inspect.custom, {
    value: () => `ClientInfo { platformIp: '${copy.platformIp}', platformPort: ${JSON.stringify(copy.platformPort)}, appId: '${appId}', scheme: '${scheme}', secret: '${REDACTED}' }`,
    enumerable: false,
  });
  Object.defineProperty(copy, 'toString', { value: () => `ClientInfo(${copy.platformIp}:${copy.platformPort}, appId=${appId})`, enumerable: false });
  return Object.freeze(copy);
}

/** `https://host:port` for a validated ClientInfo (IPv6 literals bracketed). */
export function baseUrlOf(info: Readonly<ClientInfo>): string {
  const host = info.platformIp.includes(':') && !info.platformIp.startsWith('[') ? `[${info.platformIp}]` : info.platformIp;
  return `${info.scheme ?? 'https'}://${host}:${info.platformPort}`;
}
