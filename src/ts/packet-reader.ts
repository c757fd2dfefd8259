// src/ts/packet-reader.ts: the 188-byte packet walk over arbitrary reads; the same packets come out however the bytes are split.
import { PACKET_SIZE, SYNC_BYTE } from './packet.js';

/**
 * Receives each aligned packet as (buffer, offset). The view stays valid until the push() or end()
 * that delivered it returns (the reader never writes into a buffer it has handed out during that call).
 */
export type PacketVisitor = (b: Uint8Array, off: number) => void;

/**
 * Splits a byte stream into TS packets. A position starts a packet when it holds 0x47 and so does
 * the position one packet later; anything else is skipped and reported through onSkip. Every such
 * decision waits until the byte 188 later has arrived (or end() says none will), so the packets
 * and skips are the same for any split of the input into reads: one buffer, single bytes, or
 * anything between. The cost is that the newest packet is held back until the next read.
 */
export class PacketReader {
  /** Bytes of the stream not yet decided on (at most one packet). */
  private readonly carry = new Uint8Array(PACKET_SIZE);
  private carryLen = 0;
  /** carry + the head of the next read, for the decisions that straddle two reads. */
  private readonly join = new Uint8Array(2 * PACKET_SIZE);

  constructor(
    private readonly onPacket: PacketVisitor,
    private readonly onSkip: (bytes: number) => void,
  ) {}

  /** Bytes held back waiting for the rest of a packet or its successor's sync byte. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /** Forgets held-back bytes (e.g. when a publisher disconnects). */
  reset(): void {
    this.carryLen = 0;
  }

  /** Walks one read. */
  push(chunk: Uint8Array): void {
    let i = 0;
    if (this.carryLen > 0) {
      i = this.drainCarry(chunk);
      if (i < 0) return;
    }
    const rest = this.walk(chunk, i, chunk.length, chunk.length, false);
    this.hold(chunk, rest, chunk.length);
  }

  /** The input ended: the held-back bytes are one last packet if they are a whole one, else skipped. */
  end(): void {
    const n = this.carryLen;
    this.carryLen = 0;
    if (n === 0) return;
    const rest = this.walk(this.carry, 0, n, n, true);
    if (rest < n) this.onSkip(n - rest);
  }

  /**
   * Decides every position in buf[i, stop) (positions may look ahead up to n); returns the first
   * undecided position (stop, or earlier when the byte 188 ahead has not arrived and final is false).
   * final: n is the end of the stream, so a whole packet that reaches it exactly counts.
   */
  private walk(buf: Uint8Array, i: number, stop: number, n: number, final: boolean): number {
    while (i < stop) {
      if (buf[i] === SYNC_BYTE) {
        const next = i + PACKET_SIZE;
        if (next < n) {
          if (buf[next] === SYNC_BYTE) {
            this.onPacket(buf, i);
            i = next;
            continue;
          }
        } else if (!final) {
          return i;
        } else if (next === n) {
          this.onPacket(buf, i);
          return n;
        }
      }
      // Not a packet start: skip to the next position that might be one.
      let j = i + 1;
      while (j < stop && buf[j] !== SYNC_BYTE) j++;
      this.onSkip(j - i);
      i = j;
    }
    return i;
  }

  /**
   * Decides the positions that began in the previous read, looking into the start of chunk through
   * the join buffer. Returns where to go on in chunk, or -1 if chunk was used up (and is now carried).
   */
  private drainCarry(chunk: Uint8Array): number {
    const c = this.carryLen;
    const take = Math.min(chunk.length, PACKET_SIZE);
    const join = this.join;
    join.set(this.carry.subarray(0, c), 0);
    join.set(chunk.subarray(0, take), c);
    const n = c + take;
    const at = this.walk(join, 0, c, n, false);
    this.carryLen = 0;
    if (at >= c) return at - c;
    // Still undecided: only possible when chunk was too short to see the next sync byte.
    this.hold(join, at, n);
    return -1;
  }

  /** Keeps buf[from, n) (at most one packet) for the next read. */
  private hold(buf: Uint8Array, from: number, n: number): void {
    this.carry.set(buf.subarray(from, n), 0);
    this.carryLen = n - from;
  }
}
