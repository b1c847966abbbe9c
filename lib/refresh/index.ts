export { RefreshService } from './refresh.service.js';
export { RefreshCookieService } from './refresh-cookie.service.js';
export { SessionClaimsService } from './session-claims.service.js';
export type { SessionClaimsTarget, SessionClaimsUpdate } from './session-claims.service.js';
export type { ClaimsResolver, ClaimsResolverContext } from './session-claims.js';
export { RefreshTokenStore } from './refresh-token.store.js';
export type { CreateSessionOptions, CreateSessionResult, SubjectRevocation } from './refresh-token.store.js';
export type { RevocationNotice, RevocationListener } from './revocation-notice.interface.js';
export { MemoryRefreshTokenStore } from './memory-refresh-token.store.js';
export type { MemoryRefreshTokenStoreOptions } from './memory-refresh-token.store.js';
export { SESSION_RETENTION_MS, sessionRetainUntil } from './refresh-session.interface.js';
export type { RefreshSession, RotationUpdate, RevocationReason } from './refresh-session.interface.js';
export type { TokenPair, TokenPairBody } from './token-pair.interface.js';
export type { SessionInfo } from './session-info.interface.js';
export type { ClientContext } from './client-context.interface.js';
export type {
  SessionEvent,
  SessionEventType,
  SessionEventListener,
  SessionEventSink,
  SessionCreatedEvent,
  SessionRotatedEvent,
  SessionRevokedEvent,
  SessionReuseDetectedEvent,
} from './session-events.js';
