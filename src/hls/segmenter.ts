// src/hls/segmenter.ts: Segmenter (pure): TS bytes in, complete .ts segments cut on a fixed PTS grid out.
import { parsePesTime, videoPacketContainsKeyFrame } from 'mux.js/cjs/m2ts/probe.js';
import {
  NULL_PID,
  PACKET_SIZE,
  PAT_PID,
  pidAt,
  pusiAt,
  randomAccessAt,
  teiAt,
} from '../ts/packet.js';
import { ContinuityChecker } from '../ts/continuity.js';
import { PacketReader } from '../ts/packet-reader.js';
import { ProgramTracker, type ProgramState } from '../ts/program.js';
import { buildPatSection } from '../ts/psi.js';
import { SectionPackets } from '../ts/section-packets.js';
import { SegmentBuffer } from '../ts/segment-buffer.js';
import { ptsDelta, TICKS } from '../ts/timestamps.js';
import { pesFrameTicks } from '../ts/pes-region.js';
import {
  pesFrameDuration,
  pesFrameLayout,
  planAudioCut,
  planPartCut,
  SplitBuffers,
  type SplitDecision,
} from './pes-split.js';
import { RunCopier } from './run-copier.js';
import { type ClockMapping, MetadataTrack } from '../timeline/metadata-track.js';

/** Settings the segmenter needs. */
export interface SegmenterOptions {
  /** Grid step in seconds: segment n starts at the first PTS + n × this. */
  segmentDurationSec: number;
  /** EXT-X-TARGETDURATION: no segment may round above it. */
  targetDurationSec: number;
  /** Program number to publish, or null for the first in the PAT. */
  program: number | null;
  /**
   * Low-Latency HLS: the wanted part length in seconds, or null for segments only. For audio the
   * PART-TARGET becomes the nearest whole number of frames (fixed at the first audio PES and kept
   * for the life of the segmenter); for video it is this value.
   */
  partDurationSec?: number | null;
  /**
   * Timed ID3 (addTimedMetadata): the published PMT gains a metadata stream (stream_type 0x15)
   * and every part starts with the current tag. Off (the default), the output is the input's
   * program as it was.
   */
  timedMetadata?: boolean;
}

/** A finished part of the open segment (Low-Latency HLS, RFC 8216bis §4.4.4.9). */
export interface CutPart {
  /** The part's bytes, PAT+PMT first: a view that is valid only during the onEvent call. */
  bytes: Uint8Array;
  /** 0-based index within its segment. */
  index: number;
  /** First timestamp, unwrapped 90 kHz ticks. */
  startTicks: number;
  /** Span up to the next part's first timestamp (EXT-X-PART DURATION), ≤ partTargetSec. */
  durationSec: number;
  /** Starts on a random access point (every audio part; video parts that start on a keyframe). */
  independent: boolean;
  /** EXT-X-PART-INF:PART-TARGET in force. */
  partTargetSec: number;
  /** The last part of its segment: the segment event follows at once. */
  final: boolean;
  /** The parent segment's EXT-X-DISCONTINUITY (rendered before its first part). */
  discontinuity: boolean;
  /** The parent segment's EXT-X-PROGRAM-DATE-TIME, ms since the epoch. */
  segmentProgramDateTimeMs: number;
}

/** A finished segment, ready to be written and listed. */
export interface CutSegment {
  /** The segment's bytes: a view that is valid only during the onEvent call (copy to keep it). */
  bytes: Uint8Array;
  /** First timing-stream DTS, unwrapped 90 kHz ticks. */
  startTicks: number;
  /** Measured span up to the next segment's first timestamp (EXTINF). */
  durationSec: number;
  /** True when the timeline broke before this segment (PMT change, timestamp jump). */
  discontinuity: boolean;
  /** Wall-clock time of the first sample (EXT-X-PROGRAM-DATE-TIME), ms since the epoch. */
  programDateTimeMs: number;
  codecs: string[];
}

/** Stable codes for what the segmenter reports about its input. */
export type WarningCode =
  | 'cc-error'
  | 'resync'
  | 'psi'
  | 'pts-jump'
  | 'pmt-change'
  | 'no-timing-stream'
  | 'gop-too-long'
  | 'transport-error'
  | 'part-overrun';

/** What push() and end() report, through onEvent, synchronously. */
export type SegmenterEvent =
  | { type: 'segment'; segment: CutSegment }
  | { type: 'part'; part: CutPart }
  | { type: 'warning'; code: WarningCode; message: string }
  | { type: 'program'; program: number; codecs: string[] };

/** Running counters (never reset). */
export interface SegmenterStats {
  bytes: number;
  packets: number;
  ccErrors: number;
  skippedBytes: number;
  resyncs: number;
  splits: number;
  segments: number;
}

/** A cut within 0.1 s after a grid point still counts as on that grid point. */
const GRID_TOLERANCE_TICKS = 0.1 * TICKS;

/**
 * Cuts a transport stream into segments. Copies packets in runs; drops PAT/PMT (each segment gets
 * a fresh PAT+PMT prefix), other programs, SDT and null packets. Cuts before a PES start of the
 * timing stream once its DTS reaches the next grid point; for audio, a PES that straddles the grid
 * point is split on the nearest frame boundary; for video, cuts wait for a random access point.
 */
export class Segmenter {
  readonly stats: SegmenterStats = {
    bytes: 0,
    packets: 0,
    ccErrors: 0,
    skippedBytes: 0,
    resyncs: 0,
    splits: 0,
    segments: 0,
  };
  private readonly reader = new PacketReader(
    (b, off) => this.onPacket(b, off),
    (n) => this.onSkip(n),
  );
  private readonly tracker: ProgramTracker;
  private readonly seg = new SegmentBuffer();
  private readonly gridTicks: number;
  private readonly jumpTicks: number;
  /** The longest segment whose EXTINF still rounds to at most the target duration. */
  private readonly maxSegmentTicks: number;
  private readonly continuity = new ContinuityChecker();
  private readonly runs = new RunCopier(this.seg);
  /** Where every split's head and tail are built (each is appended before the next split). */
  private readonly splits = new SplitBuffers(16 * 1024);
  private now = 0;
  // Output PSI counters.
  private patCc = 0;
  private pmtCc = 0;
  /** The PAT and PMT packets that start every segment and part, built once per counter value. */
  private readonly patOut = new SectionPackets();
  private readonly pmtOut = new SectionPackets();
  private pat: { program: number; pmtPid: number; section: Uint8Array } | null = null;
  // Segment state; open === false while waiting for the first timing PES start.
  private open = false;
  private discontinuityNext = false;
  private segStart = 0;
  private gridOrigin = 0;
  private nextCut = 0;
  private lastRaw = 0;
  private last = 0;
  private lastStep = 0;
  private pendingStart = 0;
  private anchorWallMs = 0;
  private anchorTicks = 0;
  private inSkip = false;
  private gopWarned = false;
  // Parts (null partTicks: not fixed yet, or parts off).
  private partTargetValue: number | null = null;
  private partTicks: number | null = null;
  private partByteStart = 0;
  private partStart = 0;
  private partIndex = 0;
  private partIndependent = true;
  /** The program of the open segment while it closes after a PMT change (the tracker has the new one). */
  private closing: ProgramState | null = null;
  /** Timed ID3, when on. */
  private readonly metadata: MetadataTrack | null;
  /** Bytes of PAT, PMT (and the current tag) that start the open segment, and the open part. */
  private segPrefix = 2 * PACKET_SIZE;
  private partPrefix = 2 * PACKET_SIZE;

  constructor(
    private readonly opts: SegmenterOptions,
    private readonly onEvent: (e: SegmenterEvent) => void,
  ) {
    this.tracker = new ProgramTracker(opts.program);
    this.gridTicks = opts.segmentDurationSec * TICKS;
    this.jumpTicks = Math.max(3, 1.5 * opts.segmentDurationSec) * TICKS;
    this.maxSegmentTicks = (opts.targetDurationSec + 0.5) * TICKS - 1;
    this.metadata = opts.timedMetadata
      ? new MetadataTrack(2000 * Math.max(1, opts.targetDurationSec))
      : null;
  }

  /**
   * Timed metadata (with timedMetadata on): an ID3 tag for what happened at wall time wallMs. It
   * goes in at the PTS that wallMs maps to on the clock EXT-X-PROGRAM-DATE-TIME is written from,
   * and is repeated at the start of every later part and segment until the next one.
   */
  addTimedMetadata(tag: Uint8Array, wallMs: number): void {
    this.metadata?.add(tag, wallMs);
  }

  /** The wall clock ↔ PTS mapping of the running timeline, or null before one starts. */
  private get clockMapping(): ClockMapping | null {
    if (!this.open) return null;
    return { anchorTicks: this.anchorTicks, anchorWallMs: this.anchorWallMs };
  }

  /** EXT-X-PART-INF:PART-TARGET in seconds once fixed; null before the first part or with parts off. */
  get partTargetSec(): number | null {
    return this.partTargetValue;
  }

  /** Fixes the PART-TARGET (a restart continues the stream with the one it had; §4.4.3.7). */
  setPartTarget(sec: number): void {
    this.partTargetValue = sec;
    this.partTicks = Math.round(sec * TICKS);
  }

  private get partsOn(): boolean {
    return this.opts.partDurationSec !== null && this.opts.partDurationSec !== undefined;
  }

  /** The program being published, if a PMT has been seen. */
  get program(): ProgramState | null {
    return this.tracker.current;
  }

  /** Feeds bytes received at wall time nowMs; what happens is reported through onEvent. */
  push(chunk: Uint8Array, nowMs: number): void {
    this.now = nowMs;
    this.stats.bytes += chunk.length;
    this.reader.push(chunk);
    this.runs.flush();
  }

  /**
   * The input paused (an outage while the publisher stays connected): publishes the open segment
   * as end() does, but keeps the program, so the same encoder's next bytes go on without waiting
   * for a PAT and PMT. The next segment starts a new timeline.
   */
  flush(nowMs: number): void {
    this.now = nowMs;
    this.runs.flush();
    if (this.open) this.closeSegment();
    this.open = false;
    this.discontinuityNext = true;
  }

  /**
   * Ends the input (publisher gone, file done, shutdown): publishes the open segment, measured up to
   * the end of its last PES, and forgets the program so the next publisher starts clean.
   */
  end(nowMs: number): void {
    this.now = nowMs;
    this.reader.end();
    this.runs.flush();
    if (this.open) this.closeSegment();
    this.open = false;
    this.discontinuityNext = false;
    this.tracker.reset();
    this.continuity.reset();
    this.runs.reset();
    this.inSkip = false;
    this.gopWarned = false;
  }

  private warn(code: WarningCode, message: string): void {
    this.onEvent({ type: 'warning', code, message });
  }

  private onSkip(n: number): void {
    this.stats.skippedBytes += n;
    if (!this.inSkip) {
      this.stats.resyncs++;
      this.warn('resync', `skipped ${n} bytes that are not MPEG-TS`);
    }
    this.inSkip = true;
  }

  private onPacket(b: Uint8Array, off: number): void {
    this.inSkip = false;
    this.stats.packets++;
    const pid = pidAt(b, off);
    if (pid === NULL_PID) return this.runs.flush();
    if (teiAt(b, off)) {
      this.warn(
        'transport-error',
        `packet on PID ${pid} flagged transport_error_indicator; dropped`,
      );
      return this.runs.flush();
    }
    this.checkCc(b, off, pid);
    if (pid === PAT_PID) return this.onPat(b, off);
    if (pid === this.tracker.pmtPid) return this.onPmt(b, off);
    if (!this.tracker.isProgramPid(pid)) return this.runs.flush();
    const timing = this.tracker.current?.timing;
    if (timing && pid === timing.pid && pusiAt(b, off)) {
      const t = parsePesTime(b.subarray(off, off + PACKET_SIZE));
      if (t) return this.onTimingStart(b, off, t.dts);
    }
    if (!this.open) return;
    this.runs.extend(b, off);
  }

  private checkCc(b: Uint8Array, off: number, pid: number): void {
    const lost = this.continuity.check(b, off, pid);
    if (lost === 0) return;
    this.stats.ccErrors++;
    this.warn('cc-error', `continuity error on PID ${pid}: about ${lost} packet(s) lost`);
  }

  private onPat(b: Uint8Array, off: number): void {
    this.runs.flush();
    const r = this.tracker.onPat(b, off);
    if (r.kind === 'problem') this.warn('psi', r.message);
  }

  private onPmt(b: Uint8Array, off: number): void {
    this.runs.flush();
    const prev = this.tracker.current;
    const r = this.tracker.onPmt(b, off);
    if (r.kind === 'problem') return this.warn('psi', r.message);
    if (r.kind !== 'pmt') return;
    const p = this.tracker.current;
    if (!p) return;
    this.onEvent({ type: 'program', program: p.program, codecs: p.codecs });
    if (!p.timing)
      this.warn(
        'no-timing-stream',
        `program ${p.program} has no H.264, AAC or MP3 stream (${p.codecs.join(', ')}); nothing to segment`,
      );
    if (r.change === 'streams' && this.open) {
      // RFC 8216bis §4.4.4.3: a DISCONTINUITY MUST precede a segment whose track set or format changes.
      this.warn(
        'pmt-change',
        `PMT version ${p.pmtVersion}: streams now ${p.codecs.join(', ')}; new segment with discontinuity`,
      );
      // The open segment ends as it began: its parts' PAT and PMT, its cuts, its codecs.
      this.closing = prev;
      this.closeSegment();
      this.closing = null;
      this.open = false;
      this.discontinuityNext = true;
    }
  }

  /** The program the open segment is made of. */
  private get segmentProgram(): ProgramState | null {
    return this.closing ?? this.tracker.current;
  }

  private onTimingStart(b: Uint8Array, off: number, raw: number): void {
    this.runs.flush();
    const timing = this.tracker.current?.timing;
    if (!timing) return;
    const video = timing.kind === 'video';
    // Asked only where a segment may start: the IDR search reads the packet's payload.
    const isRandomAccess = (): boolean =>
      !video ||
      randomAccessAt(b, off) ||
      videoPacketContainsKeyFrame(b.subarray(off, off + PACKET_SIZE));
    if (this.open) {
      const step = ptsDelta(raw, this.lastRaw);
      // RFC 8216bis §4.4.3.1: EXTINF rounded to an integer MUST be ≤ EXT-X-TARGETDURATION. A
      // forward step that would stretch the open segment past that (a hole left by lost or
      // reordered packets) is a timeline break like a jump: the segment ends with its last frame.
      const fits =
        this.last + step - this.segStart <= this.maxSegmentTicks &&
        (!video ||
          !this.partsOn ||
          this.partTicks === null ||
          this.last + step - this.partStart <= this.partTicks);
      if (step >= 0 && step <= this.jumpTicks && fits)
        return this.continueSegment(b, off, raw, step, isRandomAccess);
      return this.breakTimeline(b, off, raw, step, isRandomAccess);
    }
    this.startTimeline(b, off, raw, isRandomAccess);
  }

  /** The timeline broke before the PES at b[off]: the open segment ends, a new one starts with a discontinuity. */
  private breakTimeline(
    b: Uint8Array,
    off: number,
    raw: number,
    step: number,
    isRandomAccess: () => boolean = () => true,
  ): void {
    this.warn(
      'pts-jump',
      `timestamp jumped by ${(step / TICKS).toFixed(3)} s; new segment with discontinuity`,
    );
    this.closeSegment();
    this.open = false;
    this.discontinuityNext = true;
    this.startTimeline(b, off, raw, isRandomAccess);
  }

  private startTimeline(
    b: Uint8Array,
    off: number,
    raw: number,
    isRandomAccess: () => boolean,
  ): void {
    // A new timeline starts on a random access point; video before one is dropped.
    if (!isRandomAccess()) return;
    this.startSession(raw);
    this.openSegment(this.last);
    this.beginPes(b, off);
  }

  /** A timing PES start on the running timeline: cut here if its time has come. */
  private continueSegment(
    b: Uint8Array,
    off: number,
    raw: number,
    step: number,
    isRandomAccess: () => boolean,
  ): void {
    const timing = this.tracker.current?.timing;
    const ts = this.last + step;
    if (timing && timing.kind !== 'video' && this.partsOn) {
      if (!this.placeAudioCuts(ts, true)) return this.breakTimeline(b, off, raw, step);
    } else if (timing && ts >= this.nextCut) {
      if (timing.kind !== 'video') this.cutAudio(ts, timing.pid, timing.kind);
      else if (isRandomAccess()) this.cutHere(ts);
      else if (this.mustForceCut(ts, step)) {
        if (!this.gopWarned) {
          this.warn(
            'gop-too-long',
            `no keyframe within the ${this.opts.targetDurationSec} s target duration; cutting without one (set the encoder's keyframe interval to at most the segment duration)`,
          );
          this.gopWarned = true;
        }
        this.cutHere(ts);
      }
    }
    if (timing?.kind === 'video' && this.partsOn) this.placeVideoPart(ts, step, isRandomAccess);
    this.lastStep = step;
    this.lastRaw = raw;
    this.last = ts;
    this.writeDueMetadata(ts);
    this.beginPes(b, off);
  }

  /** True when adding one more frame would make the segment round above the target duration. */
  private mustForceCut(ts: number, step: number): boolean {
    return ts + step - this.segStart > this.maxSegmentTicks;
  }

  private startSession(raw: number): void {
    this.lastRaw = raw;
    this.last = raw;
    this.lastStep = 0;
    this.gridOrigin = raw;
    this.anchorTicks = raw;
    this.anchorWallMs = this.now;
  }

  private beginPes(b: Uint8Array, off: number): void {
    this.pendingStart = this.seg.length;
    this.runs.extend(b, off);
  }

  private openSegment(startTicks: number): void {
    const p = this.tracker.current;
    if (!p) return;
    this.open = true;
    this.segStart = startTicks;
    this.partByteStart = this.seg.length;
    this.partStart = startTicks;
    this.partIndex = 0;
    this.partIndependent = true;
    const k = Math.ceil((startTicks + GRID_TOLERANCE_TICKS - this.gridOrigin) / this.gridTicks);
    this.nextCut = this.gridOrigin + Math.max(1, k) * this.gridTicks;
    this.segPrefix = this.writePrefix(p, startTicks);
    this.partPrefix = this.segPrefix;
  }

  /**
   * PAT and PMT (with the metadata stream when timed metadata is on), then the current tag at
   * startTicks; returns the bytes written. RFC 8216 §3.2: each TS segment MUST contain a PAT and
   * a PMT, and they SHOULD be its first two packets.
   */
  private writePrefix(p: ProgramState, startTicks: number): number {
    const at = this.seg.length;
    const meta = this.metadata?.program(p) ?? null;
    this.seg.append(this.patOut.get(PAT_PID, this.patSection(p.program, p.pmtPid), this.patCc));
    this.seg.append(this.pmtOut.get(p.pmtPid, meta?.section ?? p.pmtSection, this.pmtCc));
    this.patCc = (this.patCc + 1) & 0x0f;
    this.pmtCc = (this.pmtCc + 1) & 0x0f;
    if (meta && this.metadata) {
      const tag = this.metadata.partStart(meta.pid, startTicks, this.clockMapping, this.now);
      if (tag) this.seg.append(tag);
    }
    return this.seg.length - at;
  }

  /** Our PAT section for the program (built again only when the program or its PMT PID changes). */
  private patSection(program: number, pmtPid: number): Uint8Array {
    const c = this.pat;
    if (c && c.program === program && c.pmtPid === pmtPid) return c.section;
    const section = buildPatSection(1, program, pmtPid);
    this.pat = { program, pmtPid, section };
    return section;
  }

  /** Tags whose time has come before the timing PES at ts (in the open part). */
  private writeDueMetadata(ts: number): void {
    const p = this.segmentProgram;
    const meta = p && this.metadata?.program(p);
    if (!meta || !this.metadata || !this.open) return;
    const tags = this.metadata.beforePes(meta.pid, ts, this.partStart, this.clockMapping, this.now);
    if (tags) this.seg.append(tags);
  }

  private emitSegment(endTicks: number): void {
    // A segment is its parts end to end: a final part that cannot be published (no media left, its
    // PES dropped; or no time, a damaged zero step) leaves its bytes out of the segment too.
    const emptyPart = this.seg.length <= this.partByteStart + this.partPrefix;
    const hadParts = this.partIndex > 0;
    if (this.partsOn && !this.emitPart(endTicks, true) && (emptyPart || hadParts))
      this.seg.truncate(this.partByteStart);
    const p = this.segmentProgram;
    const durationSec = Math.max(0, endTicks - this.segStart) / TICKS;
    const bytes = this.seg.view();
    this.seg.clear();
    if (bytes.length <= this.segPrefix || durationSec <= 0) return;
    this.stats.segments++;
    this.onEvent({
      type: 'segment',
      segment: {
        bytes,
        startTicks: this.segStart,
        durationSec,
        discontinuity: this.discontinuityNext,
        programDateTimeMs: this.anchorWallMs + (this.segStart - this.anchorTicks) / 90,
        codecs: p ? p.codecs : [],
      },
    });
    this.discontinuityNext = false;
  }

  /**
   * Ends the open segment with its last frame (a jump, a PMT change, the end of the input). A PES
   * whose start was lost or lied about can hold more than a segment of frames; it is split on the
   * grid as a cut would be, so no EXTINF rounds above the target (RFC 8216bis §4.4.3.1).
   */
  private closeSegment(): void {
    const timing = this.segmentProgram?.timing;
    let end = this.last + this.lastPesTicks();
    if (timing && timing.kind !== 'video' && this.partsOn) {
      // The last PES may hold more than a part (or a segment): cut it as the next PES start would.
      if (!this.placeAudioCuts(end, end - this.segStart > this.maxSegmentTicks)) end = this.last;
    } else if (timing && timing.kind !== 'video') {
      for (let i = 0; i < 64 && end - this.segStart > this.maxSegmentTicks; i++) {
        const start = this.segStart;
        this.cutAudio(end, timing.pid, timing.kind);
        if (this.segStart === start || this.segStart >= end) break;
        // What is left is one PES starting at the new segment's start, after its PAT and PMT.
        this.pendingStart = this.segPrefix;
        this.last = this.segStart;
      }
    }
    this.emitSegment(end);
  }

  /** Cuts before the PES start at ts (video on a keyframe, or audio on a PES boundary). */
  private cutHere(ts: number): void {
    this.emitSegment(ts);
    this.openSegment(ts);
  }

  /** Cuts audio on the frame boundary nearest the grid point, splitting the straddling PES if needed. */
  private cutAudio(ts: number, pid: number, framing: 'mpeg-audio' | 'adts'): void {
    const region = this.seg.view(this.pendingStart);
    const plan = planAudioCut(region, pid, framing, this.last, ts, this.nextCut, this.splits);
    if (plan.kind === 'after-pes') return this.cutHere(ts);
    if (plan.kind === 'before-pes') {
      const moved = region.slice();
      this.seg.truncate(this.pendingStart);
      this.emitSegment(this.last);
      this.openSegment(this.last);
      this.seg.append(moved);
      return;
    }
    // The split's head and tail are copies already: the PES's bytes in the buffer can go.
    this.seg.truncate(this.pendingStart);
    this.stats.splits++;
    this.seg.append(plan.head);
    this.emitSegment(plan.splitPts);
    this.openSegment(plan.splitPts);
    this.seg.append(plan.tail);
    if (plan.ccShift !== 0) this.runs.addShift(pid, plan.ccShift);
  }

  /** Publishes the open part, ending at endTicks, if it holds media. */
  private emitPart(endTicks: number, final = false): boolean {
    const bytes = this.seg.view(this.partByteStart);
    const durationSec = (endTicks - this.partStart) / TICKS;
    if (bytes.length <= this.partPrefix || durationSec <= 0 || this.partTargetValue === null)
      return false;
    this.onEvent({
      type: 'part',
      part: {
        bytes,
        index: this.partIndex,
        startTicks: this.partStart,
        durationSec,
        independent: this.partIndependent,
        partTargetSec: this.partTargetValue,
        final,
        discontinuity: this.discontinuityNext,
        segmentProgramDateTimeMs: this.anchorWallMs + (this.segStart - this.anchorTicks) / 90,
      },
    });
    this.partIndex++;
    return true;
  }

  /** Ends the open part at endTicks and starts the next one with its own PAT and PMT. */
  private cutPart(endTicks: number, independent: boolean): void {
    this.emitPart(endTicks);
    const p = this.segmentProgram;
    this.partByteStart = this.seg.length;
    this.partStart = endTicks;
    this.partIndependent = independent;
    // A part fetched on its own (a join in the middle of a segment) must be parseable: hls.js
    // keeps no PMT across a fresh start and drops a part without one.
    if (!p) return;
    this.partPrefix = this.writePrefix(p, endTicks);
  }

  /** Fixes the PART-TARGET from the first frames seen: the nearest whole number of frames. */
  private fixPartTarget(frameTicksValue: number | null): void {
    if (this.partTicks !== null) return;
    const wanted = this.opts.partDurationSec ?? 0;
    if (frameTicksValue === null) return this.setPartTarget(Math.ceil(wanted * 1000) / 1000);
    const frames = Math.max(1, Math.round((wanted * TICKS) / frameTicksValue));
    // Whole milliseconds, rounded up, so every part of that many frames fits.
    this.setPartTarget(Math.ceil((frames * frameTicksValue) / 90 - 1e-6) / 1000);
  }

  /**
   * Places the part cuts (and, when grid, the segment cut) in the timing PES that runs from
   * this.last to ts, whose packets start at pendingStart. Parts end on the last frame boundary
   * that keeps them within PART-TARGET; the segment cut goes on the frame nearest the grid point.
   * Returns false when a hole before ts would make a part longer than PART-TARGET.
   */
  private placeAudioCuts(ts: number, grid: boolean): boolean {
    const timing = this.segmentProgram?.timing;
    if (!timing || timing.kind === 'video') return true;
    const { pid, kind } = timing;
    this.fixPartTarget(pesFrameDuration(this.seg.view(this.pendingStart), pid, kind));
    const limitTicks = this.partTicks ?? Infinity;
    let cutGrid = grid;
    for (let guard = 0; guard < 4096; guard++) {
      const limit = this.partStart + limitTicks;
      if (cutGrid && ts >= this.nextCut) {
        const at = this.segmentCutAt(ts, pid, kind);
        if (at <= limit + 0.5) {
          const before = this.segStart;
          this.cutAudio(ts, pid, kind);
          if (this.segStart >= ts) return true;
          // What is left of the PES now starts the new segment, after its PAT and PMT.
          this.pendingStart = this.segPrefix;
          this.last = this.segStart;
          // A cut at the segment's own start made nothing: only part cuts are left for this PES.
          if (this.segStart === before) cutGrid = false;
          continue;
        }
      }
      if (ts - this.partStart <= limitTicks + 0.5) return true;
      const plan = planPartCut(
        this.seg.view(this.pendingStart),
        pid,
        kind,
        this.last,
        limit,
        this.splits,
      );
      if (!this.applyPartCut(plan, pid, kind)) return false;
    }
    return true;
  }

  /** Where the segment cut of cutAudio() would fall in the PES from this.last to ts (planAudioCut's rule). */
  private segmentCutAt(ts: number, pid: number, kind: 'mpeg-audio' | 'adts'): number {
    const f = pesFrameLayout(this.seg.view(this.pendingStart), pid, kind);
    if (f === null) return this.nextCut - this.last < ts - this.nextCut ? this.last : ts;
    const k = Math.round((this.nextCut - this.last) / f.frameTicks);
    if (k <= 0) return this.last;
    // After the last frame the cut is at the next PES start, past any hole before it.
    if (k >= f.frames) return ts;
    return this.last + Math.round(k * f.frameTicks);
  }

  /** Carries out a part cut inside the pending PES; false when no cut keeps the part within the target. */
  private applyPartCut(
    plan: SplitDecision | null,
    pid: number,
    kind: 'mpeg-audio' | 'adts',
  ): boolean {
    const region = this.seg.view(this.pendingStart);
    let decision: SplitDecision = plan ?? { kind: 'before-pes' };
    if (decision.kind === 'before-pes' && this.last <= this.partStart) {
      // An empty part cannot end: the first frame alone runs past the target, so it goes alone.
      const fd = pesFrameDuration(region, pid, kind);
      if (fd === null) return this.dropPendingPes();
      decision = planPartCut(region, pid, kind, this.last, this.last + fd, this.splits) ?? {
        kind: 'after-pes',
      };
    }
    if (decision.kind === 'after-pes') {
      // Every frame fits, yet the next PES starts past the target: a hole in the timestamps.
      if (this.last <= this.partStart) return false;
      decision = { kind: 'before-pes' };
    }
    const moved = region.slice();
    this.seg.truncate(this.pendingStart);
    if (decision.kind === 'before-pes') {
      this.cutPart(this.last, true);
      this.pendingStart = this.seg.length;
      this.seg.append(moved);
      return true;
    }
    this.stats.splits++;
    this.seg.append(decision.head);
    this.cutPart(decision.splitPts, true);
    this.pendingStart = this.seg.length;
    this.seg.append(decision.tail);
    if (decision.ccShift !== 0) this.runs.addShift(pid, decision.ccShift);
    this.last = decision.splitPts;
    return true;
  }

  /**
   * A PES that is not whole frames (damaged: a lost start, a lying length) and lasts longer than
   * PART-TARGET fits in no part: RFC 8216bis §4.4.4.9 allows none longer, and Apple refuses the
   * whole playlist for one. It is dropped, and the timeline breaks there.
   */
  private dropPendingPes(): false {
    this.warn(
      'part-overrun',
      'a PES that is not whole audio frames runs past PART-TARGET and cannot be cut into parts; dropped',
    );
    this.seg.truncate(this.pendingStart);
    this.lastStep = 0;
    return false;
  }

  /** Video: a part ends before the PES at ts when one more frame would take it past the target. */
  private placeVideoPart(ts: number, step: number, isRandomAccess: () => boolean): void {
    // Whole frames, as for audio: the nearest count to the asked length (29.97 fps: 6 frames, 0.201 s).
    if (this.partTicks === null && step > 0) this.fixPartTarget(step);
    const limit = this.partTicks ?? Infinity;
    if (ts <= this.partStart || ts - this.partStart + step <= limit) return;
    this.cutPart(ts, isRandomAccess());
  }

  /** Best estimate of the last timing PES's duration, for the end of the final segment. */
  private lastPesTicks(): number {
    const timing = this.segmentProgram?.timing;
    if (timing && timing.kind !== 'video') {
      const t = pesFrameTicks(this.seg.view(this.pendingStart), timing.pid, timing.kind);
      if (t !== null) return Math.round(t);
    }
    return this.lastStep;
  }
}
