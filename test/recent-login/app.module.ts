import { Controller, DynamicModule, Get, Module, Post, Body, HttpCode, Inject, UseGuards } from '@nestjs/common';
import { AuthModule, CurrentUser, JwtGuard, Public, RefreshService, RequireRecentLogin } from '../../lib/index.js';
import type { AccessTokenClaims } from '../../lib/index.js';

/** The test's clock, shared by the module and its store: the only clock these apps read. */
export class TestClock {
  constructor(public now: number) {}
  advance(seconds: number): void {
    this.now += seconds * 1000;
  }
}

@Controller()
class RecentLoginController {
  constructor(@Inject(RefreshService) private readonly sessions: RefreshService) {}

  @Public()
  @Post('login')
  @HttpCode(200)
  login(@Body() body: { user: string }) {
    return this.sessions.issue(body.user, { role: 'member' });
  }

  @Public()
  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: { refreshToken: string }) {
    return this.sessions.rotate(body.refreshToken);
  }

  @Post('logout')
  @UseGuards(JwtGuard)
  @HttpCode(204)
  async logout(@CurrentUser('sid') sid: string) {
    await this.sessions.revokeSession(sid);
  }

  @Get('me')
  me(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }

  @Get('fresh')
  @RequireRecentLogin()
  fresh(@CurrentUser() user: AccessTokenClaims) {
    return { user };
  }

  @Get('very-fresh')
  @RequireRecentLogin('1m')
  veryFresh() {
    return { ok: true };
  }
}

/** No global guard here: `@RequireRecentLogin` alone must still check the token and the session. */
@Controller('alone')
@RequireRecentLogin(120)
class WithoutGlobalGuardController {
  @Get()
  alone(@CurrentUser('sub') sub: string) {
    return { sub };
  }

  /** The handler's limit wins over the controller's. */
  @Get('longer')
  @RequireRecentLogin('10m')
  longer() {
    return { ok: true };
  }
}

/** With JwtGuard on the class and the limit on the handler. */
@Controller('guarded')
@UseGuards(JwtGuard)
class ClassGuardController {
  @Get()
  @RequireRecentLogin('2m')
  guarded(@CurrentUser('sub') sub: string) {
    return { sub };
  }
}

@Module({})
export class RecentLoginAppModule {
  static register(clock: TestClock, globalGuard = true): DynamicModule {
    return {
      module: RecentLoginAppModule,
      imports: [
        AuthModule.forRoot({
          secret: 'recent-login-e2e-secret-at-least-32-bytes!',
          accessTokenTtl: '15m',
          recentLoginMaxAge: '5m',
          clock: () => clock.now,
          isGlobal: true,
          globalGuard,
          globalFilter: true,
        }),
      ],
      controllers: globalGuard ? [RecentLoginController] : [RecentLoginController, WithoutGlobalGuardController, ClassGuardController],
    };
  }
}
