// src/ts/continuity.ts: ContinuityChecker: continuity_counter checks per PID (ISO/IEC 13818-1 §2.4.3.3), counting lost packets.
import { ccAt, discontinuityAt, hasPayloadAt } from './packet.js';

/** Tracks the last continuity counter of every PID. */
export class ContinuityChecker {
  private readonly lastCc = new Int8Array(8192).fill(-1);

  /**
   * Checks the packet at b[off] on pid. Returns 0 when it follows on (or repeats once, or the
   * adaptation field flags a discontinuity), else how many packets went missing before it.
   */
  check(b: Uint8Array, off: number, pid: number): number {
    // §2.4.3.3: the counter only advances on packets that carry payload.
    if (!hasPayloadAt(b, off)) return 0;
    const cc = ccAt(b, off);
    const last = this.lastCc[pid];
    this.lastCc[pid] = cc;
    if (last < 0 || cc === last || discontinuityAt(b, off) || cc === ((last + 1) & 0x0f)) return 0;
    return (cc - last - 1 + 16) % 16;
  }

  /** Forgets every PID (a new publisher). */
  reset(): void {
    this.lastCc.fill(-1);
  }
}
