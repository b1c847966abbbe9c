import { createRequire } from 'node:module';

/** The ioredis in use: Jest's "ioredis 6" project maps `ioredis` to ioredis 6; the default one runs on ioredis 5. */
export const IOREDIS_VERSION: string = createRequire(import.meta.url)('ioredis/package.json').version;

/** The major the Jest project says it runs these suites on (its `IOREDIS_MAJOR` global). */
export const PROJECT_IOREDIS_MAJOR = String((globalThis as { IOREDIS_MAJOR?: number }).IOREDIS_MAJOR);
