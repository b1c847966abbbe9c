import { Controller, Get, Module } from '@nestjs/common';

/** The ceiling: the same Nest app with no guard at all. */
@Controller()
class PingController {
  @Get('ping')
  ping() {
    return { ok: true };
  }
}

@Module({ controllers: [PingController] })
export class PingModule {}
