/** Metadata key set by `@Public()`; namespaced so it never clashes with an app's own keys. @publicApi */
export const IS_PUBLIC_KEY = 'NESTJS_JWT_REFRESH:PUBLIC';

/** Name under which the passport strategy is registered. @publicApi */
export const JWT_STRATEGY_NAME = 'nestjs-jwt-refresh';

/** `typ` header of access tokens (RFC 9068 §2.1): a refresh token or an ID token can never pass for one. @publicApi */
export const ACCESS_TOKEN_TYPE = 'at+jwt';

/** Metadata key set by `@RequireRecentLogin()`: the route's maximum login age in seconds. @publicApi */
export const RECENT_LOGIN_KEY = 'NESTJS_JWT_REFRESH:RECENT_LOGIN';
