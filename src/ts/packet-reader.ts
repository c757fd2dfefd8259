// src/ts/packet-reader.ts: allocation-free 188-byte packet walk over arbitrary socket chunks, with 0x47 resync.
import { PACKET_SIZE, SYNC_BYTE } from './packet.js';

/** Receives each aligned packet as (buffer, offset); the view is only valid during the call. */
export type PacketVisitor = (b: Uint8Array, off: number) => void;

/**
 * Splits a byte stream into TS packets. A packet split across reads at any offset is joined in a
 * 188-byte carry buffer. Sync is a 0x47 with another 0x47 one packet later (or at the end of the
 * data seen so far); anything else is skipped and reported through onSkip.
 */
export class PacketReader {
  private readonly carry = new Uint8Array(PACKET_SIZE);
  private carryLen = 0;

  constructor(
    private readonly onPacket: PacketVisitor,
    private readonly onSkip: (bytes: number) => void,
  ) {}

  /** Bytes held back waiting for the rest of a packet. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Forgets a partial packet (e.g. when a publisher disconnects). */
  reset(): void {
    this.carryLen = 0;
  }

  /** Walks one chunk. */
  push(chunk: Uint8Array): void {
    let i = this.carryLen > 0 ? this.completeCarry(chunk) : 0;
    if (i < 0) return;
    const n = chunk.length;
    while (i < n) {
      if (
        chunk[i] === SYNC_BYTE &&
        (i + PACKET_SIZE >= n || chunk[i + PACKET_SIZE] === SYNC_BYTE)
      ) {
        if (i + PACKET_SIZE <= n) {
          this.onPacket(chunk, i);
          i += PACKET_SIZE;
          continue;
        }
        this.carry.set(chunk.subarray(i), 0);
        this.carryLen = n - i;
        return;
      }
      let j = i + 1;
      while (
        j < n &&
        !(chunk[j] === SYNC_BYTE && (j + PACKET_SIZE >= n || chunk[j + PACKET_SIZE] === SYNC_BYTE))
      ) {
        j++;
      }
      this.onSkip(j - i);
      i = j;
    }
  }

  /** Finishes the carried partial packet from chunk; returns where to go on in chunk, or -1 if all was taken. */
  private completeCarry(chunk: Uint8Array): number {
    const need = PACKET_SIZE - this.carryLen;
    if (chunk.length < need) {
      this.carry.set(chunk, this.carryLen);
      this.carryLen += chunk.length;
      return -1;
    }
    if (chunk.length > need && chunk[need] !== SYNC_BYTE) {
      // The carried bytes only looked like a packet start: drop them and resync in this chunk.
      this.onSkip(this.carryLen);
      this.carryLen = 0;
      return 0;
    }
    this.carry.set(chunk.subarray(0, need), this.carryLen);
    this.carryLen = 0;
    this.onPacket(this.carry, 0);
    return need;
  }
}
