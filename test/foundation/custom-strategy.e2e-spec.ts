import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, ExecutionContext, Get, Inject, INestApplication, Injectable, Module, UseGuards } from '@nestjs/common';
import request from 'supertest';
import { AccessTokenClaims, AuthModule, CurrentUser, JwtGuard, JwtStrategy, RefreshService } from '../../lib/index.js';
import { createApp, PLATFORMS } from '../support/create-app.js';

/** Stands for the app's user table. */
@Injectable()
class Directory {
  findActive(sub: string) {
    return sub === 'banned' ? null : { id: sub, loadedFromDb: true };
  }
}

/** Loads a "user entity" from the claims, as the README shows: property injection, base constructor untouched. */
@Injectable()
class UserStrategy extends JwtStrategy {
  @Inject(Directory) private readonly directory!: Directory;

  override async validate(claims: AccessTokenClaims) {
    return this.directory.findActive(claims.sub);
  }
}

/** A guard subclass using the documented hook: handleRequest sees every outcome. */
@Injectable()
class AuditingGuard extends JwtGuard {
  static seen: string[] = [];
  override handleRequest<T>(err: unknown, user: unknown, info: unknown, context: ExecutionContext): T {
    AuditingGuard.seen.push(user ? 'user' : ((info as { code?: string })?.code ?? 'none'));
    return super.handleRequest(err, user, info, context);
  }
}

@Controller()
class ProfileController {
  @Get('profile')
  @UseGuards(JwtGuard)
  profile(@CurrentUser() user: unknown) {
    return { user };
  }

  @Get('audited')
  @UseGuards(AuditingGuard)
  audited(@CurrentUser('id') id: string) {
    return { id };
  }
}

@Module({
  imports: [AuthModule.forRoot({ secret: 'custom-strategy-secret-of-32-bytes-or-more', isGlobal: true })],
  controllers: [ProfileController],
  providers: [Directory, UserStrategy, AuditingGuard],
})
class CustomStrategyModule {}

describe.each(PLATFORMS)('a JwtStrategy subclass and a JwtGuard subclass on %s', (platform) => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(CustomStrategyModule, platform);
  });
  afterAll(() => app.close());

  it("puts what the subclass's validate() returns on the request", async () => {
    const { accessToken } = await app.get(RefreshService).issue('alice');
    const res = await request(app.getHttpServer()).get('/profile').set('Authorization', `Bearer ${accessToken}`).expect(200);
    expect(res.body).toEqual({ user: { id: 'alice', loadedFromDb: true } });
  });

  it('refuses a subject validate() turns down', async () => {
    const { accessToken } = await app.get(RefreshService).issue('banned');
    const res = await request(app.getHttpServer()).get('/profile').set('Authorization', `Bearer ${accessToken}`).expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('calls the handleRequest hook of a guard subclass with each outcome', async () => {
    AuditingGuard.seen = [];
    const { accessToken } = await app.get(RefreshService).issue('bob');
    await request(app.getHttpServer()).get('/audited').set('Authorization', `Bearer ${accessToken}`).expect(200, { id: 'bob' });
    await request(app.getHttpServer()).get('/audited').expect(401);
    expect(AuditingGuard.seen).toEqual(['user', 'NO_TOKEN']);
  });
});
