import 'reflect-metadata';
import { afterEach, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Injectable, Module, UseGuards } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule, AuthModuleOptions, JwtGuard, RefreshService } from '../../lib/index.js';

const SECRET = 'module-config-secret-with-32-bytes!!';

@Injectable()
class ConfigService {
  readonly secret = SECRET;
}

@Module({ providers: [ConfigService], exports: [ConfigService] })
class ConfigModule {}

@Injectable()
class AuthOptionsFactory {
  constructor(private readonly config: ConfigService) {}
  createAuthOptions(): AuthModuleOptions {
    return { secret: this.config.secret, accessTokenTtl: 60 };
  }
}

@Module({ imports: [ConfigModule], providers: [AuthOptionsFactory, ConfigService], exports: [AuthOptionsFactory] })
class FactoryModule {}

@Controller('me')
@UseGuards(JwtGuard)
class MeController {
  @Get()
  me() {
    return { ok: true };
  }
}

const asyncForms = {
  useFactory: AuthModule.forRootAsync({
    imports: [ConfigModule],
    inject: [ConfigService],
    useFactory: (config: ConfigService) => ({ secret: config.secret, accessTokenTtl: 60 }),
  }),
  useClass: AuthModule.forRootAsync({ imports: [ConfigModule], useClass: AuthOptionsFactory }),
  useExisting: AuthModule.forRootAsync({ imports: [FactoryModule], useExisting: AuthOptionsFactory }),
};

let app: INestApplication | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function boot(authModule: unknown): Promise<INestApplication> {
  @Module({ imports: [authModule as never], controllers: [MeController] })
  class AppModule {}
  const ref = await Test.createTestingModule({ imports: [AppModule] }).compile();
  app = ref.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('AuthModule.forRootAsync', () => {
  it.each(Object.entries(asyncForms))('works with %s', async (_form, mod) => {
    const a = await boot(mod);
    const { accessToken: token, expiresIn } = await a.get(RefreshService).issue('alice');
    expect(expiresIn).toBe(60);
    await request(a.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    await request(a.getHttpServer()).get('/me').expect(401);
  });
});

describe('bad configuration', () => {
  it.each([
    [{ secret: 'too-short' }, /secret is too weak: HS256 needs at least 32 bytes/],
    [{ secret: SECRET, clockTolerance: Infinity }, /"clockTolerance" must be a finite/],
    [{ secret: SECRET, algorithm: 'none' }, /"none" is never accepted/],
  ])('stops start-up for %p with a message naming the option', async (options, message) => {
    await expect(boot(AuthModule.forRoot(options as AuthModuleOptions))).rejects.toThrow(message);
  });

  it('stops start-up when an async factory returns bad options', async () => {
    await expect(boot(AuthModule.forRootAsync({ useFactory: () => ({ secret: 'x' }) }))).rejects.toThrow(/secret is too weak/);
  });
});
