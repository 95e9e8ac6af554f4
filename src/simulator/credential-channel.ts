/**
 * Publishes every credential the simulator holds (app secrets) or hands out (access and refresh tokens) on a
 * `node:diagnostics_channel` channel, so that test tooling can check that nothing prints them. The simulator's
 * credentials are test values; a message is built only while someone subscribes.
 */
import diagnosticsChannel from 'node:diagnostics_channel';

/** Name of the channel (see docs/simulator.md). */
export const CREDENTIAL_CHANNEL = 'oceanconnect-north-sdk:simulator:credential';

export type CredentialKind = 'secret' | 'accessToken' | 'refreshToken';

/** One message on {@link CREDENTIAL_CHANNEL}. */
export interface CredentialMessage {
  kind: CredentialKind;
  value: string;
}

const channel = diagnosticsChannel.channel(CREDENTIAL_CHANNEL);

/** Announces a credential, when the channel has subscribers. */
export function publishCredential(kind: CredentialKind, value: string): void {
  if (channel.hasSubscribers) channel.publish({ kind, value } satisfies CredentialMessage);
}
