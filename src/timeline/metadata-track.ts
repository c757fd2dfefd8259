// src/timeline/metadata-track.ts: MetadataTrack (pure): the timed ID3 the segmenter writes — tags queued at wall times, placed at their PTS, the current one repeated at each part start.
import type { ProgramState } from '../ts/program.js';
import { pickId3Pid, timedId3Packets, withTimedId3Stream } from './timed-id3.js';

/** The segmenter's wall clock ↔ PTS mapping (the one EXT-X-PROGRAM-DATE-TIME is written from). */
export interface ClockMapping {
  anchorTicks: number;
  anchorWallMs: number;
}

/** The program as published with the metadata stream: its PMT section and the stream's PID. */
export interface MetadataProgram {
  section: Uint8Array;
  pid: number;
}

interface QueuedTag {
  tag: Uint8Array;
  wallMs: number;
}

/**
 * Holds the scanner's tags for the segmenter. A tag added at wall time T belongs at the PTS the
 * clock mapping gives T (the audio that arrived at T); it is written before the first timing PES
 * at or after that PTS, with that PTS, never before the start of the part it lands in. A tag
 * whose time is not reached within maxHoldMs (an input running behind) goes out at once.
 */
export class MetadataTrack {
  private readonly queue: QueuedTag[] = [];
  private current: Uint8Array | null = null;
  private cc = 0;
  private readonly programs = new WeakMap<ProgramState, MetadataProgram | null>();

  constructor(private readonly maxHoldMs: number) {}

  /** Queues a tag for wall time wallMs (the newest wins once their times have come). */
  add(tag: Uint8Array, wallMs: number): void {
    this.queue.push({ tag, wallMs });
  }

  /** The program with the metadata stream added, or null when its PMT has no room for it. */
  program(p: ProgramState): MetadataProgram | null {
    const known = this.programs.get(p);
    if (known !== undefined) return known;
    const pid = pickId3Pid(p);
    const section = withTimedId3Stream(p.pmtSection, pid);
    const out = section && { section, pid };
    this.programs.set(p, out);
    return out;
  }

  /** The PTS a queued tag belongs at; -Infinity with no mapping (the input has not started). */
  private ptsOf(q: QueuedTag, map: ClockMapping | null): number {
    return map ? map.anchorTicks + (q.wallMs - map.anchorWallMs) * 90 : -Infinity;
  }

  private isDue(q: QueuedTag, atTicks: number, map: ClockMapping | null, nowMs: number): boolean {
    return this.ptsOf(q, map) <= atTicks || nowMs - q.wallMs >= this.maxHoldMs;
  }

  /**
   * The packets that start a part (or segment) at startTicks: the tags whose time has come are
   * taken, and the newest state is written at startTicks, so a player that joins here knows it.
   */
  partStart(
    pid: number,
    startTicks: number,
    map: ClockMapping | null,
    nowMs: number,
  ): Uint8Array | null {
    while (this.queue.length && this.isDue(this.queue[0], startTicks, map, nowMs)) {
      this.current = this.queue[0].tag;
      this.queue.shift();
    }
    if (!this.current) return null;
    return this.packets(pid, startTicks, this.current);
  }

  /**
   * The packets to write before the timing PES at ts, in the part that started at partStart:
   * each tag whose PTS is at most ts, at that PTS (clamped into [partStart, ts]).
   */
  beforePes(
    pid: number,
    ts: number,
    partStart: number,
    map: ClockMapping | null,
    nowMs: number,
  ): Uint8Array | null {
    const out: Uint8Array[] = [];
    while (this.queue.length && this.isDue(this.queue[0], ts, map, nowMs)) {
      const q = this.queue[0];
      this.queue.shift();
      const pts = Math.min(ts, Math.max(partStart, this.ptsOf(q, map)));
      out.push(this.packets(pid, pts, q.tag));
      this.current = q.tag;
    }
    if (out.length === 0) return null;
    if (out.length === 1) return out[0];
    return Buffer.concat(out);
  }

  private packets(pid: number, pts: number, tag: Uint8Array): Uint8Array {
    const { packets, nextCc } = timedId3Packets(pid, pts, tag, this.cc);
    this.cc = nextCc;
    return packets;
  }
}
