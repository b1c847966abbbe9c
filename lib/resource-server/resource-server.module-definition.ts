import { ConfigurableModuleBuilder, Provider } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { AuthExceptionFilter } from '../filters/auth-exception.filter.js';
import { JwtGuard } from '../guards/jwt.guard.js';
import type { ResourceServerModuleOptions } from './resource-server-options.interface.js';

/** Options that shape the module itself, as `AuthModule`'s. @publicApi */
export interface ResourceServerModuleExtras {
  /** Make the module's providers (JwtGuard, AccessTokenService…) visible everywhere. Default `false`. */
  isGlobal?: boolean;
  /** Register `JwtGuard` as `APP_GUARD`: every route needs a token unless marked `@Public()`. Default `false`. */
  globalGuard?: boolean;
  /** Register `AuthExceptionFilter` as `APP_FILTER`. Default `false`. */
  globalFilter?: boolean;
}

export const {
  ConfigurableModuleClass: ConfigurableResourceServerModule,
  MODULE_OPTIONS_TOKEN: RESOURCE_SERVER_MODULE_OPTIONS,
} = new ConfigurableModuleBuilder<ResourceServerModuleOptions>({ moduleName: 'NestjsJwtRefreshResourceServer' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createResourceServerOptions')
  .setExtras<ResourceServerModuleExtras>({ isGlobal: false, globalGuard: false, globalFilter: false }, (definition, extras) => ({
    ...definition,
    global: Boolean(extras.isGlobal),
    providers: [...(definition.providers ?? []), ...extraProviders(extras)],
  }))
  .build();

function extraProviders(extras: ResourceServerModuleExtras): Provider[] {
  const providers: Provider[] = [];
  if (extras.globalGuard) providers.push({ provide: APP_GUARD, useExisting: JwtGuard });
  if (extras.globalFilter) providers.push({ provide: APP_FILTER, useExisting: AuthExceptionFilter });
  return providers;
}
