import { Body, Controller, Get, HttpCode, Inject, Module, Post, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import { AuthModule, CurrentUser, JwtGuard, Public, RefreshService } from '../../lib/index.js';
import type { AccessTokenClaims } from '../../lib/index.js';
import { ApiAuthErrors, REFRESH_ERROR_CODES } from '../../lib/swagger/index.js';

export const SECRET = 'swagger-test-secret-of-at-least-32-bytes!';

@Controller('me')
@UseGuards(JwtGuard)
@ApiBearerAuth()
@ApiAuthErrors()
class MeController {
  @Get()
  me(@CurrentUser() user: AccessTokenClaims) {
    return user;
  }
}

@Controller('auth')
class AuthController {
  constructor(@Inject(RefreshService) private readonly refresh: RefreshService) {}

  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiAuthErrors({ codes: REFRESH_ERROR_CODES, format: 'problem' })
  rotate(@Body() body: { refreshToken?: string }) {
    return this.refresh.rotate(body?.refreshToken);
  }

  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }
}

@Module({
  imports: [AuthModule.forRoot({ secret: SECRET, isGlobal: true, globalFilter: true })],
  controllers: [MeController, AuthController],
})
export class SwaggerAppModule {}

@Module({
  imports: [AuthModule.forRoot({ secret: SECRET, isGlobal: true, globalFilter: true, errorFormat: 'problem' })],
  controllers: [AuthController],
})
export class SwaggerProblemAppModule {}
