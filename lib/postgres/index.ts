// The `nestjs-jwt-refresh/postgres` entry point: the only place that loads pg.
export { PostgresRefreshTokenStore } from './postgres-refresh-token.store.js';
export type {
  PostgresRefreshTokenStoreCommonOptions,
  PostgresRefreshTokenStoreConnectionOptions,
  PostgresRefreshTokenStoreOptions,
  PostgresRefreshTokenStorePoolOptions,
} from './postgres-refresh-token.options.js';
export { POSTGRES_STORE_DEFAULT_TABLE, postgresSchemaSql } from './postgres-schema.js';
