import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule, RefreshTokenStore } from '../lib/index.js';
import { AuthController } from './auth.controller.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import type { SampleConfig } from './sample-config.js';
import { UsersService } from './users.service.js';

/** The sample app: the library wired the documented way, every route guarded unless `@Public()`. */
@Module({})
export class AppModule {
  static register(config: SampleConfig, store?: RefreshTokenStore, extraImports: DynamicModule['imports'] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        AuthModule.forRoot({
          secret: config.jwtSecret,
          accessTokenTtl: config.accessTokenTtl,
          refreshTokenTtl: config.refreshTokenTtl,
          sessionMaxAge: config.sessionMaxAge,
          clockTolerance: config.clockTolerance,
          reuseGrace: config.reuseGrace,
          store,
          // Logout must stop access tokens too, not only the refresh token: the guard checks sessions.
          sessionCheck: true,
          refreshCookie: config.refreshCookie,
          isGlobal: true,
          globalGuard: true,
          globalFilter: true,
        }),
        ...extraImports,
      ],
      controllers: [HealthController, AuthController, MeController],
      providers: [UsersService],
    };
  }
}
