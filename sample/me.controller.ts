import { Controller, Get } from '@nestjs/common';
import { CurrentUser } from '../lib/index.js';
import type { AccessTokenClaims } from '../lib/index.js';

/** Protected by the global JwtGuard: no decorator needed. */
@Controller('me')
export class MeController {
  @Get()
  me(@CurrentUser() user: AccessTokenClaims): { user: AccessTokenClaims } {
    return { user };
  }
}
