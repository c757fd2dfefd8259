// src/calls/replay.ts: Replay: reads a call's (or a window's) segments from --out and builds its playlist, chunks and download; leases what it lists.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { RetentionReaper } from '../storage/retention-reaper.js';
import type { CallDb, SegmentRow } from './call-db.js';
import {
  callFrames,
  type FrameRun,
  runsDurationSec,
  segmentAudio,
  type TimedSegment,
} from './call-frames.js';
import type { CallRow } from './call-format.js';
import { callDownload, callTags, type Chunk, chunkTs, planChunks } from './call-media.js';
import { callPlaylist, windowPlaylist } from './replay-playlists.js';

export interface ReplayOptions {
  db: CallDb;
  stream: string;
  /** The served directory (--out). */
  outDir: string;
  reaper: RetentionReaper;
  clock: Clock;
  targetDurationSec: number;
}

/** A segment listed in a replay playlist is kept at least this long after its duration. */
export const LEASE_MARGIN_MS = 10 * 60_000;

/** A call's media, read from the segments that hold it. */
export interface CallMedia {
  call: CallRow;
  runs: FrameRun[];
  chunks: Chunk[];
  durationSec: number;
}

/** The download: bytes, media type and a file name. */
export interface CallAudioFile {
  bytes: Uint8Array;
  type: string;
  filename: string;
}

/** A name for the download: label (or "call") and the UTC start, in safe characters. */
export function downloadName(call: CallRow, ext: string): string {
  const label = (call.label ?? 'call').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  const when = new Date(call.id).toISOString().slice(0, 19).replace(/:/g, '-');
  return `${label || 'call'}-${when}.${ext}`;
}

/** A closed call's media is reused for this long: a player fetches its chunks one after another. */
const CACHE_MS = 30_000;
/** Calls whose media is held at once. */
const CACHE_CALLS = 8;

/** Builds replay media on request from what is on disk (a closed call's for CACHE_MS). */
export class Replay {
  private readonly cache = new Map<number, { media: CallMedia; atMs: number }>();

  constructor(private readonly opts: ReplayOptions) {}

  private lease(rows: readonly SegmentRow[], durationSec: number): void {
    const until = this.opts.clock.now() + durationSec * 1000 + LEASE_MARGIN_MS;
    this.opts.reaper.lease(
      rows.map((r) => r.uri),
      until,
    );
  }

  /** The audio of segments (files that are gone are left out). */
  private async readSegments(rows: readonly SegmentRow[]): Promise<TimedSegment[]> {
    const out: TimedSegment[] = [];
    for (const r of rows) {
      if (r.gap) continue;
      let bytes: Uint8Array;
      try {
        bytes = await readFile(join(this.opts.outDir, r.uri));
      } catch {
        continue;
      }
      const audio = segmentAudio(bytes, r.pdt);
      if (audio) out.push({ audio, discontinuity: r.discontinuity });
    }
    return out;
  }

  /** The call's frames and chunks; null when it is unknown or none of its audio is on disk. */
  async callMedia(id: number): Promise<CallMedia | null> {
    const call = this.opts.db.getCall(id);
    if (!call) return null;
    const now = this.opts.clock.now();
    const hit = this.cache.get(id);
    if (hit && now - hit.atMs < CACHE_MS && hit.media.call.stop_time === call.stop_time) {
      return hit.media;
    }
    // An open call runs to now: its playlist holds what has been published so far.
    const endMs =
      call.stop_time === null ? this.opts.clock.now() : Math.round(call.stop_time * 1000);
    const rows = this.opts.db.segmentsBetween(this.opts.stream, call.id, endMs);
    const runs = callFrames(await this.readSegments(rows), call.id, endMs).filter(
      (r) => r.frames.length > 0,
    );
    if (runs.length === 0) return null;
    const durationSec = runsDurationSec(runs);
    this.lease(rows, durationSec);
    const media = { call, runs, chunks: planChunks(runs), durationSec };
    if (call.stop_time !== null) {
      this.cache.delete(id);
      this.cache.set(id, { media, atMs: now });
      for (const k of this.cache.keys()) {
        if (this.cache.size <= CACHE_CALLS) break;
        this.cache.delete(k);
      }
    }
    return media;
  }

  /** GET /api/calls/ID.m3u8. */
  async playlist(id: number): Promise<string | null> {
    const m = await this.callMedia(id);
    return m && callPlaylist(String(id), m.chunks);
  }

  /** GET /api/calls/ID/N.ts. */
  async chunk(id: number, n: number): Promise<Uint8Array | null> {
    const m = await this.callMedia(id);
    return m && chunkTs(m.chunks, n);
  }

  /** GET /api/calls/ID.mp3 (or .aac): null when unknown, gone, or asked with the other codec's extension. */
  async download(id: number, ext: 'mp3' | 'aac'): Promise<CallAudioFile | null> {
    const m = await this.callMedia(id);
    if (!m) return null;
    const framing = m.runs[0]?.track.framing;
    const actual = framing === 'adts' ? 'aac' : 'mp3';
    if (actual !== ext) return null;
    return {
      bytes: callDownload(m.runs, callTags(m.call, m.durationSec)),
      type: actual === 'aac' ? 'audio/aac' : 'audio/mpeg',
      filename: downloadName(m.call, actual),
    };
  }

  /** GET /hls/NAME.m3u8?start=&end=: the retained segments of [startMs, endMs), or null for none. */
  windowPlaylist(startMs: number, endMs: number): string | null {
    const rows = this.opts.db.segmentsBetween(this.opts.stream, startMs, endMs);
    if (rows.length === 0) return null;
    this.lease(
      rows,
      rows.reduce((s, r) => s + r.duration, 0),
    );
    return windowPlaylist(rows, this.opts.targetDurationSec);
  }
}
