import { Controller, Get, Header, Inject, NotFoundException, Optional, Param } from '@nestjs/common';
import { Public, RefreshCookieService } from '../../lib/index.js';
import { DemoAssets } from './demo-assets.js';

/**
 * Serves the silent-refresh demo: the page at `/` and its ES modules under
 * `/demo/…`, laid out like the repository so the page script's relative
 * import of the client resolves in the browser as it does in the editor.
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
  page(): Promise<string> {
    return this.assets.page(this.cookies?.enabled ? 'cookie' : 'body');
  }

  @Get('demo/lib/client/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  client(@Param('file') file: string): Promise<string> {
    return this.serve(`lib/client/${file}`);
  }

  @Get('demo/sample/demo/page/:file')
  @Header('Content-Type', 'text/javascript; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  pageScript(@Param('file') file: string): Promise<string> {
    return this.serve(`sample/demo/page/${file}`);
  }

  private async serve(path: string): Promise<string> {
    const script = await this.assets.script(path);
    if (script === undefined) throw new NotFoundException(`No demo script ${path}`);
    return script;
  }
}
