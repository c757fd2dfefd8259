#!/usr/bin/env -S node --no-memory-reducer
// src/demo.ts: `npm run demo`: the bundled scanner clip looped as a live stream, a simulated BCT8 that follows it, and the page URL.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config-loader.js';
import { errorMessage } from './errors.js';
import { FileIngest } from './ingest/file-ingest.js';
import { createLogger } from './logger.js';
import type { ScriptedTransmission } from './scanner/sim-script.js';
import { serveUntilSignal, startServer } from './server.js';

/** The committed clip and its sidecar (made by scripts/make-demo-clip.sh). */
const CLIP = fileURLToPath(new URL('../scripts/demo/scanner-demo.mpegts', import.meta.url));
const SIDECAR = fileURLToPath(new URL('../scripts/demo/scanner-demo.json', import.meta.url));
/** Names for the clip's channels and talkgroups, shown on the scanner panel. */
const LABELS = fileURLToPath(new URL('../scripts/demo/labels.json', import.meta.url));

interface Sidecar {
  transmissions: {
    startSec: number;
    endSec: number;
    channel: number;
    frequencyMHz: number;
    talkgroup: string | null;
  }[];
}

/** The sidecar's transmissions in ms from the start of the clip. */
export function readTranscript(path = SIDECAR): ScriptedTransmission[] {
  const side = JSON.parse(readFileSync(path, 'utf8')) as Sidecar;
  return side.transmissions.map((t) => ({
    startMs: Math.round(t.startSec * 1000),
    endMs: Math.round(t.endSec * 1000),
    channel: t.channel,
    frequencyMHz: t.frequencyMHz,
    talkgroup: t.talkgroup,
  }));
}

/** Demo defaults; anything on the command line comes later and wins. */
function demoArgs(): string[] {
  const dir = join(tmpdir(), `scanner-hls-demo-${process.pid}`);
  return [
    ...['--ingest', `file:${CLIP}?loop`, '--scanner', 'sim', '--labels', LABELS],
    ...['--http', '127.0.0.1:8080', '--segment-duration', '1', '--window', '6'],
    // Calls stay replayable for an hour (a 24 kbit/s clip: about 11 MB).
    ...['--retention', '1h'],
    // The plain MP3 URL (/live.mp3) for VLC and smart speakers.
    '--live-audio',
    ...['--out', join(dir, 'segments'), '--state-dir', join(dir, 'state')],
  ];
}

async function main(argv: string[]): Promise<number> {
  const loaded = loadConfig([...demoArgs(), ...argv], process.env);
  if (loaded.kind !== 'config') {
    process.stdout.write(
      'Usage: npm run demo -- [scanner-hls options, e.g. --http 0.0.0.0:8090]\n',
    );
    return 0;
  }
  const cfg = loaded.config;
  const logger = createLogger({ level: cfg.logLevel, format: cfg.logFormat });
  const server = await startServer(cfg, logger);
  const sim = server.scanner?.simulator;
  if (sim && server.ingest instanceof FileIngest) {
    const transmissions = readTranscript();
    sim.playScript({
      epochMs: server.ingest.playbackEpochMs,
      loopMs: server.ingest.loopMs,
      transmissions,
    });
    server.banner.push(
      `  demo:      ${transmissions.length} transmissions every ${(server.ingest.loopMs / 1000).toFixed(1)} s; the simulated scanner follows them`,
    );
  }
  process.stdout.write(server.banner.join('\n') + '\n');
  return serveUntilSignal(server, logger);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e: unknown) => {
      process.stderr.write(`scanner-hls demo: ${errorMessage(e)}\n`);
      process.exit(1);
    },
  );
}
