import {
  CanActivate,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Get,
  Injectable,
  Module,
  UnauthorizedException,
  UseGuards,
} from '@nestjs/common';

/*
 * The floor under any guard: the same route shape as `ours` (a guard, a
 * parameter decorator reading request.user), but the guard checks nothing.
 * What `ours` costs beyond this is the library's own cost; what this costs
 * beyond `ping` is Nest's guard and parameter machinery, which no guard avoids.
 * `/denied` is the same for a refusal: a guard that throws a 401 at once, as
 * guards usually do (with a stack trace); `/denied-bare` throws one without a
 * stack trace, which leaves only Nest's exception path: the floor under any rejection.
 */

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest().user = { sub: 'user-1' };
    return true;
  }
}

@Injectable()
class DenyGuard implements CanActivate {
  canActivate(): boolean {
    throw new UnauthorizedException();
  }
}

/** The cheapest refusal a guard can make: a 401 built without a stack trace, so only Nest's exception path is left. */
@Injectable()
class BareDenyGuard implements CanActivate {
  canActivate(): boolean {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      throw new UnauthorizedException();
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
}

const UserSub = createParamDecorator((_data: unknown, context: ExecutionContext) => context.switchToHttp().getRequest().user?.sub);

@Controller()
class FloorController {
  @UseGuards(AllowGuard)
  @Get('guarded')
  guarded(@UserSub() sub: string) {
    return { sub };
  }

  @UseGuards(DenyGuard)
  @Get('denied')
  denied(@UserSub() sub: string) {
    return { sub };
  }

  @UseGuards(BareDenyGuard)
  @Get('denied-bare')
  deniedBare(@UserSub() sub: string) {
    return { sub };
  }
}

@Module({ controllers: [FloorController], providers: [AllowGuard, DenyGuard, BareDenyGuard] })
export class FloorModule {}
