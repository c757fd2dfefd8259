// src/live-audio/pacer.ts: one listener's schedule (pure): the start-up burst, frames released in real time (a token bucket on media duration), silence through input gaps.
import type { AudioFormat } from '../hls/silence.js';
import type { AudioChunk, AudioCodec } from './audio-feed-types.js';
import { frameBounds, frameFormat } from './frame-format.js';

/** How far ahead of real time a listener may be, seconds: the burst and any encoder burst. */
export const LEAD_SEC = 0.75;
/** Behind real time by this much with nothing to send: the input has a gap, so send silence. */
export const GAP_SEC = 0.5;

/** Frames waiting to be sent: one cut chunk's frames from offsets[next] on. */
interface Pending {
  frames: Uint8Array;
  offsets: number[];
  next: number;
  frameSec: number;
  format: AudioFormat;
}

/** What the pacer releases: audio bytes, and whether they are silence it made up. */
export interface Release {
  bytes: Uint8Array;
  silent: boolean;
}

export interface PacerOptions {
  /** When the listener started (its clock, ms). */
  startMs: number;
  /** The format's silent frame (silentFrame), or null when none can be made. */
  silence: (format: AudioFormat) => Uint8Array | null;
  leadSec?: number;
  gapSec?: number;
}

function pendingOf(chunk: AudioChunk): Pending | null {
  const format = frameFormat(chunk.frames, chunk.codec);
  if (!format) return null;
  const b = frameBounds(chunk.frames, chunk.codec);
  if (b.offsets.length < 2) return null;
  return { frames: chunk.frames, offsets: b.offsets, next: 0, frameSec: b.frameSec, format };
}

/**
 * A listener's audio schedule. Media time sent (sentSec) may run at most leadSec ahead of the
 * time since start: the burst goes out at once, then frames as real time allows, so a listener
 * is paced honestly even when the input comes in faster (file:?loop, an encoder's catch-up).
 * When nothing is waiting and the listener has fallen gapSec behind real time, silent frames of
 * the last format fill up to real time, so players do not hang up during an input gap; the
 * input's frames carry on as soon as they come (players take the join like any discontinuity).
 */
export class ListenerPacer {
  private readonly queue: Pending[] = [];
  private sentSec = 0;
  private queuedSec = 0;
  private format: AudioFormat | null = null;
  private readonly leadSec: number;
  private readonly gapSec: number;
  /** Seconds of queued media dropped because the input ran far ahead of real time. */
  droppedSec = 0;

  constructor(private readonly opts: PacerOptions) {
    this.leadSec = opts.leadSec ?? LEAD_SEC;
    this.gapSec = opts.gapSec ?? GAP_SEC;
  }

  /** The codec of what was last queued or sent, or null before anything. */
  get codec(): AudioCodec | null {
    return this.format?.codec ?? null;
  }

  /** Seconds of audio waiting to be released. */
  get waitingSec(): number {
    return this.queuedSec;
  }

  /**
   * Queues the start-up burst: of the newest chunks (oldest first), only their newest whole
   * frames lasting at most leadSec, so a listener starts at the live edge.
   */
  startWith(chunks: readonly AudioChunk[]): void {
    const parsed = chunks.map(pendingOf).filter((p): p is Pending => p !== null);
    let need = this.leadSec;
    const keep: Pending[] = [];
    for (let i = parsed.length - 1; i >= 0 && need > 1e-9; i--) {
      const p = parsed[i];
      const frames = p.offsets.length - 1;
      const take = Math.min(frames, Math.floor((need + 1e-9) / p.frameSec));
      if (take <= 0) break;
      p.next = frames - take;
      need -= take * p.frameSec;
      keep.unshift(p);
    }
    for (const p of keep) this.enqueue(p);
  }

  /** Queues a chunk cut just now. Beyond maxQueuedSec the oldest waiting frames are dropped. */
  offer(chunk: AudioChunk): void {
    const p = pendingOf(chunk);
    if (p) this.enqueue(p, chunk.durationSec);
  }

  /** What may go out at nowMs, in order. */
  take(nowMs: number): Release[] {
    const elapsed = Math.max(0, (nowMs - this.opts.startMs) / 1000);
    const allowed = elapsed + this.leadSec + 1e-9;
    const out: Release[] = [];
    while (this.queue.length > 0) {
      const p = this.queue[0];
      const left = p.offsets.length - 1 - p.next;
      const fit = Math.min(left, Math.floor((allowed - this.sentSec) / p.frameSec));
      if (fit <= 0) return out;
      out.push({
        bytes: p.frames.subarray(p.offsets[p.next], p.offsets[p.next + fit]),
        silent: false,
      });
      p.next += fit;
      this.sentSec += fit * p.frameSec;
      this.queuedSec -= fit * p.frameSec;
      this.format = p.format;
      if (p.next >= p.offsets.length - 1) this.queue.shift();
    }
    if (this.queuedSec < 1e-9) this.queuedSec = 0;
    if (this.format && elapsed - this.sentSec > this.gapSec) {
      const frame = this.opts.silence(this.format);
      if (frame) {
        const frameSec = this.format.samplesPerFrame / this.format.sampleRate;
        const n = Math.ceil((elapsed - this.sentSec) / frameSec);
        const bytes = new Uint8Array(n * frame.length);
        for (let k = 0; k < n; k++) bytes.set(frame, k * frame.length);
        out.push({ bytes, silent: true });
        this.sentSec += n * frameSec;
      }
    }
    return out;
  }

  private enqueue(p: Pending, chunkSec = 0): void {
    this.format ??= p.format;
    this.queue.push(p);
    this.queuedSec += (p.offsets.length - 1 - p.next) * p.frameSec;
    // Room for two whole chunks (a plain-HLS segment arrives all at once) and a second more.
    const maxQueuedSec = Math.max(4, 2 * chunkSec + 1);
    while (this.queue.length > 1 && this.queuedSec > maxQueuedSec) {
      const old = this.queue.shift();
      if (!old) break;
      const sec = (old.offsets.length - 1 - old.next) * old.frameSec;
      this.queuedSec -= sec;
      this.droppedSec += sec;
    }
  }
}
