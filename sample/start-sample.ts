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
  if (config.store !== 'redis') return undefined;
  // Loaded only when asked for: ioredis is an optional peer dependency of the library.
  const { RedisRefreshTokenStore } = await import('../lib/redis/index.js');
  return new RedisRefreshTokenStore({ url: config.redisUrl });
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
