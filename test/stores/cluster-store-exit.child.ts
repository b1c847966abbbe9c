// Run by redis-cluster.e2e-spec.ts in a process of its own: opens and closes stores on the
// Cluster, then returns without process.exit. The process must then end by itself.
import 'reflect-metadata';
import { RedisRefreshTokenStore } from '../../lib/redis/index.js';

const seeds = JSON.parse(process.argv[2]) as Array<{ host: string; port: number }>;
// Refreshing the slots every millisecond keeps one in flight most of the time, close() included.
for (let i = 0; i < 10; i++) {
  const store = new RedisRefreshTokenStore({
    cluster: { nodes: seeds, options: { slotsRefreshInterval: 1 } },
    keyPrefix: `njr-exit-${process.pid}-${i}:`,
  });
  store.onRevocation?.(() => undefined);
  await store.get('no-such-session');
  await new Promise((resolve) => setTimeout(resolve, 20));
  await store.close();
}
console.log('closed');
