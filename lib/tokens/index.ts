export { AccessTokenService } from './access-token.service.js';
export type { AccessTokenInput, SignedAccessToken } from './access-token.service.js';
export type { AccessTokenClaims } from './access-token-claims.interface.js';
export { JWT_ALGORITHMS } from './jws-algorithms.js';
export type { JwtAlgorithm } from './jws-algorithms.js';
export type { AuthKeyOptions, KeyMaterial } from './key-ring.js';
