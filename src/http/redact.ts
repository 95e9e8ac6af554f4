/**
 * Removes credentials from text before it can reach an error message, a log line or `util.inspect`.
 *
 * Two layers:
 * 1. Every secret the SDK has handled (app secrets, access and refresh tokens) is remembered, in a bounded set, and
 *    replaced wherever it appears.
 * 2. Values of credential-like keys (`secret`, `accessToken`, `refreshToken`, `Authorization`, ...) are replaced in
 *    JSON, form and header-like text even when the value was never seen before.
 */

export const REDACTED = '[redacted]';

const MAX_REMEMBERED = 256;
/** Shorter strings are not remembered: replacing them would mangle ordinary text. */
const MIN_REMEMBERED_LENGTH = 6;

const remembered = new Set<string>();

/** Remember a credential so that `redact()` removes it from any text from now on. */
export function rememberSecret(value: string | null | undefined): void {
  if (typeof value !== 'string' || value.length < MIN_REMEMBERED_LENGTH) return;
  if (remembered.has(value)) {
    remembered.delete(value); // re-insert: most recent last, oldest evicted first
  } else if (remembered.size >= MAX_REMEMBERED) {
    const oldest = remembered.values().next().value;
    if (oldest !== undefined) remembered.delete(oldest);
  }
  remembered.add(value);
}

const KEY_NAMES = '(?:secret|accessToken|access_token|refreshToken|refresh_token|authorization|password|passphrase|selfCertPwd|trustCAPwd|psk)';
const JSON_VALUE = new RegExp(`("${KEY_NAMES}"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
const FORM_VALUE = new RegExp(`(\\b${KEY_NAMES}=)[^&\\s"']*`, 'gi');
const HEADER_VALUE = new RegExp(`(\\b${KEY_NAMES}\\s*:\\s*)(?:Bearer\\s+)?[^\\s,;"'}]+`, 'gi');
const BEARER = /(\bBearer\s+)[A-Za-z0-9._~+/=-]+/g;

export function redact(text: string): string {
  let out = text;
  for (const value of remembered) {
    if (out.includes(value)) out = out.split(value).join(REDACTED);
  }
  return out
    .replace(JSON_VALUE, `$1"${REDACTED}"`)
    .replace(FORM_VALUE, `$1${REDACTED}`)
    .replace(HEADER_VALUE, `$1${REDACTED}`)
    .replace(BEARER, `$1${REDACTED}`);
}
