import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Controller, Get, INestApplication, Module, UseGuards } from '@nestjs/common';
import passport from 'passport';
import { Strategy } from 'passport-strategy';
import request from 'supertest';
import { AuthModule, CurrentUser, JWT_STRATEGY_NAME, JwtGuard } from '../../lib/index.js';
import { createApp } from '../support/create-app.js';

/** A strategy that is not ours, registered under our name after the app started. */
class ForeignStrategy extends Strategy {
  override authenticate(): void {
    this.success({ foreign: true });
  }
}

@Controller('me')
@UseGuards(JwtGuard)
class MeController {
  @Get()
  me(@CurrentUser() user: unknown) {
    return { user };
  }
}

@Module({ imports: [AuthModule.forRoot({ secret: 'foreign-strategy-secret-of-32-bytes!!' })], controllers: [MeController] })
class ForeignModule {}

describe('JwtGuard when another strategy holds its passport name', () => {
  let app: INestApplication;
  beforeAll(async () => {
    app = await createApp(ForeignModule, 'express');
    passport.use(JWT_STRATEGY_NAME, new ForeignStrategy());
  });
  afterAll(() => app.close());

  it('goes through passport and runs that strategy, as AuthGuard would', async () => {
    const res = await request(app.getHttpServer()).get('/me').expect(200);
    expect(res.body).toEqual({ user: { foreign: true } });
  });
});
