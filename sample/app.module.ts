import { DynamicModule, Module } from '@nestjs/common';
import { ConfigModule, ConfigType, registerAs } from '@nestjs/config';
import { APP_PIPE } from '@nestjs/core';
import { AuthModule, RefreshTokenStore } from '../lib/index.js';
import { AuthController } from './auth.controller.js';
import { HealthController } from './health.controller.js';
import { MeController } from './me.controller.js';
import { SessionsController } from './sessions.controller.js';
import type { SampleConfig } from './sample-config.js';
import { UsersService } from './users.service.js';
import { SampleValidationPipe } from './validation.pipe.js';

/** The sample's settings as a typed, namespaced `@nestjs/config` entry (`@Inject(settings.KEY)` gives the `SampleConfig`). */
const sampleConfig = (config: SampleConfig) => registerAs('sample', () => config);

/** The sample app: the library wired the documented way, every route guarded unless `@Public()`. */
@Module({})
export class AppModule {
  static register(config: SampleConfig, store?: RefreshTokenStore, extraImports: DynamicModule['imports'] = []): DynamicModule {
    const settings = sampleConfig(config);
    return {
      module: AppModule,
      imports: [
        // The environment was read and checked once by readSampleConfig (its errors name the variable); no .env file.
        ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [settings] }),
        AuthModule.forRootAsync({
          inject: [settings.KEY],
          useFactory: (sample: ConfigType<typeof settings>) => ({
            // HS256 signs with JWT_SECRET; ES256, EdDSA and RS256 with JWT_PRIVATE_KEY (or a generated pair).
            ...(sample.signingKey ? { keys: [sample.signingKey] } : { secret: sample.jwtSecret }),
            accessTokenTtl: sample.accessTokenTtl,
            refreshTokenTtl: sample.refreshTokenTtl,
            sessionMaxAge: sample.sessionMaxAge,
            clockTolerance: sample.clockTolerance,
            reuseGrace: sample.reuseGrace,
            store,
            maxSessionsPerSubject: sample.maxSessionsPerUser,
            // Logout must stop access tokens too, not only the refresh token: the guard checks sessions.
            sessionCheck: true,
            refreshCookie: sample.refreshCookie,
            trustedOrigins: sample.trustedOrigins,
            recentLoginMaxAge: sample.freshLoginMaxAge,
          }),
          isGlobal: true,
          globalGuard: true,
          globalFilter: true,
          // GET /.well-known/jwks.json: the public keys for other services (404 with HS256, which has none).
          jwksRoute: true,
        }),
        ...extraImports,
      ],
      controllers: [HealthController, AuthController, SessionsController, MeController],
      providers: [UsersService, { provide: APP_PIPE, useClass: SampleValidationPipe }],
    };
  }
}
