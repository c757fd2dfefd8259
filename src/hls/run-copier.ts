// src/hls/run-copier.ts: RunCopier: copies kept packets into the segment buffer in contiguous runs, carrying continuity counters on after a re-packetised PES.
import { PACKET_SIZE } from '../ts/packet.js';
import type { SegmentBuffer } from '../ts/segment-buffer.js';

/**
 * Packets that are kept as they came are gathered into runs of adjacent packets of one input
 * buffer and copied with one call per run (copying per packet costs about 3× as much). When a PES
 * was split into more or fewer packets than it had, later packets on its PID get their counter
 * shifted by the difference, so each PID's counter stays continuous.
 */
export class RunCopier {
  private buf: Uint8Array | null = null;
  private start = 0;
  private end = 0;
  private readonly shift = new Uint8Array(8192);
  private shiftedPids = 0;

  constructor(private readonly seg: SegmentBuffer) {}

  /** Adds the packet at b[off] to the current run (flushing first if it does not adjoin it). */
  extend(b: Uint8Array, off: number): void {
    if (this.buf === b && this.end === off) {
      this.end += PACKET_SIZE;
      return;
    }
    this.flush();
    this.buf = b;
    this.start = off;
    this.end = off + PACKET_SIZE;
  }

  /** Copies the pending run, if any, into the segment buffer. */
  flush(): void {
    const b = this.buf;
    if (!b) return;
    this.buf = null;
    const at = this.seg.length;
    this.seg.append(b, this.start, this.end);
    if (this.shiftedPids === 0) return;
    for (let p = at; p < this.seg.length; p += PACKET_SIZE) {
      const pid = ((this.seg.byte(p + 1) & 0x1f) << 8) | this.seg.byte(p + 2);
      const shift = this.shift[pid];
      if (shift === 0) continue;
      const h = this.seg.byte(p + 3);
      this.seg.setByte(p + 3, (h & 0xf0) | (((h & 0x0f) + shift) & 0x0f));
    }
  }

  /** From now on, adds delta (mod 16) to the counter of every packet copied on pid. */
  addShift(pid: number, delta: number): void {
    const before = this.shift[pid];
    const after = (before + delta) & 0x0f;
    this.shift[pid] = after;
    if (before === 0 && after !== 0) this.shiftedPids++;
    if (before !== 0 && after === 0) this.shiftedPids--;
  }

  /** Forgets the shifts (a new publisher starts its own counters). */
  reset(): void {
    this.buf = null;
    this.shift.fill(0);
    this.shiftedPids = 0;
  }
}
