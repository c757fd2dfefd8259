// src/ts/section-packets.ts: SectionPackets: the PAT or PMT packet that starts each segment, built once per continuity counter instead of once per segment.
import { sectionPacket } from './psi.js';

/**
 * The 16 packets (one per continuity_counter value) that carry one section on one PID. A new PID
 * or section (compared by identity: the tracker makes a new one only for a new PMT version) starts
 * over. The packets returned are shared: callers copy them and never write into them.
 */
export class SectionPackets {
  private pid = -1;
  private section: Uint8Array | null = null;
  private readonly packets: (Uint8Array | undefined)[] = [];

  /** The packet carrying section on pid with counter cc (0-15). */
  get(pid: number, section: Uint8Array, cc: number): Uint8Array {
    if (pid !== this.pid || section !== this.section) {
      this.pid = pid;
      this.section = section;
      this.packets.length = 0;
    }
    const i = cc & 0x0f;
    return (this.packets[i] ??= sectionPacket(pid, section, i));
  }
}
