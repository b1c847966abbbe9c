export * from './jwt.guard.js';
export * from './auth-endpoint.guard.js';
export * from './recent-login.guard.js';
