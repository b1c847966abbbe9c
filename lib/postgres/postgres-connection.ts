import pg from 'pg';
import type { ClientConfig, Pool, PoolConfig } from 'pg';

// Without these a pool waits forever for a connection while PostgreSQL is away, and so does every request.
const FAIL_FAST: PoolConfig = { connectionTimeoutMillis: 3000, query_timeout: 2000, max: 10 };

/** The pool the store uses, whether the store owns it, and what its revocation listener connects with. */
export interface StorePool {
  pool: Pool;
  owned: boolean;
  clientConfig: ClientConfig;
}

/** The caller's pool as it is, or a new one with the fail-fast defaults under the caller's settings. */
export function storePool(
  o: { pool?: Pool; connectionString?: string; poolConfig?: PoolConfig },
  onError: (error: Error) => void,
): StorePool {
  // The revocation listener opens its one connection with the pool's own settings.
  if (o.pool) return { pool: o.pool, owned: false, clientConfig: (o.pool as unknown as { options: ClientConfig }).options };
  const clientConfig = { ...FAIL_FAST, ...(o.connectionString === undefined ? {} : { connectionString: o.connectionString }), ...o.poolConfig };
  const pool = new pg.Pool(clientConfig);
  // An idle connection that drops emits 'error' on the pool; unheard, that would crash the process.
  pool.on('error', (error) => onError(error));
  return { pool, owned: true, clientConfig };
}
