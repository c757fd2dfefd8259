// src/ts/segment-buffer.ts: a growable byte buffer for the segment being built; bytes are copied in runs.

/** Append-only bytes with amortised growth; take() hands the bytes over and starts empty. */
export class SegmentBuffer {
  private buf: Uint8Array;
  length = 0;

  constructor(initialBytes = 256 * 1024) {
    this.buf = new Uint8Array(initialBytes);
  }

  /** The bytes so far (a view, valid until the next append). */
  view(start = 0, end = this.length): Uint8Array {
    return this.buf.subarray(start, end);
  }

  /** Appends src[start, end). */
  append(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.reserve(n);
    this.buf.set(src.subarray(start, end), this.length);
    this.length += n;
  }

  /** Writes one byte at an absolute position already appended. */
  setByte(at: number, value: number): void {
    this.buf[at] = value;
  }

  /** Reads one byte at an absolute position. */
  byte(at: number): number {
    return this.buf[at];
  }

  /** Drops everything from position at onwards. */
  truncate(at: number): void {
    this.length = Math.min(this.length, at);
  }

  /** Empties the buffer, keeping its memory for the next segment. */
  clear(): void {
    this.length = 0;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }
}
