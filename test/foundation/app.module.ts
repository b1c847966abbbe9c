import { Controller, Get, Module, UseGuards } from '@nestjs/common';
import { AuthModule, CurrentUser, JwtGuard, Public } from '../../lib/index.js';
import type { AccessTokenClaims } from '../../lib/index.js';

export const SECRET = 'foundation-test-secret-of-at-least-32-bytes';

@Controller('me')
@UseGuards(JwtGuard)
class MeController {
  @Get()
  me(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }

  @Get('sub')
  sub(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

/** Under the global guard: every route is protected unless marked public. */
@Controller()
class OpenController {
  @Public()
  @Get('health')
  health() {
    return { status: 'ok' };
  }

  @Get('closed')
  closed() {
    return { ok: true };
  }
}

// Tokens here are minted without sessions to test verification on its own, so the session check is off.
@Module({
  imports: [AuthModule.forRoot({ secret: SECRET, accessTokenTtl: '15m', clockTolerance: 30, isGlobal: true, sessionCheck: false })],
  controllers: [MeController],
})
export class FoundationModule {}

@Module({
  imports: [AuthModule.forRoot({ secret: SECRET, isGlobal: true, globalGuard: true, globalFilter: true, realm: 'demo' })],
  controllers: [OpenController, MeController],
})
export class GlobalGuardModule {}
