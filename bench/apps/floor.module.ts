import { CanActivate, Controller, createParamDecorator, ExecutionContext, Get, Injectable, Module, UseGuards } from '@nestjs/common';

/*
 * The floor under any guard: the same route shape as `ours` (a guard, a
 * parameter decorator reading request.user), but the guard checks nothing.
 * What `ours` costs beyond this is the library's own cost; what this costs
 * beyond `ping` is Nest's guard and parameter machinery, which no guard avoids.
 */

@Injectable()
class AllowGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    context.switchToHttp().getRequest().user = { sub: 'user-1' };
    return true;
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
}

@Module({ controllers: [FloorController], providers: [AllowGuard] })
export class FloorModule {}
