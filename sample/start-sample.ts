import 'reflect-metadata';
import { INestApplication, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { RefreshTokenStore } from '../lib/index.js';
import { AppModule } from './app.module.js';
import { DemoModule } from './demo/demo.module.js';
import { readSampleConfig, SampleConfig } from './sample-config.js';

/** How to start the sample besides its environment (tests use these). */
export interface StartSampleOptions {
  /** Overrides `PORT`; `0` picks a free port. Default: `PORT`, else 3000. */
  port?: number;
  /** HTTP platform. Default `'express'`. */
  platform?: 'express' | 'fastify';
  /** Nest log levels; `false` silences it. Default: errors and warnings. */
  logger?: LogLevel[] | false;
}

/** A running sample. */
export interface RunningSample {
  app: INestApplication;
  url: string;
  config: SampleConfig;
  close(): Promise<void>;
}

async function createStore(config: SampleConfig): Promise<RefreshTokenStore | undefined> {
  // Each loaded only when asked for: ioredis and pg are optional peer dependencies of the library.
  if (config.store === 'redis') {
    const { RedisRefreshTokenStore } = await import('../lib/redis/index.js');
    const { redisStoreOptions } = await import('./redis-store-options.js');
    return new RedisRefreshTokenStore(redisStoreOptions(config.redisUrl));
  }
  if (config.store === 'postgres') {
    const { PostgresRefreshTokenStore } = await import('../lib/postgres/index.js');
    const store = new PostgresRefreshTokenStore({ connectionString: config.databaseUrl });
    try {
      // Creates the table and its indexes when missing; instances starting together on an empty database wait for each other.
      await store.ensureSchema();
    } catch (err) {
      await store.close();
      throw err;
    }
    return store;
  }
  return undefined;
}

/** Builds and starts the sample from contract environment variables; throws `SampleConfigError` on bad ones. */
export async function startSample(env: Record<string, string | undefined> = process.env, options: StartSampleOptions = {}): Promise<RunningSample> {
  const config = readSampleConfig(env);
  const port = options.port ?? config.port;
  const store = await createStore(config);
  const module = AppModule.register(config, store, [DemoModule]);
  const logger = options.logger ?? ['error', 'warn'];
  const app =
    options.platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger, abortOnError: false })
      : await NestFactory.create(module, { logger, abortOnError: false });
  try {
    await app.listen(port, config.host);
  } catch (err) {
    await app.close();
    throw err;
  }
  const address = app.getHttpServer().address() as { port: number };
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return { app, url: `http://${host}:${address.port}`, config, close: () => app.close() };
}
