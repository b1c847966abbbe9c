import { CanActivate, Controller, Get, Module, Type, UseGuards } from '@nestjs/common';
import { AuthModule, CurrentUser, JwtGuard } from '../../lib/index.js';
import type { AuthModuleOptions } from '../../lib/index.js';
import type { BenchKeys } from './bench-keys.js';

/**
 * Our module, configured as its README shows, with the same route behind
 * `JwtGuard`. `sessionCheck` off measures the token check alone; on (the
 * default) adds the per-request session lookup through its cache.
 */
export function oursModule(keys: BenchKeys, sessionCheck: boolean, guard: Type<CanActivate> = JwtGuard) {
  const options: AuthModuleOptions =
    keys.algorithm === 'HS256'
      ? { secret: keys.secret, accessTokenTtl: '2h' }
      : { keys: [{ algorithm: 'ES256', privateKey: keys.privateKeyPem }], accessTokenTtl: '2h' };

  @Controller()
  class OursController {
    @UseGuards(guard)
    @Get('guarded')
    guarded(@CurrentUser('sub') sub: string) {
      return { sub };
    }
  }

  @Module({ imports: [AuthModule.forRoot({ ...options, sessionCheck })], controllers: [OursController], providers: guard === JwtGuard ? [] : [guard] })
  class OursModule {}
  return OursModule;
}
