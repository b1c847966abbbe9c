/** What login and refresh answer (the body of the HTTP contract). @publicApi */
export interface TokenPair {
  accessToken: string;
  /** Opaque; the server keeps only its hash. */
  refreshToken: string;
  tokenType: 'Bearer';
  /** Seconds the access token lives. */
  expiresIn: number;
  /** Seconds until the refresh token expires: the earlier of its sliding TTL and the session's absolute end. */
  refreshExpiresIn: number;
}

/** What a login or refresh endpoint sends: the pair, without `refreshToken` when cookie mode keeps it out of the body. @publicApi */
export type TokenPairBody = Omit<TokenPair, 'refreshToken'> & { refreshToken?: string };

/** Builds the pair every issue and rotation answers with. Internal: kept out of the barrels. */
export function tokenPair(accessToken: string, expiresIn: number, refreshToken: string, refreshEnd: number, now: number): TokenPair {
  return {
    accessToken,
    refreshToken,
    tokenType: 'Bearer',
    expiresIn,
    refreshExpiresIn: Math.max(0, Math.floor((refreshEnd - now) / 1000)),
  };
}
