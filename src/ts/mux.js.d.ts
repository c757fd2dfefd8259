// src/ts/mux.js.d.ts: ambient types for the parts of mux.js 7 we use (it ships none; @types/mux.js does not exist).
declare module 'mux.js/cjs/m2ts/probe.js' {
  /** PTS/DTS (raw 33-bit, dts = pts when absent) of a PUSI packet's PES header, or null. */
  export function parsePesTime(packet: Uint8Array): { pts: number; dts: number } | null;
  /** pid → stream_type for every elementary stream of a single-packet PMT; undefined if current_next=0. */
  export function parsePmt(packet: Uint8Array): Record<number, number> | undefined;
  /** True if an H.264 IDR NAL header occurs in the bytes (a packet or an assembled PES). */
  export function videoPacketContainsKeyFrame(bytes: Uint8Array): boolean;
}
