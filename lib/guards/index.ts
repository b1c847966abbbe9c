export * from './jwt.guard.js';
