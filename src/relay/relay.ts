// src/relay/relay.ts: one --relay: its state machine (waiting, connecting, streaming, backoff, refused, stopped), real-time pacing of the feed's MP3 frames, silence in input gaps, title updates.
import type { Socket } from 'node:net';
import { Backoff } from '../backoff.js';
import type { Clock } from '../clock.js';
import { type AudioFormat, silentFrame } from '../hls/silence.js';
import type { AudioChunk, AudioFeed, TitleSource } from '../live-audio/audio-feed-types.js';
import type { Logger } from '../logger.js';
import type { StreamInfo } from './icecast-request.js';
import { openSource, SourceError, updateTitle } from './icecast-source.js';
import { type Mp3Frame, mp3FrameFormat, splitMp3Frames } from './mp3-frames.js';
import type { RelaySpec } from './relay-spec.js';
import { Transcoder } from './transcoder.js';

/** Where a relay is. */
export type RelayState = 'waiting' | 'connecting' | 'streaming' | 'backoff' | 'refused' | 'stopped';

/** One relay's state, for /api/status, /metrics and the log. */
export interface RelayStatus {
  /** The --relay value, password masked. */
  target: string;
  mount: string;
  protocol: 'source' | 'put';
  state: RelayState;
  /** When the state last changed (ISO 8601). */
  since: string;
  /** Why the last attempt or connection failed, or why the relay is refused; null when none. */
  lastError: string | null;
  /** Successful connections so far. */
  connects: number;
  /** The next attempt (ISO 8601), in backoff. */
  retryAt: string | null;
  bytesSent: number;
  /** Seconds of the feed's audio sent. */
  audioSec: number;
  /** Seconds of silence sent in input gaps. */
  silenceSec: number;
  /** Seconds of audio dropped while connected because the socket fell more than maxQueueMs behind. */
  droppedSec: number;
  /** The last title Icecast accepted. */
  title: string | null;
  /** With --relay-transcode and AAC input. */
  transcoding: boolean;
}

export interface RelayOptions {
  spec: RelaySpec;
  feed: AudioFeed;
  title?: TitleSource;
  clock: Clock;
  logger: Logger;
  /** --relay-transcode: AAC input goes through ffmpeg to MP3. */
  transcode?: boolean;
  /** Without input for this long behind real time, silence is sent (default 500). */
  gapMs?: number;
  /** How far ahead of real time frames are sent (default 500; Icecast buffers for its listeners). */
  leadMs?: number;
  /** Most backlog held before the newest chunk while the socket does not keep up; older frames are dropped (default 5000). */
  maxQueueMs?: number;
  /** A write that does not drain for this long drops the connection (default 8000). */
  stallMs?: number;
  /** Pacing tick (default 100). */
  tickMs?: number;
  /** Reconnect delays (default 1 s doubling to 30 s). */
  backoff?: Backoff;
  /** Delay before a title update after connecting: Icecast takes updinfo once the source runs (default 1000). */
  titleDelayMs?: number;
  ffmpeg?: string;
}

/** After 401, retry no sooner than this: the password will not fix itself, but the server's may change. */
const AUTH_RETRY_MS = 60_000;
/** "Mountpoint in use" is temporary (an old source lingers until Icecast times it out): retry within this. */
const IN_USE_RETRY_MS = 5_000;
/** The title while nothing is on the air: Icecast keeps the old title when updinfo sends an empty song. */
export const IDLE_TITLE = 'Scanning...';
/** Audio kept while not connected, so a connection starts with the newest second. */
const IDLE_QUEUE_MS = 1_000;

export const AAC_REFUSED =
  'relay refused: Icecast feeds take MP3, the input is AAC; use --relay-transcode or an MP3 encoder (--codec mp3)';

/** One relay to one Icecast mount. */
export class Relay {
  private readonly spec: RelaySpec;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly gapMs: number;
  private readonly leadMs: number;
  private readonly maxQueueMs: number;
  private readonly stallMs: number;
  private readonly tickMs: number;
  private readonly titleDelayMs: number;
  private readonly backoff: Backoff;
  private readonly unsubscribe: Array<() => void> = [];

  private st: RelayStatus;
  private queue: Mp3Frame[] = [];
  private queueMs = 0;
  private format: { format: AudioFormat; bitrateKbps: number } | null = null;
  private silence: { bytes: Uint8Array; durationMs: number } | null = null;
  private socket: Socket | null = null;
  private connectedAt = 0;
  private sentUntil = 0;
  private silent = false;
  private blockedSince: number | null = null;
  private cancelTick: (() => void) | null = null;
  private cancelRetry: (() => void) | null = null;
  private cancelTitle: (() => void) | null = null;
  private loggedError: string | null = null;
  private wantTitle: string | null = null;
  private loggedTitleError: string | null = null;
  private transcoder: Transcoder | null = null;

  constructor(private readonly opts: RelayOptions) {
    this.spec = opts.spec;
    this.clock = opts.clock;
    this.log = opts.logger;
    this.gapMs = opts.gapMs ?? 500;
    this.leadMs = opts.leadMs ?? 500;
    this.maxQueueMs = opts.maxQueueMs ?? 5_000;
    this.stallMs = opts.stallMs ?? 8_000;
    this.tickMs = opts.tickMs ?? 100;
    this.titleDelayMs = opts.titleDelayMs ?? 1_000;
    this.backoff =
      opts.backoff ?? new Backoff({ initialMs: 1_000, maxMs: 30_000, healthyMs: 30_000 });
    this.st = {
      target: this.spec.display,
      mount: this.spec.mount,
      protocol: this.spec.protocol,
      state: 'waiting',
      since: new Date(this.clock.now()).toISOString(),
      lastError: null,
      connects: 0,
      retryAt: null,
      bytesSent: 0,
      audioSec: 0,
      silenceSec: 0,
      droppedSec: 0,
      title: null,
      transcoding: false,
    };
  }

  /** Subscribes to the feed and the title; connects once the first MP3 frames arrive. */
  start(): void {
    const { feed, title } = this.opts;
    this.unsubscribe.push(feed.subscribe((c) => this.onChunk(c)));
    if (title) {
      this.wantTitle = title.current();
      this.unsubscribe.push(
        title.onChange((t) => {
          this.wantTitle = t;
          if (this.st.state === 'streaming') this.scheduleTitle(0);
        }),
      );
    }
    const f = feed.format();
    if (f?.codec === 'aac' && !this.opts.transcode) this.refuse(AAC_REFUSED);
  }

  status(): RelayStatus {
    return { ...this.st };
  }

  /** Unsubscribes, closes the connection and any transcoder. */
  stop(): void {
    for (const u of this.unsubscribe.splice(0)) u();
    this.cancelRetry?.();
    this.cancelTick?.();
    this.cancelTitle?.();
    this.transcoder?.close();
    this.transcoder = null;
    const s = this.socket;
    this.socket = null;
    s?.end();
    s?.destroy();
    this.setState('stopped');
  }

  // ---- input -------------------------------------------------------------------------------

  private onChunk(c: AudioChunk): void {
    if (this.st.state === 'stopped') return;
    if (c.codec === 'aac') {
      if (!this.opts.transcode) {
        this.refuse(AAC_REFUSED);
        return;
      }
      this.transcoder ??= new Transcoder(
        (frames) => this.onFrames(frames),
        (message) => this.noteError(message),
        this.opts.ffmpeg,
      );
      this.st.transcoding = true;
      this.transcoder.write(c.frames);
      return;
    }
    if (this.transcoder) {
      this.transcoder.close();
      this.transcoder = null;
      this.st.transcoding = false;
    }
    this.onFrames(splitMp3Frames(c.frames).frames);
  }

  private onFrames(frames: Mp3Frame[]): void {
    if (frames.length === 0 || this.st.state === 'stopped') return;
    if (this.st.state === 'refused') this.setState('waiting');
    const f = mp3FrameFormat(frames[frames.length - 1].bytes);
    if (f) this.setFormat(f);
    let addedMs = 0;
    for (const fr of frames) {
      this.queue.push(fr);
      addedMs += fr.durationMs;
    }
    this.queueMs += addedMs;
    // While streaming, a whole chunk is kept however long (a 30 s segment arrives at once) and
    // at most maxQueueMs of backlog before it; while not connected, only the newest second.
    const cap = this.st.state === 'streaming' ? this.maxQueueMs + addedMs : IDLE_QUEUE_MS;
    while (this.queueMs > cap && this.queue.length > 1) {
      const old = this.queue.shift();
      if (!old) break;
      this.queueMs -= old.durationMs;
      if (this.st.state === 'streaming') this.st.droppedSec += old.durationMs / 1000;
    }
    if (this.st.state === 'waiting') this.connect();
    else if (this.st.state === 'streaming') this.pump();
  }

  private setFormat(f: { format: AudioFormat; bitrateKbps: number }): void {
    const old = this.format?.format;
    this.format = f;
    if (old && old.sampleRate === f.format.sampleRate && old.channelMode === f.format.channelMode) {
      return;
    }
    try {
      this.silence = {
        bytes: silentFrame(f.format),
        durationMs: (f.format.samplesPerFrame * 1000) / f.format.sampleRate,
      };
    } catch {
      this.silence = null;
    }
  }

  private refuse(message: string): void {
    if (this.st.state === 'refused') return;
    this.dropSocket();
    this.cancelRetry?.();
    this.queue = [];
    this.queueMs = 0;
    this.st.lastError = message;
    this.log.error(`${this.spec.mount}: ${message}`);
    this.loggedError = message;
    this.setState('refused');
  }

  // ---- connection --------------------------------------------------------------------------

  private connect(): void {
    const f = this.format;
    if (!f) return;
    this.setState('connecting');
    const info: StreamInfo = {
      sampleRate: f.format.sampleRate,
      channels: f.format.channels,
      bitrateKbps: f.bitrateKbps,
    };
    openSource(this.spec, info).then(
      (socket) => this.onOpen(socket),
      (e: unknown) => this.onFail(e, 0),
    );
  }

  private onOpen(socket: Socket): void {
    if (this.st.state !== 'connecting') {
      socket.destroy();
      return;
    }
    this.socket = socket;
    this.connectedAt = this.clock.now();
    this.sentUntil = this.connectedAt;
    this.silent = false;
    this.blockedSince = null;
    this.st.connects++;
    this.st.lastError = null;
    if (this.loggedError !== null) this.log.info(`${this.spec.mount}: connected again`);
    else this.log.info(`${this.spec.mount}: streaming to ${this.spec.display}`);
    this.loggedError = null;
    socket.on('drain', () => {
      this.blockedSince = null;
      this.pump();
    });
    socket.on('error', () => undefined); // 'close' follows
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.onFail(
        new SourceError('network', 'Icecast closed the connection'),
        this.clock.now() - this.connectedAt,
      );
    });
    this.setState('streaming');
    this.scheduleTitle(this.titleDelayMs);
    this.tick();
  }

  private onFail(e: unknown, ranMs: number): void {
    if (this.st.state === 'stopped' || this.st.state === 'refused') return;
    this.dropSocket();
    const kind = e instanceof SourceError ? e.kind : 'network';
    const message =
      kind === 'auth'
        ? `wrong source password for ${this.spec.mount} (${e instanceof Error ? e.message : String(e)})`
        : e instanceof Error
          ? e.message
          : String(e);
    let delay = this.backoff.next(ranMs);
    if (kind === 'auth') delay = Math.max(delay, AUTH_RETRY_MS);
    if (kind === 'in-use') delay = Math.min(delay, IN_USE_RETRY_MS);
    this.noteError(message);
    this.st.retryAt = new Date(this.clock.now() + delay).toISOString();
    this.setState('backoff');
    this.cancelRetry = this.clock.setTimer(() => {
      this.cancelRetry = null;
      this.st.retryAt = null;
      if (this.st.state !== 'backoff') return;
      // With a known format the relay reconnects even while input is quiet: silence fills in.
      if (this.format) this.connect();
      else this.setState('waiting');
    }, delay);
  }

  /** Records the error; logs it once per change (a flapping server logs once, not every retry). */
  private noteError(message: string): void {
    this.st.lastError = message;
    if (message !== this.loggedError) {
      this.log.warn(`${this.spec.mount}: ${message}; retrying`);
      this.loggedError = message;
    } else {
      this.log.debug(`${this.spec.mount}: ${message}`);
    }
  }

  private dropSocket(): void {
    const s = this.socket;
    this.socket = null;
    this.cancelTick?.();
    this.cancelTick = null;
    this.cancelTitle?.();
    this.cancelTitle = null;
    s?.destroy();
  }

  // ---- pacing ------------------------------------------------------------------------------

  private tick(): void {
    this.cancelTick = this.clock.setTimer(() => {
      this.cancelTick = null;
      if (this.st.state !== 'streaming') return;
      this.pump();
      if (this.st.state === 'streaming') this.tick();
    }, this.tickMs);
  }

  /**
   * Sends what is due: queued frames up to leadMs ahead of real time; when the queue is empty and
   * the stream has fallen gapMs behind real time, silent frames up to leadMs ahead until input
   * returns. "Icecast drops a source that sends nothing for source-timeout, 10 s by default."
   */
  private pump(): void {
    const socket = this.socket;
    if (!socket || this.st.state !== 'streaming') return;
    const now = this.clock.now();
    if (this.blockedSince !== null) {
      if (now - this.blockedSince > this.stallMs) {
        socket.destroy(); // 'close' → backoff
        this.onFail(
          new SourceError('network', `write stalled for ${this.stallMs} ms`),
          now - this.connectedAt,
        );
      }
      return;
    }
    const out: Uint8Array[] = [];
    const horizon = now + this.leadMs;
    if (this.queue.length) this.silent = false;
    else if (!this.silent && this.sentUntil < now - this.gapMs) {
      this.silent = true;
      this.sentUntil = now - this.gapMs;
    }
    while (this.queue.length && this.sentUntil < horizon) {
      const f = this.queue.shift();
      if (!f) break;
      this.queueMs -= f.durationMs;
      out.push(f.bytes);
      this.sentUntil = Math.max(this.sentUntil, now - this.gapMs) + f.durationMs;
      this.st.audioSec += f.durationMs / 1000;
    }
    if (this.silent && this.silence) {
      while (this.sentUntil < horizon) {
        out.push(this.silence.bytes);
        this.sentUntil += this.silence.durationMs;
        this.st.silenceSec += this.silence.durationMs / 1000;
      }
    }
    if (out.length === 0) return;
    const bytes = Buffer.concat(out);
    this.st.bytesSent += bytes.length;
    if (!socket.write(bytes)) this.blockedSince = now;
  }

  // ---- title -------------------------------------------------------------------------------

  private scheduleTitle(delayMs: number): void {
    this.cancelTitle?.();
    this.cancelTitle = this.clock.setTimer(() => {
      this.cancelTitle = null;
      void this.sendTitle(3);
    }, delayMs);
  }

  /** GET /admin/metadata with the title (IDLE_TITLE when quiet); retried a few times. */
  private async sendTitle(tries: number): Promise<void> {
    if (this.st.state !== 'streaming') return;
    const song = this.wantTitle ?? IDLE_TITLE;
    const r = await updateTitle(this.spec, song);
    if (this.st.state !== 'streaming') return;
    if (r.ok) {
      this.st.title = song;
      this.loggedTitleError = null;
      return;
    }
    // Source credentials may set the title only from the source's own address (Icecast admin.c
    // same_ip check); a server that refuses says so once per distinct answer.
    if (tries === 1 && r.message !== this.loggedTitleError) {
      this.log.warn(`${this.spec.mount}: Icecast refused the title update: ${r.message}`);
      this.loggedTitleError = r.message;
    } else {
      this.log.debug(`${this.spec.mount}: title update refused: ${r.message}`);
    }
    if (tries > 1 && (this.wantTitle ?? IDLE_TITLE) === song) {
      this.cancelTitle = this.clock.setTimer(() => {
        this.cancelTitle = null;
        void this.sendTitle(tries - 1);
      }, 2_000);
    }
  }

  // ---- state -------------------------------------------------------------------------------

  private setState(state: RelayState): void {
    if (this.st.state === state) return;
    this.st.state = state;
    this.st.since = new Date(this.clock.now()).toISOString();
  }
}
