export * from './auth-error-codes.js';
export * from './auth.exception.js';
export * from './auth-config.error.js';
export * from './access-token.exceptions.js';
export * from './refresh-token.exceptions.js';
export * from './auth-store-unavailable.exception.js';
