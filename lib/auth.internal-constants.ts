/** Injection token of the validated options (internal: users configure through forRoot). */
export const RESOLVED_AUTH_OPTIONS = Symbol('nestjs-jwt-refresh:resolved-options');
/** Metadata key set by `@ClearRefreshCookie()`, read by the auth endpoints' interceptor. */
export const CLEAR_REFRESH_COOKIE_KEY = 'NESTJS_JWT_REFRESH:CLEAR_REFRESH_COOKIE';
