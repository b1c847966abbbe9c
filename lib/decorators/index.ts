export * from './current-user.decorator.js';
export * from './public.decorator.js';
export * from './auth-endpoint.decorator.js';
export * from './require-recent-login.decorator.js';
export * from './client-info.decorator.js';
export * from './refresh-token.decorator.js';
export * from './clear-refresh-cookie.decorator.js';
