// test/helpers/server.ts: starts the real live server in-process on port 0 with temp directories.
import { join } from 'node:path';
import { type AppConfig, defaultConfig } from '../../src/config.js';
import { type Logger, nullLogger } from '../../src/logger.js';
import { type RunningServer, type ServerExtras, startServer } from '../../src/server.js';
import { tempDir } from './temp-dir.js';

export { tempDir };

/** A started server plus its directories and base URL (https:// when cfg has tlsCert/tlsKey). */
export interface TestServer extends RunningServer {
  cfg: AppConfig;
  baseUrl: string;
  dir: string;
}

/** Starts startServer() on 127.0.0.1 port 0 (HTTP and ingest). dir is reused for restart tests. */
export async function startTestServer(
  over: Partial<AppConfig> = {},
  opts: { dir?: string; logger?: Logger; extras?: ServerExtras } = {},
): Promise<TestServer> {
  const dir = opts.dir ?? tempDir();
  const cfg: AppConfig = {
    ...defaultConfig(),
    httpHost: '127.0.0.1',
    httpPort: 0,
    ingest: 'tcp://127.0.0.1:0',
    out: join(dir, 'segments'),
    stateDir: join(dir, 'state'),
    ...over,
  };
  const s = await startServer(cfg, opts.logger ?? nullLogger, opts.extras);
  const scheme = s.https ? 'https' : 'http';
  return { ...s, cfg, dir, baseUrl: `${scheme}://127.0.0.1:${s.httpPort}` };
}
