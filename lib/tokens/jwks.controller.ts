import { Controller, Get, Inject, NotFoundException, Res } from '@nestjs/common';
import { RESOLVED_AUTH_OPTIONS } from '../auth.internal-constants.js';
import { Public } from '../decorators/public.decorator.js';
import { setResponseHeader } from '../http/response-headers.js';
import type { ResolvedAuthOptions } from '../options/resolve-auth-options.js';
import { AccessTokenService } from './access-token.service.js';
import type { JsonWebKeySet } from './jwks.js';

/**
 * `GET /.well-known/jwks.json`, registered by `AuthModule.forRoot({ jwksRoute: true, … })`:
 * the public keys with `Cache-Control: public, max-age=<jwksMaxAge>`, or 404 when
 * no key is asymmetric (an HMAC secret is never published).
 * @publicApi
 */
@Controller('.well-known')
export class JwksController {
  constructor(
    @Inject(AccessTokenService) private readonly tokens: AccessTokenService,
    @Inject(RESOLVED_AUTH_OPTIONS) private readonly options: ResolvedAuthOptions,
  ) {}

  @Public()
  @Get('jwks.json')
  jwks(@Res({ passthrough: true }) response: unknown): JsonWebKeySet {
    const set = this.tokens.jwks();
    if (set.keys.length === 0) throw new NotFoundException('No public verification keys: this deployment signs with an HMAC secret.');
    setResponseHeader(response, 'Cache-Control', `public, max-age=${this.options.jwksMaxAge}`);
    return set;
  }
}
