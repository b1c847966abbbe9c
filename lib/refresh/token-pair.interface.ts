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
