// test/helpers/server.ts: starts the real live server in-process on port 0 with temp directories.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, defaultConfig } from '../../src/config.js';
import { type Logger, nullLogger } from '../../src/logger.js';
import { type RunningServer, type ServerExtras, startServer } from '../../src/server.js';

/** A started server plus its directories and base URL (https:// when cfg has tlsCert/tlsKey). */
export interface TestServer extends RunningServer {
  cfg: AppConfig;
  baseUrl: string;
  dir: string;
}

/** The temp dirs this test file made, removed when its process exits with every test passed. */
const madeDirs: string[] = [];

/** Removes madeDirs after a clean run; a failed run keeps them, with the logs its messages name. */
function removeMadeDirs(code: number): void {
  if (code !== 0 || process.env.KEEP_TEST_DIRS) return;
  for (const dir of madeDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A child still writing there at exit: leaving one dir is better than failing a passed run.
    }
  }
}

/** Temp dir for one test; gone after the file's tests all pass (KEEP_TEST_DIRS=1 keeps it). */
export function tempDir(prefix = 'shls-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (madeDirs.push(dir) === 1) process.once('exit', removeMadeDirs);
  return dir;
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
