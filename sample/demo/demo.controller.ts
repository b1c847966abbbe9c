import { Controller, Get, Header, Inject, Optional } from '@nestjs/common';
import { Public, RefreshCookieService } from '../../lib/index.js';
import { DemoAssets } from './demo-assets.js';

/**
 * Serves the silent-refresh demo: the page at `/` and its script (built at
 * build time, the client bundled in) at the path the page's `<script>` names.
 * Every route is `@Public()`: the page must load before anyone logs in.
 */
@Public()
@Controller()
export class DemoController {
  constructor(
    @Inject(DemoAssets) private readonly assets: DemoAssets,
    // Optional so the module also works in an app without cookie mode wired: the page then uses body mode.
    @Optional() @Inject(RefreshCookieService) private readonly cookies?: RefreshCookieService,
  ) {}

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  page(): string {
    return this.assets.page(this.cookies?.enabled ? 'cookie' : 'body');
  }

  @Get('demo/sample/demo/page/demo-page.js')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  script(): string {
    return this.assets.script;
  }
}
