// src/ts/program.ts: ProgramTracker: PAT/PMT state for the one program we publish, acting on version changes only.
import { type AudioFraming } from './audio-frames.js';
import { PACKET_SIZE, payloadOffsetAt, STREAM_TYPE } from './packet.js';
import { type EsEntry, patPrograms, readPmt, readSection } from './psi.js';

/** The elementary stream whose timestamps drive the cuts: video if present, else the first audio. */
export interface TimingStream {
  pid: number;
  kind: 'video' | AudioFraming;
}

/** The program being published. */
export interface ProgramState {
  program: number;
  pmtPid: number;
  pcrPid: number;
  pmtVersion: number;
  streams: EsEntry[];
  timing: TimingStream | null;
  /** A copy of the PMT section, re-sent at the start of every segment. */
  pmtSection: Uint8Array;
  /** Short codec names, e.g. ['mp3'] or ['h264', 'aac']. */
  codecs: string[];
}

/** Outcome of feeding one PSI packet. */
export type PsiResult =
  | { kind: 'ignored' }
  | { kind: 'problem'; message: string }
  | { kind: 'pat'; pmtPidChanged: boolean }
  | { kind: 'pmt'; change: 'first' | 'streams' | 'same-streams' | 'none' };

const CODEC_NAMES: Record<number, string> = {
  [STREAM_TYPE.mpeg1Audio]: 'mp3',
  [STREAM_TYPE.mpeg2Audio]: 'mp3',
  [STREAM_TYPE.adts]: 'aac',
  [STREAM_TYPE.h264]: 'h264',
  [STREAM_TYPE.metadataPes]: 'id3',
};

/** Name of a stream type for logs and status. */
export function codecName(streamType: number): string {
  return CODEC_NAMES[streamType] ?? `0x${streamType.toString(16).padStart(2, '0')}`;
}

function chooseTiming(streams: EsEntry[]): TimingStream | null {
  const video = streams.find((s) => s.streamType === STREAM_TYPE.h264);
  if (video) return { pid: video.pid, kind: 'video' };
  for (const s of streams) {
    if (s.streamType === STREAM_TYPE.adts) return { pid: s.pid, kind: 'adts' };
    if (s.streamType === STREAM_TYPE.mpeg1Audio || s.streamType === STREAM_TYPE.mpeg2Audio) {
      return { pid: s.pid, kind: 'mpeg-audio' };
    }
  }
  return null;
}

function sameStreams(a: EsEntry[], b: EsEntry[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => s.pid === b[i].pid && s.streamType === b[i].streamType)
  );
}

/**
 * Whether the packet at b[off] has the bytes of cache from byte 4 (adaptation field, pointer
 * field, section) to the end of the section that starts in it; the whole packet when the section
 * does not end in it.
 */
function sameSection(cache: Uint8Array, b: Uint8Array, off: number): boolean {
  let end = PACKET_SIZE;
  const p = payloadOffsetAt(b, off);
  if (p < PACKET_SIZE) {
    const sec = p + 1 + b[off + p];
    if (sec + 3 <= PACKET_SIZE)
      end = Math.min(PACKET_SIZE, sec + 3 + (((b[off + sec + 1] & 0x0f) << 8) | b[off + sec + 2]));
  }
  for (let i = 4; i < end; i++) if (cache[i] !== b[off + i]) return false;
  return true;
}

/** Tracks PAT and PMT of the selected program (the first in the PAT, or the one asked for). */
export class ProgramTracker {
  /** PMT PID of the selected program, or -1 before a PAT. */
  pmtPid = -1;
  current: ProgramState | null = null;
  private patVersion = -1;
  private selected = -1;
  private readonly programPid = new Uint8Array(8192);
  // The last PAT and PMT packets seen (CC byte aside): encoders repeat them many times a second.
  private readonly lastPat = new Uint8Array(188);
  private readonly lastPmt = new Uint8Array(188);

  /**
   * True when the packet repeats the cached one from byte 4 up to the end of its section (the
   * stuffing after it carries nothing); otherwise caches it. A plain loop over the twenty-odd
   * bytes that matter: Buffer.compare's call cost more than the bytes did (perf, 10 h batch).
   */
  private static repeats(cache: Uint8Array, b: Uint8Array, off: number): boolean {
    if (sameSection(cache, b, off)) return true;
    cache.set(b.subarray(off, off + 188));
    return false;
  }

  constructor(private readonly wantedProgram: number | null) {}

  /** True for the PIDs of the published program's elementary streams and PCR. */
  isProgramPid(pid: number): boolean {
    return this.programPid[pid] === 1;
  }

  /** Feeds a PID-0 packet; acts only when the PAT version (or the selected program) changes. */
  onPat(b: Uint8Array, off: number): PsiResult {
    if (this.pmtPid >= 0 && ProgramTracker.repeats(this.lastPat, b, off))
      return { kind: 'ignored' };
    const s = readSection(b, off);
    if (s === 'not-start') return { kind: 'ignored' };
    if (typeof s === 'string') return { kind: 'problem', message: `PAT ${s}` };
    if (s.tableId !== 0 || !s.currentNext) return { kind: 'ignored' };
    if (s.version === this.patVersion && this.pmtPid >= 0) return { kind: 'ignored' };
    const programs = patPrograms(s);
    const pick =
      this.wantedProgram === null
        ? programs[0]
        : programs.find((p) => p.program === this.wantedProgram);
    if (!pick) {
      const listed = programs.map((p) => p.program).join(', ') || 'none';
      return {
        kind: 'problem',
        message: `program ${this.wantedProgram ?? '(first)'} not in PAT (programs: ${listed})`,
      };
    }
    this.patVersion = s.version;
    const changed = pick.pmtPid !== this.pmtPid || pick.program !== this.selected;
    this.pmtPid = pick.pmtPid;
    this.selected = pick.program;
    return { kind: 'pat', pmtPidChanged: changed };
  }

  /** Feeds a packet on the PMT PID; acts only on a new version. */
  onPmt(b: Uint8Array, off: number): PsiResult {
    // The cache holds packet bytes from 4 on, not the PID: a PMT that moved to another PID with
    // the same bytes is new to us.
    const samePid = this.current?.pmtPid === this.pmtPid;
    if (samePid && ProgramTracker.repeats(this.lastPmt, b, off)) return { kind: 'ignored' };
    const s = readSection(b, off);
    if (s === 'not-start') return { kind: 'ignored' };
    if (typeof s === 'string') return { kind: 'problem', message: `PMT ${s}` };
    if (s.tableId !== 0x02 || !s.currentNext || s.extension !== this.selected)
      return { kind: 'ignored' };
    const prev = this.current;
    if (prev && prev.pmtVersion === s.version && prev.pmtPid === this.pmtPid)
      return { kind: 'ignored' };
    const info = readPmt(s, b.subarray(off, off + 188));
    if (!info) return { kind: 'problem', message: 'PMT unreadable' };
    this.current = {
      program: info.program,
      pmtPid: this.pmtPid,
      pcrPid: info.pcrPid,
      pmtVersion: info.version,
      streams: info.streams,
      timing: chooseTiming(info.streams),
      // A copy: Buffer's slice() is a view, and batch mode reads the next chunk into the same buffer.
      pmtSection: new Uint8Array(s.bytes),
      codecs: info.streams.map((e) => codecName(e.streamType)),
    };
    this.programPid.fill(0);
    for (const e of info.streams) this.programPid[e.pid] = 1;
    if (info.pcrPid !== 0x1fff) this.programPid[info.pcrPid] = 1;
    if (!prev) return { kind: 'pmt', change: 'first' };
    return {
      kind: 'pmt',
      change: sameStreams(prev.streams, info.streams) ? 'same-streams' : 'streams',
    };
  }

  /** Forgets everything (a new publisher). */
  reset(): void {
    this.pmtPid = -1;
    this.current = null;
    this.patVersion = -1;
    this.selected = -1;
    this.programPid.fill(0);
    this.lastPat.fill(0);
    this.lastPmt.fill(0);
  }
}
