// The `nestjs-jwt-refresh/redis` entry point: the only place that loads ioredis.
export { RedisRefreshTokenStore } from './redis-refresh-token.store.js';
export { REDIS_STORE_DEFAULT_KEY_PREFIX } from './redis-refresh-token.options.js';
export type {
  RedisRefreshTokenStoreClientOptions,
  RedisRefreshTokenStoreCommonOptions,
  RedisRefreshTokenStoreConnectionOptions,
  RedisRefreshTokenStoreOptions,
} from './redis-refresh-token.options.js';
