import 'reflect-metadata';
import { Body, Controller, DynamicModule, Get, HttpCode, Inject, INestApplication, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  AuthModule,
  CurrentUser,
  Public,
  RefreshService,
  RefreshTokenStore,
  RequireRecentLogin,
  ResourceServerModule,
} from '../../lib/index.js';
import type { AccessTokenClaims, AuthKeyOptions, ResourceServerModuleOptions } from '../../lib/index.js';
import type { Platform } from '../support/create-app.js';

export const ISSUER = 'https://issuer.test';
export const AUDIENCE = 'orders-api';
export const ACCESS_TOKEN_TTL = 300; // s
export const CLOCK_TOLERANCE = 30; // s

/** The one clock every app in a test reads. */
export class TestClock {
  constructor(public now: number) {}
  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

@Controller('auth')
class IssuerController {
  constructor(@Inject(RefreshService) private readonly sessions: RefreshService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: { user: string }) {
    return this.sessions.issue(body.user, { scope: 'orders:read' });
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: { refreshToken: string }) {
    return this.sessions.rotate(body.refreshToken);
  }

  @Get('me')
  me(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@CurrentUser('sid') sid: string) {
    await this.sessions.revokeSession(sid);
  }
}

@Module({})
class IssuerModule {
  static register(keys: AuthKeyOptions[], clock: TestClock, store: RefreshTokenStore): DynamicModule {
    return {
      module: IssuerModule,
      imports: [
        AuthModule.forRoot({
          keys,
          issuer: ISSUER,
          audience: AUDIENCE,
          accessTokenTtl: ACCESS_TOKEN_TTL,
          clockTolerance: CLOCK_TOLERANCE,
          refreshTokenSecret: 'resource-server-e2e-refresh-secret-32-bytes!',
          jwksMaxAge: 60,
          clock: () => clock.now,
          store,
          isGlobal: true,
          globalGuard: true,
          globalFilter: true,
          jwksRoute: true,
        }),
      ],
      controllers: [IssuerController],
    };
  }
}

@Controller()
class OrdersController {
  @Public()
  @Get('open')
  open() {
    return { open: true };
  }

  @Get('orders')
  orders(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }

  @Get('orders/export')
  @RequireRecentLogin('5m')
  exportOrders(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

@Module({})
class ResourceServerAppModule {
  static register(options: ResourceServerModuleOptions, async = false): DynamicModule {
    const extras = { isGlobal: true, globalGuard: true, globalFilter: true };
    return {
      module: ResourceServerAppModule,
      imports: [
        async
          ? ResourceServerModule.forRootAsync({ useFactory: async () => options, ...extras })
          : ResourceServerModule.forRoot({ ...options, ...extras }),
      ],
      controllers: [OrdersController],
    };
  }
}

/** A running app and its URL. */
export interface Running {
  app: INestApplication;
  url: string;
}

async function listen(module: DynamicModule, platform: Platform, port = 0, setup?: (app: INestApplication) => void): Promise<Running> {
  const app =
    platform === 'fastify'
      ? await NestFactory.create(module, new FastifyAdapter(), { logger: false, abortOnError: false })
      : await NestFactory.create(module, { logger: false, abortOnError: false });
  setup?.(app);
  await app.listen(port, '127.0.0.1');
  return { app, url: `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}` };
}

/** The issuer, on Express, counting the JWKS requests it serves. */
export async function startIssuer(keys: AuthKeyOptions[], clock: TestClock, store: RefreshTokenStore, port = 0, counter = { jwks: 0 }): Promise<Running> {
  return listen(IssuerModule.register(keys, clock, store), 'express', port, (app) =>
    app.use((req: { url: string }, _res: unknown, next: () => void) => {
      if (req.url === '/.well-known/jwks.json') counter.jwks++;
      next();
    }),
  );
}

/** `async`: configured through `forRootAsync` with a factory, as apps reading `ConfigService` do. */
export function startResourceServer(platform: Platform, options: ResourceServerModuleOptions, async = false): Promise<Running> {
  return listen(ResourceServerAppModule.register(options, async), platform);
}
