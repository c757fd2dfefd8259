#!/usr/bin/env -S node --no-memory-reducer
// src/main.ts: the scanner-hls command: reads the config, runs batch or live mode, stops cleanly on SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import type { AppConfig } from './config.js';
import { helpText, loadConfig } from './config-loader.js';
import { errorMessage, isAppError } from './errors.js';
import { createLogger } from './logger.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

async function main(argv: string[]): Promise<number> {
  let loaded;
  try {
    loaded = loadConfig(argv, process.env);
  } catch (e) {
    process.stderr.write(`scanner-hls: ${errorMessage(e)}\n`);
    return 2;
  }
  if (loaded.kind === 'help') {
    process.stdout.write(helpText());
    return 0;
  }
  if (loaded.kind === 'version') {
    process.stdout.write(`scanner-hls ${version()}\n`);
    return 0;
  }
  const cfg = loaded.config;
  const logger = createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  if (cfg.input) {
    const t0 = performance.now();
    // Loaded on demand so batch runs skip the HTTP stack's start-up cost, and live runs the batch code.
    const { runBatch } = await import('./batch.js');
    const r = await runBatch(cfg, logger);
    const sec = (performance.now() - t0) / 1000;
    logger.info(
      `segmented ${cfg.input}: ${r.segments} segment(s), ${(r.bytes / 1e6).toFixed(1)} MB in ${sec.toFixed(2)} s; playlist ${r.playlist}`,
    );
    return 0;
  }
  const { serveUntilSignal, startServer } = await import('./server.js');
  // Hot reload rebuilds the whole config the same way (file, then environment, then flags).
  const reloadConfig = (): AppConfig => {
    const r = loadConfig(argv, process.env);
    if (r.kind !== 'config') throw new Error('unexpected --help/--version');
    return { ...r.config };
  };
  const server = await startServer(cfg, logger, {
    reload: { configFile: loaded.configFile, load: reloadConfig },
  });
  process.stdout.write(server.banner.join('\n') + '\n');
  return serveUntilSignal(server, logger);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    const msg = isAppError(e) ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e);
    process.stderr.write(`scanner-hls: ${msg}\n`);
    process.exit(1);
  },
);
