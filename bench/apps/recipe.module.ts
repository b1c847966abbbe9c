import { Controller, Get, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { JwtModule, JwtService } from '@nestjs/jwt';
import { AuthGuard, PassportModule, PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { BenchKeys } from './bench-keys.js';

/*
 * The way the NestJS documentation's "Authentication / JWT with Passport"
 * recipe guards a route, written here from its description: tokens signed by
 * @nestjs/jwt's JwtService (jsonwebtoken underneath), verified by a
 * passport-jwt strategy given the key as a string, `AuthGuard('jwt')` on the
 * route. This is the baseline `ours` is compared with.
 */

export function recipeModule(keys: BenchKeys) {
  @Injectable()
  class RecipeJwtStrategy extends PassportStrategy(Strategy) {
    constructor() {
      super({
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        ignoreExpiration: false,
        // The recipe keeps the key as a string (a secret or a PEM); jsonwebtoken re-reads it on every verify.
        secretOrKey: keys.algorithm === 'HS256' ? keys.secret : keys.publicKeyPem,
        algorithms: [keys.algorithm],
      });
    }

    async validate(payload: { sub: string; username: string }) {
      return { userId: payload.sub, username: payload.username };
    }
  }

  @Controller()
  class RecipeController {
    @UseGuards(AuthGuard('jwt'))
    @Get('guarded')
    guarded(@Req() req: { user: { userId: string } }) {
      return { sub: req.user.userId };
    }
  }

  const jwt =
    keys.algorithm === 'HS256'
      ? JwtModule.register({ secret: keys.secret, signOptions: { expiresIn: '2h' } })
      : JwtModule.register({ privateKey: keys.privateKeyPem, publicKey: keys.publicKeyPem, signOptions: { algorithm: 'ES256', expiresIn: '2h' } });

  @Module({ imports: [PassportModule, jwt], controllers: [RecipeController], providers: [RecipeJwtStrategy] })
  class RecipeModule {}
  return RecipeModule;
}

/** A token as the recipe's login issues it. */
export function recipeToken(jwtService: JwtService): string {
  return jwtService.sign({ sub: 'user-1', username: 'bench' });
}

export { JwtService };
