export { AccessTokenService } from './access-token.service.js';
export type { AccessTokenInput, SignedAccessToken } from './access-token.service.js';
export type { AccessTokenClaims } from './access-token-claims.interface.js';
export { JWT_ALGORITHMS } from './jws-algorithms.js';
export type { JwtAlgorithm } from './jws-algorithms.js';
export type { AuthKeyOptions, KeyMaterial } from './key-ring.js';
export { VerifiedTokenCache, VERIFIED_TOKEN_CACHE_DEFAULT_SIZE, VERIFIED_TOKEN_CACHE_MAX_TOKEN_LENGTH } from './verified-token.cache.js';
