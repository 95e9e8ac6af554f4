/** Result of login (Java SDK AuthOutDTO). util.inspect shows the tokens as [redacted]. */
export interface AuthOutDTO {
  accessToken: string;
  tokenType: string;
  refreshToken: string;
  /** Seconds. */
  expiresIn: number;
  scope: string;
}

/** Input of refreshAuthToken (Java SDK AuthRefreshInDTO). */
export interface AuthRefreshInDTO {
  appId: string;
  secret: string;
  refreshToken: string;
}

/** Result of refreshAuthToken (Java SDK AuthRefreshOutDTO). */
export type AuthRefreshOutDTO = AuthOutDTO;

/** Payload of Authentication's 'tokenRefreshed' event: no token, no secret. */
export interface TokenRefreshedEvent {
  appId: string;
  /** Increases with every token the refresher obtains. */
  version: number;
  expiresAt: Date;
  /**
   * Which endpoint produced the token; `store` in fleet mode: another instance obtained it and this one took it from
   * the token store.
   */
  via: 'login' | 'refresh' | 'store';
}

/** Payload of Authentication's 'refreshFailed' event: no token, no secret. */
export interface RefreshFailedEvent {
  appId: string;
  error: import('../errors.js').NorthApiException;
  /** True when the refresher gave up (wrong credentials, frozen app). */
  terminal: boolean;
  /** When the next attempt is due, if any. */
  retryInMs?: number;
  /** Whether the token in use is still valid (calls keep working meanwhile). */
  tokenValid: boolean;
}
