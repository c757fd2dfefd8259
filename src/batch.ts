// src/batch.ts: runBatch: --input FILE.ts segments a file as fast as it can be read, with no sockets.
import { closeSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Clock, systemClock } from './clock.js';
import { type AppConfig, effectiveTargetDuration } from './config.js';
import { IngestError, StorageError, systemCause } from './errors.js';
import type { Logger } from './logger.js';
import { Packager } from './packager.js';
import { DiskStore } from './storage/disk-store.js';

/** Bytes read at a time: large enough to make read(2) cost nothing, small enough for the 100 MB budget. */
const READ_CHUNK_BYTES = 4 * 1024 * 1024;

/** Summary of a batch run. */
export interface BatchResult {
  segments: number;
  bytes: number;
  playlist: string;
}

/** Segments cfg.input into cfg.out; writes a VOD playlist with --vod, else the final live window plus ENDLIST. */
export async function runBatch(
  cfg: Readonly<AppConfig>,
  logger: Logger,
  clock: Clock = systemClock,
): Promise<BatchResult> {
  const input = cfg.input;
  if (!input) throw new Error('runBatch needs --input');
  const store = new DiskStore(resolve(cfg.out));
  const packager = new Packager({
    stream: cfg.stream,
    segmentDurationSec: cfg.segmentDurationSec,
    targetDurationSec: effectiveTargetDuration(cfg),
    window: cfg.window,
    program: cfg.program,
    mode: cfg.vod ? 'vod' : 'batch',
    store,
    state: null,
    clock,
    logger: logger.child('packager'),
  });
  let fd: number;
  try {
    fd = openSync(input, 'r');
  } catch (e) {
    throw new IngestError('input.read', `cannot read --input ${input}: ${systemCause(e)}`);
  }
  try {
    await packager.init();
  } catch (e) {
    closeSync(fd);
    throw new StorageError('storage.out', `cannot use --out ${cfg.out}: ${systemCause(e)}`);
  }
  packager.startSession(`file:${input}`);
  // Batch mode has nothing else to serve, so plain blocking reads into one reused buffer are the
  // cheapest path (the segmenter copies what it keeps before push() returns).
  try {
    const buf = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) packager.push(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  await packager.endSession();
  await packager.finish();
  const st = packager.getStatus();
  return {
    segments: st.segmentsPublished,
    bytes: st.input.bytes,
    playlist: resolve(cfg.out, `${cfg.stream}.m3u8`),
  };
}
