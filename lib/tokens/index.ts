export { AccessTokenService } from './access-token.service.js';
export type { AccessTokenInput, SignedAccessToken } from './access-token.service.js';
export type { AccessTokenClaims } from './access-token-claims.interface.js';
export { JWT_ALGORITHMS } from './jws-algorithms.js';
export type { JwtAlgorithm } from './jws-algorithms.js';
export type { AuthKeyOptions, ImportedKey, KeyMaterial, KeySource } from './key-ring.js';
export type { JsonWebKeySet, PublicJwk } from './jwks.js';
export { JwksController } from './jwks.controller.js';
