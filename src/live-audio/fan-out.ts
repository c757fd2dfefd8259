// src/live-audio/fan-out.ts: LiveAudioHub: every /live.mp3 listener fed from one AudioFeed subscription and one timer, each with its pacer, ICY interleaver and a capped socket buffer.
import type { Clock } from '../clock.js';
import { type AudioFormat, silentFrame } from '../hls/silence.js';
import type { AudioChunk, AudioCodec, AudioFeed, TitleSource } from './audio-feed-types.js';
import { bitrateKbps } from './frame-format.js';
import { ICY_METAINT, IcyInterleaver } from './icy.js';
import { LEAD_SEC, ListenerPacer } from './pacer.js';

/** Where a listener's bytes go: node:http's ServerResponse (and HTTP/2's compat response) has it. */
export interface AudioSink {
  write(chunk: Uint8Array): boolean;
  /** Bytes written but not yet taken by the kernel. */
  readonly writableLength: number;
  readonly destroyed: boolean;
  /** Finishes the response (the codec changed: this URL no longer fits the input). */
  end(): unknown;
  destroy(): unknown;
  once(event: 'close', fn: () => void): unknown;
}

export interface HubOptions {
  feed: AudioFeed;
  title: TitleSource;
  clock: Clock;
  /** Most listeners at once (--live-audio-max-listeners); more are refused. */
  maxListeners: number;
  /** A listener whose unsent buffer holds more than this much audio is dropped (default 2 s). */
  bufferSec?: number;
  /** How often listeners are paced and gaps filled (default 100 ms). */
  tickMs?: number;
}

/** Counters for /api/status and /metrics. */
export interface HubStats {
  /** Listeners connected now. */
  listeners: number;
  /** Listeners served since start. */
  served: number;
  /** Listeners dropped because they did not keep up (their buffer passed bufferSec). */
  droppedSlow: number;
  /** Requests refused because maxListeners were connected. */
  refused: number;
  /** Bytes sent to listeners, metadata included. */
  bytesSent: number;
}

interface Listener {
  sink: AudioSink;
  /** The codec its URL serves (/live.mp3 or /live.aac). */
  codec: AudioCodec;
  pacer: ListenerPacer;
  icy: IcyInterleaver | null;
  /** Bytes per second of the audio seen (the largest), for the buffer cap. */
  byteRate: number;
}

/** Smallest buffer cap, bytes: a low-bitrate stream's 2 s would be below one TCP segment's worth of frames. */
const MIN_CAP_BYTES = 16 * 1024;

/**
 * The listeners of the live audio. The feed is subscribed while anyone listens; each chunk is
 * queued for every listener and released by its pacer, now and on every tick. Memory is bounded
 * per listener: the pacer keeps a few seconds of references to the shared chunk bytes, and a
 * socket that does not take its bytes (writableLength past bufferSec of audio, on top of what
 * the kernel holds) is destroyed, not buffered for.
 */
export class LiveAudioHub {
  private readonly listeners = new Set<Listener>();
  private unsubscribe: (() => void) | null = null;
  private cancelTick: (() => void) | null = null;
  private closed = false;
  private readonly silence = new Map<string, Uint8Array | null>();
  private readonly counters: Omit<HubStats, 'listeners'> = {
    served: 0,
    droppedSlow: 0,
    refused: 0,
    bytesSent: 0,
  };

  constructor(private readonly opts: HubOptions) {}

  /** The feed's current format, or null before the first audio. */
  format(): ReturnType<AudioFeed['format']> {
    return this.opts.feed.format();
  }

  /** The average bitrate of the last few seconds, kbit/s (icy-br), or null before the first audio. */
  bitrateKbps(): number | null {
    const recent = this.opts.feed.recent(5);
    const bytes = recent.reduce((n, c) => n + c.frames.length, 0);
    const sec = recent.reduce((n, c) => n + c.durationSec, 0);
    return bitrateKbps(bytes, sec);
  }

  stats(): HubStats {
    return { listeners: this.listeners.size, ...this.counters };
  }

  /** True when a new listener would be refused; counts the refusal. */
  refuse(): boolean {
    if (this.closed || this.listeners.size >= this.opts.maxListeners) {
      this.counters.refused++;
      return true;
    }
    return false;
  }

  /** Starts sending to sink: the burst at once, then paced audio until it closes. */
  add(sink: AudioSink, opts: { icy: boolean; codec: AudioCodec }): void {
    const l: Listener = {
      sink,
      codec: opts.codec,
      pacer: new ListenerPacer({
        startMs: this.opts.clock.now(),
        silence: (f) => this.silentFrame(f),
      }),
      icy: opts.icy ? new IcyInterleaver(ICY_METAINT) : null,
      byteRate: 0,
    };
    const recent = this.opts.feed.recent(LEAD_SEC);
    for (const c of recent) l.byteRate = Math.max(l.byteRate, byteRate(c));
    l.pacer.startWith(recent);
    this.listeners.add(l);
    this.counters.served++;
    sink.once('close', () => this.remove(l));
    this.unsubscribe ??= this.opts.feed.subscribe((c) => this.onChunk(c));
    this.pump(l);
    this.schedule();
  }

  /** Ends every listener and stops (server close). */
  close(): void {
    this.closed = true;
    this.cancelTick?.();
    this.cancelTick = null;
    for (const l of [...this.listeners]) {
      this.listeners.delete(l);
      l.sink.destroy();
    }
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private remove(l: Listener): void {
    if (!this.listeners.delete(l)) return;
    if (this.listeners.size === 0) {
      this.unsubscribe?.();
      this.unsubscribe = null;
    }
  }

  private onChunk(c: AudioChunk): void {
    const rate = byteRate(c);
    for (const l of [...this.listeners]) {
      if (c.codec !== l.codec) {
        // The encoder switched codec: MP3 frames on /live.aac (or the reverse) would be noise.
        this.remove(l);
        l.sink.end();
        continue;
      }
      l.byteRate = Math.max(l.byteRate, rate);
      l.pacer.offer(c);
      this.pump(l);
    }
  }

  /** Sends what l's pacer releases now; a listener whose sending fails is dropped, never the rest. */
  private pump(l: Listener): void {
    try {
      this.send(l);
    } catch {
      this.remove(l);
      l.sink.destroy();
    }
  }

  private send(l: Listener): void {
    if (l.sink.destroyed) {
      this.remove(l);
      return;
    }
    const title = l.icy ? this.opts.title.current() : null;
    for (const r of l.pacer.take(this.opts.clock.now())) {
      const bytes = l.icy ? l.icy.push(r.bytes, title) : r.bytes;
      l.sink.write(bytes);
      this.counters.bytesSent += bytes.length;
    }
    const cap = Math.max(MIN_CAP_BYTES, (this.opts.bufferSec ?? 2) * l.byteRate);
    if (l.sink.writableLength > cap) {
      this.counters.droppedSlow++;
      this.remove(l);
      l.sink.destroy();
    }
  }

  private schedule(): void {
    if (this.cancelTick || this.closed || this.listeners.size === 0) return;
    this.cancelTick = this.opts.clock.setTimer(() => {
      this.cancelTick = null;
      for (const l of [...this.listeners]) this.pump(l);
      this.schedule();
    }, this.opts.tickMs ?? 100);
  }

  private silentFrame(f: AudioFormat): Uint8Array | null {
    const key = JSON.stringify(f);
    let frame = this.silence.get(key);
    if (frame === undefined) {
      try {
        frame = silentFrame(f);
      } catch {
        frame = null; // a format silence.ts cannot express: the gap stays quiet on the wire
      }
      this.silence.set(key, frame);
    }
    return frame;
  }
}

function byteRate(c: AudioChunk): number {
  return c.durationSec > 0 ? c.frames.length / c.durationSec : 0;
}
