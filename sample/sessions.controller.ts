import { Controller, Delete, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { AuthEndpoint, CurrentUser, RefreshService, SessionNotFoundException } from '../lib/index.js';

/** One entry of `GET /auth/sessions`: never a token or a digest. */
interface SessionView {
  sid: string;
  createdAt: string;
  lastUsedAt: string;
  expiresAt: string;
  current: boolean;
  ip?: string;
  userAgent?: string;
}

/** "Your devices": list the caller's sessions, end one, or end all the others. */
// Under /auth like the rest: JSON bodies only, and in cookie mode no cross-site callers.
@AuthEndpoint()
@Controller('auth')
export class SessionsController {
  constructor(@Inject(RefreshService) private readonly refresh: RefreshService) {}

  @Get('sessions')
  async list(@CurrentUser('sub') sub: string, @CurrentUser('sid') sid: string): Promise<{ sessions: SessionView[] }> {
    const sessions = await this.refresh.listSessions(sub);
    return {
      sessions: sessions.map((s) => ({
        sid: s.sid,
        createdAt: s.createdAt.toISOString(),
        lastUsedAt: s.lastUsedAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.sid === sid,
        ...(s.ip !== undefined && { ip: s.ip }),
        ...(s.userAgent !== undefined && { userAgent: s.userAgent }),
      })),
    };
  }

  @Delete('sessions/:sid')
  @HttpCode(204)
  async end(@CurrentUser('sub') sub: string, @Param('sid') target: string): Promise<void> {
    // The caller's subject goes with the sid: another user's session answers exactly like one that never existed.
    if (!(await this.refresh.revokeSession(target, 'logout', sub))) throw new SessionNotFoundException();
  }

  @Post('logout-others')
  @HttpCode(204)
  async logoutOthers(@CurrentUser('sub') sub: string, @CurrentUser('sid') sid: string): Promise<void> {
    await this.refresh.revokeOtherSessions(sub, sid);
  }
}
