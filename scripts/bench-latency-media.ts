// scripts/bench-latency-media.ts: bench:latency's feed and clock: the ffmpeg-made low-latency TS, the PES-paced writer and its write log, and reading PDT, edges and first PTS from playlists and segments.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { pesDataOffset } from '../src/ts/pes.js';
import { PACKET_SIZE, SYNC_BYTE, payloadOffsetAt, pusiAt } from '../src/ts/packet.js';
import { ptsDelta, TICKS } from '../src/ts/timestamps.js';

const run = promisify(execFile);

export type Codec = 'mp3' | 'aac';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** One PES of the audio stream, with the packets (PSI included) that go with it. */
interface FeedChunk {
  pts: number;
  bytes: Uint8Array;
}

/** Makes (once, cached in the temp dir) a low-latency MPEG-TS feed: one frame per PES, no mux delay. */
export async function makeFeed(codec: Codec, seconds: number): Promise<string> {
  const dir = join(tmpdir(), 'scanner-hls-bench-latency-v1');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${codec}-${seconds}.ts`);
  if (existsSync(file)) return file;
  const tmp = `${file}.${process.pid}.tmp`;
  const audio =
    codec === 'mp3'
      ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=44100:duration=${seconds}`]
      : ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`];
  const enc =
    codec === 'mp3' ? ['-c:a', 'libmp3lame', '-b:a', '128k'] : ['-c:a', 'aac', '-b:a', '64k'];
  await run('ffmpeg', [
    ...['-hide_banner', '-loglevel', 'error', '-y', ...audio, ...enc],
    ...['-pes_payload_size', '0', '-flush_packets', '1', '-muxdelay', '0', '-muxpreload', '0'],
    ...['-f', 'mpegts', tmp],
  ]);
  renameSync(tmp, file);
  return file;
}

/** The PTS of the audio PES starting in the packet at off, or null when none starts there. */
function audioPesPts(b: Uint8Array, off: number): number | null {
  if (!pusiAt(b, off)) return null;
  const p = payloadOffsetAt(b, off);
  if (p >= PACKET_SIZE) return null;
  const head = pesDataOffset(b.subarray(off + p, off + PACKET_SIZE));
  // MPEG audio streams 0xC0–0xDF (ffmpeg uses 0xC0 for MP3 and AAC alike).
  if (!head || (head.streamId & 0xe0) !== 0xc0) return null;
  return parsePesTime(b.subarray(off, off + PACKET_SIZE))?.pts ?? null;
}

/** Splits a TS file into its audio PES, each with the packets up to the next PES start. */
export function splitFeed(bytes: Uint8Array): FeedChunk[] {
  const chunks: FeedChunk[] = [];
  let start = 0;
  let pts: number | null = null;
  for (let off = 0; off + PACKET_SIZE <= bytes.length; off += PACKET_SIZE) {
    if (bytes[off] !== SYNC_BYTE) throw new Error(`feed: lost sync at byte ${off}`);
    const t = audioPesPts(bytes, off);
    if (t === null) continue;
    // PSI before the first PES goes with it; every other PES ends where the next one starts.
    if (pts !== null) {
      chunks.push({ pts, bytes: bytes.subarray(start, off) });
      start = off;
    }
    pts = t;
  }
  if (pts !== null) chunks.push({ pts, bytes: bytes.subarray(start) });
  return chunks;
}

/** When each PES (by PTS) was written. */
export interface WriteLog {
  pts: number[];
  at: number[];
}

/** Writes the chunks to sink in real time by their PTS; logs the wall time of each write. */
export class PacedFeed {
  readonly log: WriteLog = { pts: [], at: [] };
  private i = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly chunks: FeedChunk[],
    private readonly sink: (b: Uint8Array) => void,
  ) {}

  start(): void {
    this.t0 = Date.now() + 10;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** True while there is feed left. */
  get running(): boolean {
    return !this.stopped && this.i < this.chunks.length;
  }

  private due(i: number): number {
    const first = this.chunks[0]?.pts ?? 0;
    return this.t0 + ptsDelta(this.chunks[i]?.pts ?? first, first) / 90;
  }

  private tick(): void {
    if (this.stopped) return;
    while (this.i < this.chunks.length && this.due(this.i) <= Date.now()) {
      const c = this.chunks[this.i];
      if (!c) break;
      this.sink(c.bytes);
      this.log.pts.push(c.pts);
      this.log.at.push(Date.now());
      this.i++;
    }
    if (this.i >= this.chunks.length) return;
    this.timer = setTimeout(() => this.tick(), Math.max(0, this.due(this.i) - Date.now()));
  }
}

/** Wall time the sample with this PTS was written (interpolated inside its PES), or null. */
export function writeTimeOf(log: WriteLog, pts: number): number | null {
  let lo = 0;
  let hi = log.pts.length - 1;
  if (hi < 0) return null;
  const first = log.pts[0] ?? 0;
  const rel = ptsDelta(pts, first);
  if (rel < 0 || rel > ptsDelta(log.pts[hi] ?? first, first) + TICKS) return null;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (ptsDelta(log.pts[mid] ?? first, first) <= rel) lo = mid;
    else hi = mid - 1;
  }
  const at = log.at[lo];
  const base = log.pts[lo];
  if (at === undefined || base === undefined) return null;
  return at + ptsDelta(pts, base) / 90;
}

// ---------- playlists and segments ----------

interface ListedSegment {
  uri: string;
  pdtMs: number | null;
  durationSec: number;
}

export function parsePlaylist(text: string): { targetSec: number; segments: ListedSegment[] } {
  const segments: ListedSegment[] = [];
  let pdt: number | null = null;
  let dur: number | null = null;
  let targetSec = 0;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-TARGETDURATION:')) targetSec = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) dur = parseFloat(line.slice(8));
    else if (line !== '' && !line.startsWith('#') && dur !== null) {
      segments.push({ uri: line, pdtMs: pdt, durationSec: dur });
      pdt = pdt === null ? null : pdt + dur * 1000;
      dur = null;
    }
  }
  return { targetSec, segments };
}

/** Wall time (PDT) up to which a playlist lists media: the end of its last segment or part. */
function edgeEndMs(text: string): number | null {
  let cur: number | null = null;
  let parts = 0;
  let dur: number | null = null;
  let edge: number | null = null;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) {
      cur = Date.parse(line.slice(25));
      parts = 0;
    } else if (line.startsWith('#EXT-X-PART:')) {
      parts += Number(/DURATION=([\d.]+)/.exec(line)?.[1] ?? 0);
      if (cur !== null) edge = Math.max(edge ?? 0, cur + parts * 1000);
    } else if (line.startsWith('#EXTINF:')) {
      dur = parseFloat(line.slice(8));
    } else if (line !== '' && !line.startsWith('#') && dur !== null) {
      if (cur !== null) {
        cur += dur * 1000;
        edge = Math.max(edge ?? 0, cur);
      }
      parts = 0;
      dur = null;
    }
  }
  return edge;
}

/** Publish lag: when a new playlist edge became visible, minus the PDT of that edge. */
export class EdgeWatch {
  readonly seen: { at: number; lagMs: number }[] = [];
  private last = 0;

  saw(text: string | null): void {
    const edge = text === null ? null : edgeEndMs(text);
    if (edge === null || edge <= this.last) return;
    this.last = edge;
    const now = Date.now();
    this.seen.push({ at: now, lagMs: now - edge });
  }
}

/** PTS of the first audio PES of a segment, or null. */
function firstPts(seg: Uint8Array): number | null {
  for (let off = 0; off + PACKET_SIZE <= seg.length; off += PACKET_SIZE) {
    if (seg[off] !== SYNC_BYTE) return null;
    const t = audioPesPts(seg, off);
    if (t !== null) return t;
  }
  return null;
}

/** The playlist once it holds 4 target durations of media (a listener joins a running stream). */
export async function waitForPreroll(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) {
        const { targetSec, segments } = parsePlaylist(await res.text());
        const total = segments.reduce((s, x) => s + x.durationSec, 0);
        if (targetSec > 0 && segments.length >= 4 && total >= 4 * targetSec - 0.1) return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no playlist with 4 target durations at ${url}`);
    await sleep(200);
  }
}

/** PDT minus the write time of each segment's first PES, for up to 6 segments before the edge. */
export async function pdtOffsets(playlistUrl: string, log: WriteLog): Promise<number[]> {
  const res = await fetch(playlistUrl);
  if (!res.ok) return [];
  const { segments } = parsePlaylist(await res.text());
  const out: number[] = [];
  for (const s of segments.slice(-7, -1)) {
    if (s.pdtMs === null) continue;
    const seg = await fetch(new URL(s.uri, playlistUrl));
    if (!seg.ok) continue;
    const pts = firstPts(new Uint8Array(await seg.arrayBuffer()));
    const at = pts === null ? null : writeTimeOf(log, pts);
    if (at !== null) out.push(s.pdtMs - at);
  }
  return out;
}
