import { Controller, Get } from '@nestjs/common';
import { Public } from '../lib/index.js';

@Controller('health')
export class HealthController {
  @Public()
  @Get()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}
