// The public API of nestjs-jwt-refresh: what users, subclassers and store authors need, each name listed in
// the README's "Public API" section. Internals stay out; specs import them by relative path.
export { AuthModule } from './auth.module.js';
export type { AuthModuleExtras } from './auth.module-definition.js';
export type { ResolvedAuthOptions } from './options/resolve-auth-options.js';
export { IS_PUBLIC_KEY, JWT_STRATEGY_NAME, ACCESS_TOKEN_TYPE, RECENT_LOGIN_KEY } from './auth.constants.js';
export * from './decorators/index.js';
export * from './errors/index.js';
export * from './filters/index.js';
export * from './guards/index.js';
export * from './options/index.js';
export * from './strategies/index.js';
export * from './tokens/index.js';
export * from './refresh/index.js';
export { clientContextFrom } from './http/client-context.js';
export { RefreshCookieInterceptor } from './http/refresh-cookie.interceptor.js';
export * from './resource-server/index.js';
