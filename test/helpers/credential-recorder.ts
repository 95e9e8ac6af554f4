/**
 * Preload module (`node --import=<file URL of this file>`, put into NODE_OPTIONS by test/run-tests.ts so that child
 * processes load it too): appends every credential the simulator publishes on its diagnostics channel, as one JSON
 * line `{"kind","value"}`, to the file named by the environment variable OC_CREDENTIALS_FILE. Does nothing when the
 * variable is unset, and never prints.
 */
import { appendFileSync } from 'node:fs';
import diagnosticsChannel from 'node:diagnostics_channel';
import { CREDENTIAL_CHANNEL, type CredentialMessage } from '../../src/simulator/credential-channel.js';

export const CREDENTIALS_FILE_ENV = 'OC_CREDENTIALS_FILE';

const file = process.env[CREDENTIALS_FILE_ENV];

if (file) {
  // subscribe() by name keeps the channel (and so the subscription) alive for the life of the process.
  diagnosticsChannel.subscribe(CREDENTIAL_CHANNEL, (message) => {
    const { kind, value } = message as CredentialMessage;
    if (typeof value !== 'string' || value === '') return;
    try {
      appendFileSync(file, `${JSON.stringify({ kind, value })}\n`);
    } catch {
      // A recorder that cannot write must not disturb the process it watches; the runner's floor notices.
    }
  });
}
