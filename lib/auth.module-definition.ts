import { ConfigurableModuleBuilder, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthExceptionFilter } from './filters/auth-exception.filter.js';
import { JwtGuard } from './guards/jwt.guard.js';
import { JwksController } from './tokens/jwks.controller.js';
import type { AuthModuleOptions } from './options/auth-options.interface.js';

/** Options that shape the module itself rather than the tokens. @publicApi */
export interface AuthModuleExtras {
  /** Make the module's providers (JwtGuard, AccessTokenService…) visible everywhere. Default `false`. */
  isGlobal?: boolean;
  /** Alias of `isGlobal`. */
  global?: boolean;
  /** Register `JwtGuard` as `APP_GUARD`: every route needs a token unless marked `@Public()`. Default `false`. */
  globalGuard?: boolean;
  /** Register `AuthExceptionFilter` as `APP_FILTER`. Default `false` (the guard's errors are coded either way). */
  globalFilter?: boolean;
  /** Serve `GET /.well-known/jwks.json` (`JwksController`): the public keys, for resource servers. Default `false`. */
  jwksRoute?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableAuthModule,
  MODULE_OPTIONS_TOKEN: AUTH_MODULE_OPTIONS,
  OPTIONS_TYPE: AUTH_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: AUTH_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<AuthModuleOptions>({ moduleName: 'NestjsJwtRefresh' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createAuthOptions')
  .setExtras<AuthModuleExtras>({ isGlobal: false, global: false, globalGuard: false, globalFilter: false, jwksRoute: false }, (definition, extras) => ({
    ...definition,
    global: Boolean(extras.isGlobal || extras.global),
    providers: [...(definition.providers ?? []), ...extraProviders(extras)],
    controllers: [...(definition.controllers ?? []), ...(extras.jwksRoute ? [JwksController] : [])],
  }))
  .build();

function extraProviders(extras: AuthModuleExtras): Provider[] {
  const providers: Provider[] = [];
  if (extras.globalGuard) providers.push({ provide: APP_GUARD, useExisting: JwtGuard });
  if (extras.globalFilter) providers.push({ provide: APP_FILTER, useExisting: AuthExceptionFilter });
  return providers;
}
