// nestjs-jwt-refresh/client: the browser and Node client. No dependencies and
// no Nest import, so it can be bundled into a page on its own.
export { createAuthClient } from './auth-client.js';
export type { AuthClient, AuthClientHooks } from './auth-client.js';
export type { RejectedRequest } from './auth-fetch.js';
export type { AuthClientOptions, CrossTabOptions, RefreshTokenMode } from './auth-client.options.js';
export type { AuthClientEvents, AuthClientListener, ChangeSource, RefreshTrigger } from './auth-client.events.js';
export { AuthClientError } from './auth-client.error.js';
export { ClientSessionEndReason } from './auth-client.codes.js';
export { MemoryTokenStorage } from './token-storage.js';
export type { TokenStorage } from './token-storage.js';
export { WebStorageTokenStorage } from './web-storage.token-storage.js';
export type { WebStorageLike } from './web-storage.token-storage.js';
export type { TokenSet, TokenPairResponse } from './token-set.js';
export { readAccessTokenTimes } from './jwt-payload.js';
export type { AccessTokenTimes } from './jwt-payload.js';
