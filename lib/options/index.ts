export type { AuthModuleOptions, TokenExtractor, SessionCheckOptions, RefreshCookieOptions } from './auth-options.interface.js';
export type { Duration } from './duration.js';
export { bearerTokenExtractor } from './bearer-token.extractor.js';
