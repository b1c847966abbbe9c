import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Module, UseGuards } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import request from 'supertest';
import { AccessTokenService, AuthModule, CurrentUser, JwtGuard } from '../../lib/index.js';
import { createApp } from '../support/create-app.js';

/**
 * Apps migrating from the NestJS docs recipe already sign with @nestjs/jwt.
 * Their tokens pass JwtGuard once they carry what our rules require (typ
 * at+jwt, sid), and ours are plain JWTs that @nestjs/jwt can read, so both
 * can run side by side during a migration.
 */
const SECRET = 'interop-secret-shared-with-nestjs-jwt-0123456789';

@Controller('me')
@UseGuards(JwtGuard)
class MeController {
  @Get()
  me(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

@Module({ imports: [AuthModule.forRoot({ secret: SECRET, sessionCheck: false })], controllers: [MeController] })
class InteropModule {}

describe('interoperability with @nestjs/jwt', () => {
  let app: INestApplication;
  const jwt = new JwtService({ secret: SECRET, signOptions: { algorithm: 'HS256', expiresIn: '5m' } });

  beforeAll(async () => {
    app = await createApp(InteropModule, 'express');
  });
  afterAll(() => app.close());

  it('accepts a token signed by JwtService with typ at+jwt and a sid', async () => {
    const token = jwt.sign({ sub: 'alice', sid: 'legacy-session' }, { header: { alg: 'HS256', typ: 'at+jwt' } });
    const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(200);
    expect(res.body).toEqual({ sub: 'alice' });
  });

  it('refuses a JwtService token without explicit typing (typ JWT), as RFC 8725 §3.11 asks', async () => {
    const token = jwt.sign({ sub: 'alice', sid: 'legacy-session' });
    const res = await request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`).expect(401);
    expect(res.body.code).toBe('INVALID_TOKEN');
  });

  it('signs tokens that JwtService verifies', () => {
    const { token } = app.get(AccessTokenService).sign({ sub: 'bob', sid: 's1' });
    expect(jwt.verify(token)).toMatchObject({ sub: 'bob', sid: 's1' });
  });
});
