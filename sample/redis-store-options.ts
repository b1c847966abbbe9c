import type { RedisRefreshTokenStoreOptions } from '../lib/redis/index.js';

/**
 * The store options `REDIS_URL` stands for: one `redis://host:port` URL is one Redis; a comma-separated
 * list of them is a Redis Cluster with those seed nodes (credentials, if any, from the first URL).
 */
export function redisStoreOptions(redisUrl: string): RedisRefreshTokenStoreOptions {
  const urls = redisUrl.split(',').map((url) => url.trim()).filter(Boolean);
  if (urls.length <= 1) return { url: urls[0] ?? redisUrl };
  const parsed = urls.map((url) => new URL(url));
  const [first] = parsed;
  const password = first.password ? decodeURIComponent(first.password) : undefined;
  const username = first.username ? decodeURIComponent(first.username) : undefined;
  return {
    cluster: {
      nodes: parsed.map((url) => ({ host: url.hostname, port: Number(url.port || 6379) })),
      options: {
        redisOptions: { ...(password !== undefined && { password }), ...(username !== undefined && { username }), ...(first.protocol === 'rediss:' && { tls: {} }) },
      },
    },
  };
}
