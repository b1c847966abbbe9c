// The `nestjs-jwt-refresh/redis` entry point: the only place that loads ioredis.
export {
  REDIS_STORE_DEFAULT_KEY_PREFIX,
  RedisRefreshTokenStore,
} from './redis-refresh.store.js';
export type {
  RedisRefreshTokenStoreClientOptions,
  RedisRefreshTokenStoreCommonOptions,
  RedisRefreshTokenStoreConnectionOptions,
  RedisRefreshTokenStoreOptions,
} from './redis-refresh.store.js';
