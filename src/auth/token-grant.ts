/** What login and refreshToken return (Java SDK AuthOutDTO / AuthRefreshOutDTO). */
export interface TokenGrant {
  accessToken: string;
  refreshToken: string;
  /** Seconds. The platform says 3600; the simulator can issue shorter ones. */
  expiresIn: number;
  tokenType: string;
  scope: string;
}

/** The access token the refresher currently serves, as pushed to the main thread. No refresh token, no secret. */
export interface TokenState {
  accessToken: string;
  /** Epoch ms after which the platform no longer accepts the token (measured from before the request was sent). */
  expiresAt: number;
  /** Epoch ms at which the request that produced it was sent. */
  issuedAt: number;
  /** Increases with every token one refresher obtains. */
  version: number;
}
