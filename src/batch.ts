// src/batch.ts: runBatch: --input FILE.ts is segmented as fast as it can be read: Segmenter → files → one playlist at the end, no sockets, no timers.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Clock, systemClock } from './clock.js';
import { type AppConfig, effectiveTargetDuration } from './config.js';
import { IngestError, StorageError, systemCause } from './errors.js';
import { LiveWindow } from './hls/live-window.js';
import type { MediaPlaylist, MediaSegment } from './hls/playlist.js';
import { renderMediaPlaylist } from './hls/render.js';
import { Segmenter, type SegmenterEvent } from './hls/segmenter.js';
import { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';
import { makeRunId, segmentUri } from './segment-names.js';
import { DiskStore, isSafeName } from './storage/disk-store.js';
import {
  type BatchWriter,
  WriteBehind,
  WriteBehindError,
  WriteInline,
} from './storage/write-behind.js';

/**
 * Bytes read at a time: enough to make the 2,700 read(2) calls of a 716 MB file cost nothing, and
 * small enough to stay in the CPU cache between the kernel's copy and the segmenter's walk (4 MB
 * reads took about 10 % more CPU on the 10 h bench input).
 */
export const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Inputs from this size on have their segments written on a second thread (WriteBehind). On the
 * 2-vCPU bench machine the thread took 10 h of audio (716 MB) from 1.24 s to 0.86-0.99 s, but made
 * 1 h (72 MB) 15 ms slower and 2 min of 720p video 25 ms slower: starting it costs more than the
 * overlap saves on a small file.
 */
export const WRITE_BEHIND_MIN_BYTES = 256 * 1024 * 1024;

/** The VOD playlist of every segment cut (what LiveWindow.toPlaylist('vod') gives when nothing slid out). */
function vodPlaylist(segments: MediaSegment[], targetDurationSec: number): MediaPlaylist {
  return {
    targetDurationSec,
    mediaSequence: 0,
    discontinuitySequence: 0,
    playlistType: 'VOD',
    endList: true,
    segments,
  };
}

/** Summary of a batch run. */
export interface BatchResult {
  segments: number;
  bytes: number;
  playlist: string;
}

/**
 * Segments cfg.input into cfg.out. With --vod every segment is kept and the playlist is VOD;
 * otherwise the final window is kept (older segments are deleted as they slide out) and the
 * playlist ends with EXT-X-ENDLIST. Segments go straight to their final names: nothing lists a
 * segment until the playlist is written at the very end, after every write finished, so no reader
 * can see a partial file. From writeBehindMinBytes of input on, the writes happen on a second thread
 * (WriteBehind) while this one reads and segments. A failed write stops the run: a batch must not
 * end with holes.
 */
export async function runBatch(
  cfg: Readonly<AppConfig>,
  logger: Logger,
  clock: Clock = systemClock,
  writeBehindMinBytes = WRITE_BEHIND_MIN_BYTES,
): Promise<BatchResult> {
  const input = cfg.input;
  if (!input) throw new Error('runBatch needs --input');
  let fd: number;
  try {
    fd = openSync(input, 'r');
  } catch (e) {
    throw new IngestError('input.read', `cannot read --input ${input}: ${systemCause(e)}`);
  }
  const store = new DiskStore(resolve(cfg.out));
  try {
    await store.init();
  } catch (e) {
    closeSync(fd);
    throw new StorageError('storage.out', `cannot use --out ${cfg.out}: ${systemCause(e)}`);
  }
  const log = logger.child('packager');
  const targetDurationSec = effectiveTargetDuration(cfg);
  // VOD keeps every segment in a plain list: the live window's bookkeeping per add is linear in
  // what it holds, which over 18,000 segments (10 h) is quadratic.
  const window = cfg.vod ? null : new LiveWindow({ size: cfg.window, targetDurationSec });
  const vod: MediaSegment[] = [];
  const runId = makeRunId(clock.now());
  const big = fstatSync(fd).size >= writeBehindMinBytes;
  const writer: BatchWriter = big ? WriteBehind.start(store.prefix) : new WriteInline(store.prefix);
  const warnings = new LogThrottle(10_000);
  const onEvent = (e: SegmenterEvent): void => {
    if (e.type === 'program') return log.info(`program ${e.program}: ${e.codecs.join(', ')}`);
    if (e.type === 'warning') {
      const line = warnings.pass(e.code, e.message, clock.now());
      if (line !== null) log.warn(line, { code: e.code });
      return;
    }
    if (e.type !== 'segment') return;
    const seg = e.segment;
    const msn = window ? window.nextMsn : vod.length;
    const uri = segmentUri(cfg.stream, runId, msn);
    if (!isSafeName(uri)) throw new Error(`refusing unsafe file name ${JSON.stringify(uri)}`);
    writer.write(uri, seg.bytes);
    const { durationSec, discontinuity, programDateTimeMs } = seg;
    if (!window) return void vod.push({ uri, durationSec, discontinuity, programDateTimeMs, msn });
    const entry = { uri, durationSec, discontinuity, programDateTimeMs };
    for (const s of window.add(entry).evicted) writer.remove(s.uri);
  };
  const segmenter = new Segmenter(
    { segmentDurationSec: cfg.segmentDurationSec, targetDurationSec, program: cfg.program },
    onEvent,
  );
  // Plain blocking reads into one reused buffer (the segmenter copies what it keeps before push() returns).
  try {
    // A plain Uint8Array, not a Buffer: the segmenter takes views of what it reads (a PES start,
    // a split), and a Buffer's subarray() costs several times a Uint8Array's.
    const buf = new Uint8Array(READ_CHUNK_BYTES);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf))
      segmenter.push(buf.subarray(0, n), clock.now());
    segmenter.end(clock.now());
    await writer.finish();
  } catch (e) {
    await writer.abort();
    if (e instanceof WriteBehindError)
      throw new StorageError(
        'storage.out',
        `cannot write ${e.fileName} in --out ${cfg.out}: ${systemCause(e)}`,
      );
    throw e;
  } finally {
    closeSync(fd);
  }
  const playlist = `${cfg.stream}.m3u8`;
  const model = window ? window.toPlaylist('ended') : vodPlaylist(vod, targetDurationSec);
  if (model.segments.length > 0) await store.writeAtomic(playlist, renderMediaPlaylist(model));
  return {
    segments: segmenter.stats.segments,
    bytes: segmenter.stats.bytes,
    playlist: resolve(cfg.out, playlist),
  };
}
