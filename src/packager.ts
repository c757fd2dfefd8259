// src/packager.ts: Packager, the live orchestrator: Segmenter → SegmentStore + LiveWindow → playlist (memory and store) → state file; GAPs, deletions.
import { EventEmitter } from 'node:events';
import type { Clock } from './clock.js';
import { errorMessage } from './errors.js';
import { GapWatch } from './gap-watch.js';
import type { GapSegment } from './hls/gap-planner.js';
import { GapMedia } from './hls/gap-media.js';
import { LiveWindow } from './hls/live-window.js';
import type { LowLatencyInfo, PartPosition, SkipRequest } from './hls/live-feed.js';
import {
  canSkipUntil,
  lowLatencyPlaylist,
  PART_LIST_TARGET_DURATIONS,
  withoutParts,
} from './hls/ll-playlist.js';
import type { DateRange, MediaPlaylist, MediaSegment, OpenSegment } from './hls/playlist.js';
import type { WindowState } from './hls/live-window.js';
import { renderMediaPlaylist } from './hls/render.js';
import {
  type CutPart,
  type CutSegment,
  Segmenter,
  type SegmenterEvent,
  type SegmenterStats,
} from './hls/segmenter.js';
import { LogThrottle } from './log-throttle.js';
import type { Logger } from './logger.js';
import { makeRunId, partUri, segmentUri } from './segment-names.js';
import type { SegmentStore } from './storage/segment-store.js';
import { readRestore } from './storage/restore.js';
import { SegmentReaper } from './storage/segment-reaper.js';
import type { StateFile } from './storage/state-file.js';
import type { Labelled } from './scanner/scanner-service.js';
import type { Transmission } from './scanner/transmission-log.js';
import { DateRangeBook } from './timeline/dateranges.js';
import { type SignalState, initialStatus, type StreamStatus } from './stream-status.js';

export interface PackagerOptions {
  stream: string;
  segmentDurationSec: number;
  targetDurationSec: number;
  window: number;
  program: number | null;
  /** LL-HLS part length wanted (seconds), or null for plain segments only. */
  partDurationSec?: number | null;
  store: SegmentStore;
  /** Where the window survives restarts; null keeps nothing (tests). */
  state: StateFile | null;
  clock: Clock;
  logger: Logger;
  /**
   * Replay and DVR (--retention): told of every segment listed, and given each segment that leaves
   * the window; when it keeps one (returns true) its file is the archive's to delete, else the
   * packager deletes it once its availability time has passed. Parts are always the packager's.
   */
  archive?: SegmentArchive | null;
  /**
   * The scanner's timeline (--scanner): timed ID3 in the segments (setScannerState) and an
   * EXT-X-DATERANGE per transmission (setTransmissions). Off, the output is as without a scanner.
   */
  scannerTimeline?: boolean;
}

/** A listed segment: what the live window holds for it, with its media sequence number. */
export type ListedSegment = Readonly<MediaSegment>;

/** Where segments go once the live window lets them go (src/calls or tests implement it). */
export interface SegmentArchive {
  /** A segment (real or GAP) is now in the live window; its file is whole in the store. */
  listed(seg: ListedSegment): void;
  /** It left the window; true when the archive keeps the file (and deletes it later itself). */
  evicted(seg: ListedSegment): boolean;
}

/** A segment that is whole in the store, before the playlist lists it. */
export interface SegmentWritten {
  name: string;
  /** Absolute path of the file in the served directory; null for a store in memory. */
  path: string | null;
  bytes: number;
  durationSec: number;
}

/** The live playlist after an update, in memory and on disk (written: false if the disk write failed). */
export interface PlaylistWritten {
  name: string;
  text: string;
  written: boolean;
  /** Time from the arrival of the chunk that completed the segment to this update (injected clock). */
  publishLatencyMs: number;
}

/** Media as it is cut, before any disk write ('media' event): parts with LL-HLS, else segments. */
export interface MediaCut {
  /** TS bytes, PAT+PMT first: the listener may keep them (never changed afterwards). */
  bytes: Uint8Array;
  /** First timestamp, unwrapped 90 kHz ticks. */
  startTicks: number;
  durationSec: number;
  /** The timeline broke just before this (a new encoder session, PMT change, timestamp jump). */
  discontinuity: boolean;
}

/**
 * Events: 'status' (StreamStatus) whenever something a listener sees changes;
 * 'segment-written', then 'playlist-written' once the playlist lists it, and 'segment-deleted'
 * when a segment's availability time has passed and its file is gone.
 */
export interface PackagerEvents {
  status: [StreamStatus];
  'segment-written': [SegmentWritten];
  'playlist-written': [PlaylistWritten];
  'segment-deleted': [{ name: string }];
  /** The served playlist changed (a part, a segment or a GAP): held LL-HLS requests may be answered. */
  publish: [];
  /** Every part (LL-HLS) or segment (plain HLS) as the segmenter cuts it: taps such as /live.mp3 and --relay. */
  media: [MediaCut];
}

/** The segment whose parts are being published (LL-HLS). */
interface OpenState extends OpenSegment {
  msn: number;
  /** A part could not be written: the rest of this segment's parts are not listed. */
  broken: boolean;
  /** GAP parts' silence, joined into the GAP segment's file when it closes. */
  gapBytes: Uint8Array[];
}

/** The date ranges a playlist lists, and what its v2 delta update carries (RFC 8216bis §6.2.5.1). */
interface DateRangeSnapshot {
  listed: readonly DateRange[];
  delta: { dateRanges: readonly DateRange[]; recentlyRemoved: readonly string[] };
}

const NO_DATE_RANGES: DateRangeSnapshot = {
  listed: [],
  delta: { dateRanges: [], recentlyRemoved: [] },
};

/** Silence after which the input counts as lost with LL-HLS: held requests must not time out (hls.js gives up after about 0.8 s). */
const LL_LOST_AFTER_SEC = 0.5;

/** Warnings of one code are logged at most once per this interval (the rest are counted). */
const WARN_INTERVAL_MS = 10_000;

/** Glues the pure segmenter and window to the disk; serialises all writes in arrival order. */
export class Packager extends EventEmitter<PackagerEvents> {
  private readonly segmenter: Segmenter;
  private window: LiveWindow;
  private readonly runId: string;
  private plainText: string | null = null;
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  private joinPending = false;
  private lostPending = false;
  private readonly reaper: SegmentReaper;
  private readonly warnThrottle = new LogThrottle(WARN_INTERVAL_MS);
  private readonly status: StreamStatus;
  /** Live mode: input outages become EXT-X-GAP segments (see gap-planner.ts for why). */
  private readonly gaps: GapWatch;
  /** The silence behind each GAP URI. */
  private readonly gapMedia = new GapMedia();
  /** LL-HLS: the playlist served from memory (the store holds the plain one), and its state. */
  private llText: string | null = null;
  /** The date ranges as of the last LL publish (its full playlist and delta updates agree). */
  private rangeSnapshot: DateRangeSnapshot = NO_DATE_RANGES;
  /** Delta updates, rendered on demand once per publish: _HLS_skip=YES, and v2. */
  private deltaTexts: { YES?: string; v2?: string } = {};
  private open: OpenState | null = null;
  private lastPart: PartPosition | null = null;
  private hint: string | null = null;
  /**
   * The position and hint of what is being published, made public together with the playlist
   * that lists it (a held request woken early would get a playlist without its part).
   */
  private readonly staged: { position?: PartPosition; hint?: string | null } = {};
  private lastInputMs = 0;
  /** EXT-X-DATERANGE per transmission (scannerTimeline). */
  private readonly dateRanges = new DateRangeBook();

  constructor(private readonly opts: PackagerOptions) {
    super();
    this.segmenter = new Segmenter(
      {
        segmentDurationSec: opts.segmentDurationSec,
        targetDurationSec: opts.targetDurationSec,
        program: opts.program,
        partDurationSec: opts.partDurationSec ?? null,
        timedMetadata: opts.scannerTimeline ?? false,
      },
      (e) => this.onSegmenterEvent(e),
    );
    this.window = this.newWindow(null);
    this.reaper = new SegmentReaper(opts.store, opts.clock, opts.logger, (name) =>
      this.emit('segment-deleted', { name }),
    );
    const step = { stepSec: opts.segmentDurationSec, lostAfterSec: opts.segmentDurationSec };
    this.gaps = new GapWatch(step, opts.window, opts.clock, {
      lost: (now) => this.onInputLost(now),
      gap: (g) =>
        this.enqueue(() => (this.lastPart !== null ? this.publishGapPart(g) : this.publishGap(g))),
      resumed: () => this.onInputResumed(),
      // Writes still queued: the source may be paused by our backpressure, not silent.
      busy: () => this.queued > 0,
    });
    this.runId = makeRunId(opts.clock.now());
    this.status = initialStatus(opts.stream, opts.targetDurationSec);
  }

  private newWindow(restored: ReturnType<LiveWindow['snapshot']> | null): LiveWindow {
    const { window: size, targetDurationSec } = this.opts;
    return new LiveWindow({ size, targetDurationSec }, restored);
  }

  private get playlistName(): string {
    return `${this.opts.stream}.m3u8`;
  }

  /** Prepares the directory and picks up the previous run's window and pending deletions. */
  async init(): Promise<void> {
    const { store, state, stream, targetDurationSec, logger, clock } = this.opts;
    const r = await readRestore(store, state, stream, targetDurationSec, logger);
    if (r.partTargetSec !== null && this.opts.partDurationSec) this.fixPartTarget(r.partTargetSec);
    for (const p of r.pendingDeletes)
      this.reaper.schedule(p.uri, Math.max(0, p.deleteAtMs - clock.now()));
    for (const f of r.strays) this.reaper.schedule(f, this.availabilityMs());
    if (!r.window) return;
    this.window = this.newWindow(r.window);
    // A restart always breaks the media timeline (RFC 8216bis §4.4.4.3).
    this.joinPending = true;
    this.status.mediaSequence = this.window.listed.at(-1)?.msn ?? null;
    if (this.window.listed.length)
      this.plainText = renderMediaPlaylist(
        this.withDateRanges(withoutParts(this.window.toPlaylist('live'))),
      );
    // The file on disk may list what the plan dropped (or lag a killed run): nginx serves the same.
    await this.writePlaylistFile(this.plainText);
  }

  /** How long a segment stays downloadable after it left the playlist (RFC 8216 §6.2.2, conservatively). */
  private availabilityMs(): number {
    // RFC 8216 §6.2.2: available for (segment duration + longest playlist duration) after removal.
    // We keep (window + 2) target durations, which covers both terms.
    return (this.opts.window + 2) * this.opts.targetDurationSec * 1000;
  }

  /** The live playlist text served from memory (LL-HLS when on); null before the first segment. */
  playlistText(): string | null {
    return this.llText ?? this.plainText;
  }

  /** LiveFeed: the LL settings, once the PART-TARGET is fixed. */
  lowLatency(): LowLatencyInfo | null {
    const pt = this.segmenter.partTargetSec;
    if (!this.opts.partDurationSec || pt === null) return null;
    const td = this.opts.targetDurationSec;
    return { partTargetSec: pt, targetDurationSec: td, canSkipUntilSec: canSkipUntil(td) };
  }

  /** LiveFeed: the newest published part. */
  position(): PartPosition | null {
    return this.lastPart;
  }

  /** LiveFeed: the full playlist, or a delta update (rendered once per publish, on demand). */
  playlist(skip: SkipRequest): string | null {
    if (skip === 'no' || this.llText === null) return this.playlistText();
    // Without date ranges a v2 update skips nothing more than YES does.
    const kind = this.opts.scannerTimeline ? skip : 'YES';
    return (this.deltaTexts[kind] ??= this.renderLowLatency(kind));
  }

  /** LiveFeed: the EXT-X-PRELOAD-HINT URI. */
  preloadHint(): string | null {
    return this.llText === null ? null : this.hint;
  }

  /** LiveFeed: fn runs after every playlist update; returns the unsubscribe. */
  onPublish(fn: () => void): () => void {
    this.on('publish', fn);
    return () => this.off('publish', fn);
  }

  /**
   * The scanner's state as an ID3 tag, from wall time wallMs on (scanner-feed.ts): it goes into
   * the stream at the media time wallMs maps to, and is repeated at the start of every part.
   */
  setScannerState(tag: Uint8Array, wallMs: number): void {
    this.segmenter.addTimedMetadata(tag, wallMs);
  }

  /** The scanner's transmission log, newest first: each is an EXT-X-DATERANGE from the next update. */
  setTransmissions(transmissions: readonly Labelled<Transmission>[]): void {
    if (this.opts.scannerTimeline) this.dateRanges.update(transmissions, this.opts.clock.now());
  }

  /**
   * The playlist with its EXT-X-DATERANGE tags: every transmission that reaches into its span
   * (or starts after it). §4.4.5.1: a playlist with one "MUST also contain at least one
   * EXT-X-PROGRAM-DATE-TIME tag"; every segment we list has one.
   */
  private withDateRanges(pl: MediaPlaylist, listed?: readonly DateRange[]): MediaPlaylist {
    const dateRanges = listed ?? this.takeDateRanges(pl).listed;
    return dateRanges.length ? { ...pl, dateRanges } : pl;
  }

  /** The date ranges of the playlist pl now, and what a v2 delta update of it carries. */
  private takeDateRanges(pl: MediaPlaylist): DateRangeSnapshot {
    const first = pl.segments[0];
    if (!this.opts.scannerTimeline || !first) return NO_DATE_RANGES;
    const skipUntilSec = canSkipUntil(this.opts.targetDurationSec);
    const now = this.opts.clock.now();
    this.dateRanges.prune(first.programDateTimeMs, now, skipUntilSec * 1000);
    return { listed: this.dateRanges.listed(), delta: this.dateRanges.delta(now, skipUntilSec) };
  }

  /** Input counters since start (bytes, packets, CC errors, resyncs...). */
  inputStats(): Readonly<SegmenterStats> {
    return { ...this.segmenter.stats };
  }

  /** A copy of the current status. */
  getStatus(): StreamStatus {
    const st = this.segmenter.stats;
    const input = {
      bytes: st.bytes,
      ccErrors: st.ccErrors,
      resyncs: st.resyncs,
      skippedBytes: st.skippedBytes,
    };
    return { ...structuredClone(this.status), input };
  }

  /** A new publisher: its first segment is marked with EXT-X-DISCONTINUITY if segments are listed. */
  startSession(remote: string): void {
    // The previous publisher's last segment may still be on its way to the playlist.
    this.queueDiscontinuity(() => this.window.listed.length > 0);
    this.status.ingest = {
      connected: true,
      remote,
      since: new Date(this.opts.clock.now()).toISOString(),
    };
    this.emit('status', this.getStatus());
  }

  /** Feeds bytes from the publisher. */
  push(chunk: Uint8Array): void {
    this.lastInputMs = this.opts.clock.now();
    this.gaps.input();
    this.setSignal('receiving');
    this.segmenter.push(chunk, this.opts.clock.now());
  }

  /** The publisher went away: publish the partial segment. Resolves once it is on disk and listed. */
  async endSession(): Promise<void> {
    this.segmenter.end(this.opts.clock.now());
    this.status.ingest = { ...this.status.ingest, connected: false };
    this.emit('status', this.getStatus());
    await this.idle();
  }

  /** Writes waiting to finish (a stream source stops reading while this is high). */
  get backlog(): number {
    return this.queued;
  }

  /** Resolves when every queued write is done. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Segment bytes are only valid during this call: they are copied for the async write. */
  private onSegmenterEvent(e: SegmenterEvent): void {
    if (e.type === 'part') {
      const part = { ...e.part, bytes: e.part.bytes.slice() };
      if (this.lastPart === null && !this.open) this.fixPartTarget(part.partTargetSec);
      this.enqueue(() => this.publishPart(part));
      this.emit('media', {
        bytes: part.bytes,
        startTicks: part.startTicks,
        durationSec: part.durationSec,
        discontinuity: part.index === 0 && part.discontinuity,
      });
    } else if (e.type === 'segment') {
      const seg = { ...e.segment, bytes: e.segment.bytes.slice() };
      if (!this.opts.partDurationSec) {
        this.emit('media', {
          bytes: seg.bytes,
          startTicks: seg.startTicks,
          durationSec: seg.durationSec,
          discontinuity: seg.discontinuity,
        });
      }
      this.gaps.covered(seg.programDateTimeMs + seg.durationSec * 1000);
      this.gapMedia.onSegment(seg.bytes, seg.startTicks, seg.durationSec, this.segmenter.program);
      // Segment events fire synchronously inside push(): now is when the cutting chunk arrived.
      const arrivedMs = this.opts.clock.now();
      this.enqueue(() => this.publish(seg, arrivedMs));
    } else if (e.type === 'program') {
      this.opts.logger.info(`program ${e.program}: ${e.codecs.join(', ')}`);
      this.status.codecs = e.codecs;
    } else this.warnLimited(e.code, e.message);
  }

  private warnLimited(code: string, message: string): void {
    const line = this.warnThrottle.pass(code, message, this.opts.clock.now());
    if (line !== null) this.opts.logger.warn(line, { code });
  }

  private enqueue(job: () => Promise<void>): void {
    this.queued++;
    this.queue = this.queue.then(job).finally(() => {
      this.queued--;
    });
  }

  /** Live: write, then list, then write the playlist and state; in arrival order. */
  private async publish(seg: CutSegment, arrivedMs: number): Promise<void> {
    const { store, logger } = this.opts;
    const msn = this.window.nextMsn;
    const uri = segmentUri(this.opts.stream, this.runId, msn);
    try {
      await store.writeAtomic(uri, seg.bytes);
    } catch (e) {
      // Nothing is listed that is not whole on disk; the next segment marks the gap.
      logger.error(
        `could not write segment ${uri}: ${errorMessage(e)}; it is skipped and the playlist keeps its last good state`,
      );
      this.lostPending = true;
      await this.abandonOpen(seg.durationSec);
      return;
    }
    this.emit('segment-written', {
      name: uri,
      path: store.pathOf(uri),
      bytes: seg.bytes.length,
      durationSec: seg.durationSec,
    });
    const open = this.takeOpen(msn);
    const discontinuity = open
      ? open.discontinuity
      : seg.discontinuity || this.joinPending || this.lostPending;
    if (!open) {
      this.joinPending = false;
      this.lostPending = false;
    }
    this.list({
      uri,
      durationSec: seg.durationSec,
      discontinuity,
      programDateTimeMs: open?.programDateTimeMs ?? seg.programDateTimeMs,
      bytes: seg.bytes.length,
      ...(open && !open.broken && { parts: open.parts }),
    });
    this.status.segmentsPublished++;
    this.status.lastSegmentAt = new Date(this.opts.clock.now()).toISOString();
    this.status.bitrateKbps = Math.round((seg.bytes.length * 8) / seg.durationSec / 100) / 10;
    await this.writePlaylistAndState(arrivedMs);
    logger.debug(`published ${uri} (${seg.durationSec.toFixed(3)} s)`);
    this.emit('status', this.getStatus());
  }

  /** Lists a segment (real or GAP) in the window and schedules what slid out for deletion. */
  private list(entry: Omit<MediaSegment, 'msn'>): void {
    const { msn, evicted } = this.window.add(entry);
    const archive = this.opts.archive;
    archive?.listed({ ...entry, msn });
    for (const s of evicted) {
      if (archive?.evicted(s)) continue;
      this.reaper.schedule(s.uri, this.availabilityMs());
    }
    this.status.mediaSequence = msn;
  }

  /**
   * Makes the window public: first the state file, then the playlist in the store (nginx serves
   * it), then in memory (HTTP). In that order a kill at any moment leaves a state that covers all
   * that was served, and a file that covers all that memory served, so no listener sees a segment
   * numbered again or a sequence number go down (RFC 8216bis §6.2.2: they never decrease). A kill
   * in between only lists, after the restart, a segment that is whole but was not yet announced.
   */
  private async writePlaylistAndState(arrivedMs: number): Promise<void> {
    await this.saveState();
    const text = renderMediaPlaylist(
      this.withDateRanges(withoutParts(this.window.toPlaylist('live'))),
    );
    const written = await this.writePlaylistFile(text);
    this.plainText = text;
    this.publishLowLatency();
    this.emit('playlist-written', {
      name: this.playlistName,
      text,
      written,
      publishLatencyMs: this.opts.clock.now() - arrivedMs,
    });
  }

  /** Writes NAME.m3u8 to the store (null removes it); false, logged, when the write failed. */
  private async writePlaylistFile(text: string | null): Promise<boolean> {
    try {
      if (text === null) await this.opts.store.remove(this.playlistName);
      else await this.opts.store.writeAtomic(this.playlistName, text);
      return true;
    } catch (e) {
      this.opts.logger.error(
        `could not write ${this.playlistName}: ${errorMessage(e)}; HTTP keeps serving the current playlist from memory`,
      );
      return false;
    }
  }

  private async saveState(): Promise<void> {
    if (!this.opts.state) return;
    const pendingDeletes = this.reaper.pending();
    try {
      await this.opts.state.save({
        version: 1,
        stream: this.opts.stream,
        window: windowWithoutParts(this.window.snapshot()),
        pendingDeletes,
        ...(this.segmenter.partTargetSec !== null && {
          partTargetSec: this.segmenter.partTargetSec,
        }),
      });
    } catch (e) {
      this.opts.logger.error(`could not save state to ${this.opts.state.path}: ${errorMessage(e)}`);
    }
  }

  private setSignal(signal: SignalState): void {
    if (this.status.signal === signal) return;
    this.status.signal = signal;
    this.status.signalSince = new Date(this.opts.clock.now()).toISOString();
    this.emit('status', this.getStatus());
  }

  /** Input is back after an outage: the next segment starts with EXT-X-DISCONTINUITY. */
  private onInputResumed(): void {
    this.opts.logger.info('input is back; the next segment starts with a discontinuity');
    // A segment from before the outage may still be being written.
    this.queueDiscontinuity(() => true);
  }

  /**
   * Marks the next segment cut from now on with EXT-X-DISCONTINUITY (when wanted() holds then).
   * Queued behind the writes already waiting, so a segment from before the break cannot take it.
   */
  private queueDiscontinuity(wanted: () => boolean): void {
    this.enqueue(() => {
      if (wanted()) this.joinPending = true;
      return Promise.resolve();
    });
  }

  /** No input for a whole segment: publish what was received and list GAP segments from now on. */
  private onInputLost(now: number): void {
    const silent = ((now - this.lastInputMs) / 1000).toFixed(1);
    this.opts.logger.warn(`no input for ${silent} s; listing EXT-X-GAP media until it returns`);
    // The open segment is published; the same encoder's next bytes start a new one (and the
    // playlist marks it), without waiting for its next PAT and PMT.
    this.segmenter.flush(now);
    this.setSignal('no-signal');
  }

  /** Writes one GAP segment's silence (for players that load every URI), then lists it with EXT-X-GAP. */
  private async publishGap(g: GapSegment): Promise<void> {
    const uri = segmentUri(this.opts.stream, this.runId, this.window.nextMsn, true);
    const media = this.gapMedia.next(g.durationSec);
    try {
      await this.opts.store.writeAtomic(uri, media.bytes);
    } catch (e) {
      this.opts.logger.error(
        `could not write GAP segment ${uri}: ${errorMessage(e)}; it is skipped and the playlist keeps its last good state`,
      );
      this.lostPending = true;
      return;
    }
    this.emit('segment-written', {
      name: uri,
      path: this.opts.store.pathOf(uri),
      bytes: media.bytes.length,
      durationSec: media.durationSec,
    });
    this.list({
      uri,
      durationSec: media.durationSec,
      discontinuity: false,
      programDateTimeMs: g.programDateTimeMs,
      gap: true,
      bytes: media.bytes.length,
    });
    await this.writePlaylistAndState(this.opts.clock.now());
    this.emit('status', this.getStatus());
  }

  /** Fixes the PART-TARGET (first part, or the previous run's) and moves GAPs to part steps. */
  private fixPartTarget(pt: number): void {
    if (this.segmenter.partTargetSec === null) this.segmenter.setPartTarget(pt);
    const fixed = this.segmenter.partTargetSec ?? pt;
    const { segmentDurationSec, window } = this.opts;
    // Held blocking requests must see a new part before hls.js gives up on them (about 0.8 s).
    const lostAfter = Math.min(segmentDurationSec, Math.max(LL_LOST_AFTER_SEC, 2.5 * fixed));
    const perSegment = Math.ceil(segmentDurationSec / fixed);
    this.gaps.retune(fixed, lostAfter, segmentDurationSec, window * perSegment);
  }

  /** How long a part file stays after its segment completed: listed 3 target durations, then 3 more (RFC 8216bis §6.2.2). */
  private partKeepMs(): number {
    return (2 * PART_LIST_TARGET_DURATIONS + 1) * this.opts.targetDurationSec * 1000;
  }

  /**
   * A segment whose parts are about to be listed. Media takes a queued discontinuity; a GAP
   * segment leaves it for the media after the outage (as publishGap does).
   */
  private openSegment(discontinuity: boolean, programDateTimeMs: number, gap: boolean): OpenState {
    const d = !gap && (discontinuity || this.joinPending || this.lostPending);
    if (!gap) {
      this.joinPending = false;
      this.lostPending = false;
    }
    const msn = this.window.nextMsn;
    return {
      msn,
      discontinuity: d,
      programDateTimeMs,
      gap,
      parts: [],
      broken: false,
      gapBytes: [],
    };
  }

  /** LL-HLS: writes one part, lists it in the open segment and wakes held requests. */
  private async publishPart(part: CutPart): Promise<void> {
    // The input is back while a GAP segment is open: it ends here, and the media gets its own.
    if (this.open?.gap) await this.closeGapSegment();
    this.open ??= this.openSegment(part.discontinuity, part.segmentProgramDateTimeMs, false);
    const open = this.open;
    if (open.broken) return;
    const uri = partUri(this.opts.stream, this.runId, open.msn, part.index);
    if (part.index !== open.parts.length || !(await this.writePart(uri, part.bytes))) {
      // Parts are listed in order or not at all; the whole segment still comes.
      open.broken = true;
      this.staged.hint = null;
      return this.publishLowLatency();
    }
    open.parts.push({ uri, durationSec: part.durationSec, independent: part.independent });
    this.staged.position = { msn: open.msn, part: part.index };
    this.staged.hint = partUri(this.opts.stream, this.runId, open.msn, part.index + 1);
    // The last part is listed with its whole segment, which comes next: one update, not two.
    if (!part.final) this.publishLowLatency();
  }

  private async writePart(uri: string, bytes: Uint8Array): Promise<boolean> {
    try {
      await this.opts.store.writeAtomic(uri, bytes);
      return true;
    } catch (e) {
      this.opts.logger.error(
        `could not write part ${uri}: ${errorMessage(e)}; the rest of its segment is listed without parts`,
      );
      return false;
    }
  }

  /** The open segment's state when segment msn completes (its parts go into the window). */
  private takeOpen(msn: number): OpenState | null {
    const open = this.open;
    this.open = null;
    if (!this.opts.partDurationSec) return null;
    this.staged.hint = partUri(this.opts.stream, this.runId, msn + 1, 0);
    if (!open || open.msn !== msn || open.gap) return null;
    for (const p of open.parts) this.reaper.schedule(p.uri, this.partKeepMs());
    return open;
  }

  /**
   * The segment whose parts were listed could not be written: it is listed as EXT-X-GAP so its
   * sequence number is not given to other media (a listener saw its parts under that number).
   */
  private async abandonOpen(durationSec: number): Promise<void> {
    const open = this.takeOpen(this.window.nextMsn);
    if (!open || open.parts.length === 0) return;
    this.list({
      uri: segmentUri(this.opts.stream, this.runId, open.msn),
      durationSec,
      discontinuity: open.discontinuity,
      programDateTimeMs: open.programDateTimeMs,
      gap: true,
    });
    await this.writePlaylistAndState(this.opts.clock.now());
  }

  /** LL-HLS during an outage: one GAP part (silence behind it), in a GAP segment closed at the segment length. */
  private async publishGapPart(g: GapSegment): Promise<void> {
    this.open ??= this.openSegment(false, g.programDateTimeMs, true);
    const open = this.open;
    const index = open.parts.length;
    const uri = partUri(this.opts.stream, this.runId, open.msn, index);
    const media = this.gapMedia.next(g.durationSec, 'at-most');
    if (!open.broken && (await this.writePart(uri, media.bytes))) {
      open.parts.push({ uri, durationSec: g.durationSec, independent: true, gap: true });
      open.gapBytes.push(media.bytes);
      this.staged.position = { msn: open.msn, part: index };
    } else open.broken = true;
    const total = open.parts.reduce((t, p) => t + p.durationSec, 0);
    if (total >= this.opts.segmentDurationSec - 1e-6 || open.broken) return this.closeGapSegment();
    this.staged.hint = partUri(this.opts.stream, this.runId, open.msn, index + 1);
    this.publishLowLatency();
  }

  /** Lists the open GAP segment: its parts' silence joined is the file behind its URI. */
  private async closeGapSegment(): Promise<void> {
    const open = this.open;
    if (!open?.gap) return;
    this.open = null;
    const uri = segmentUri(this.opts.stream, this.runId, open.msn, true);
    const bytes = Buffer.concat(open.gapBytes);
    const durationSec = open.parts.reduce((t, p) => t + p.durationSec, 0);
    if (durationSec <= 0) return;
    try {
      await this.opts.store.writeAtomic(uri, bytes);
      this.emit('segment-written', {
        name: uri,
        path: this.opts.store.pathOf(uri),
        bytes: bytes.length,
        durationSec,
      });
    } catch (e) {
      // A GAP URI is not to be loaded (RFC 8216bis §4.4.4.7): it is listed all the same.
      this.opts.logger.error(`could not write GAP segment ${uri}: ${errorMessage(e)}`);
    }
    for (const p of open.parts) this.reaper.schedule(p.uri, this.partKeepMs());
    this.list({
      uri,
      durationSec,
      discontinuity: open.discontinuity,
      programDateTimeMs: open.programDateTimeMs,
      gap: true,
      bytes: bytes.length,
      ...(!open.broken && { parts: open.parts }),
    });
    this.staged.hint = partUri(this.opts.stream, this.runId, open.msn + 1, 0);
    await this.writePlaylistAndState(this.opts.clock.now());
    this.emit('status', this.getStatus());
  }

  /** Renders the LL-HLS playlist (full; the delta on demand) and wakes held requests. */
  private publishLowLatency(): void {
    if (this.staged.position) this.lastPart = this.staged.position;
    if (this.staged.hint !== undefined) this.hint = this.staged.hint;
    delete this.staged.position;
    delete this.staged.hint;
    if (this.opts.partDurationSec && this.segmenter.partTargetSec !== null) {
      // The full playlist and its delta updates show one state of the date ranges.
      this.rangeSnapshot = this.takeDateRanges(this.window.toPlaylist('live'));
      this.llText = this.renderLowLatency('no');
      this.deltaTexts = {};
    }
    this.emit('publish');
  }

  private renderLowLatency(skip: SkipRequest): string {
    const open = this.open && !this.open.broken ? this.open : null;
    const timeline = this.opts.scannerTimeline ?? false;
    const ranges = this.rangeSnapshot;
    const model = lowLatencyPlaylist(
      this.withDateRanges(this.window.toPlaylist('live'), ranges.listed),
      {
        ...(timeline && { canSkipDateRanges: true }),
        dateRangeDelta: skip === 'v2' && timeline ? ranges.delta : null,
        partTargetSec: this.segmenter.partTargetSec ?? 0,
        open: open && {
          discontinuity: open.discontinuity,
          programDateTimeMs: open.programDateTimeMs,
          parts: open.parts,
          ...(open.gap && { gap: true }),
        },
        preloadHint: this.hint,
      },
      skip !== 'no',
    );
    return renderMediaPlaylist(model);
  }

  /** Shutdown: waits for writes, saves state (pending deletions included), cancels timers. */
  async close(): Promise<void> {
    this.gaps.close();
    await this.idle();
    await this.saveState();
    this.reaper.cancelAll();
  }
}

/** The window as saved: parts are not restored (a restart begins a new timeline anyway). */
function windowWithoutParts(w: WindowState): WindowState {
  return { ...w, segments: w.segments.map(({ parts: _parts, ...s }) => s) };
}
