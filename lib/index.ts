// The public API of nestjs-jwt-refresh. Everything a user or a store author needs is exported here.
export { AuthModule } from './auth.module.js';
export { AUTH_MODULE_OPTIONS, AUTH_OPTIONS_TYPE, AUTH_ASYNC_OPTIONS_TYPE } from './auth.module-definition.js';
export type { AuthModuleExtras } from './auth.module-definition.js';
export { IS_PUBLIC_KEY, JWT_STRATEGY_NAME, ACCESS_TOKEN_TYPE } from './auth.constants.js';
export * from './decorators/index.js';
export * from './errors/index.js';
export * from './filters/index.js';
export * from './guards/index.js';
export * from './options/index.js';
export * from './strategies/index.js';
export * from './tokens/index.js';
export * from './refresh/index.js';
export { clientContextFrom } from './http/client-context.js';
