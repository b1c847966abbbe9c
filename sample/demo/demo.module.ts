import { Module } from '@nestjs/common';
import { DemoAssets } from './demo-assets.js';
import { DemoController } from './demo.controller.js';

/**
 * The browser demo of silent refresh at `GET /`. Import it next to
 * `AuthModule`; it reads the refresh-cookie setting from `RefreshCookieService`
 * when the auth module is global, and falls back to body mode otherwise.
 */
@Module({
  controllers: [DemoController],
  providers: [{ provide: DemoAssets, useFactory: () => new DemoAssets() }],
})
export class DemoModule {}
