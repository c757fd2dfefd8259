// src/ts/packet.ts: MPEG-TS constants and byte-level readers of one 188-byte packet header (ISO/IEC 13818-1 §2.4.3.2).

export const PACKET_SIZE = 188;
export const SYNC_BYTE = 0x47;
export const PAT_PID = 0x0000;
export const NULL_PID = 0x1fff;

/** Stream types this packager understands (ISO/IEC 13818-1 Table 2-34). */
export const STREAM_TYPE = {
  mpeg1Audio: 0x03,
  mpeg2Audio: 0x04,
  adts: 0x0f,
  metadataPes: 0x15,
  h264: 0x1b,
} as const;

/** 13-bit PID of the packet at off. */
export function pidAt(b: Uint8Array, off: number): number {
  return ((b[off + 1] & 0x1f) << 8) | b[off + 2];
}

/** payload_unit_start_indicator. */
export function pusiAt(b: Uint8Array, off: number): boolean {
  return (b[off + 1] & 0x40) !== 0;
}

/** transport_error_indicator. */
export function teiAt(b: Uint8Array, off: number): boolean {
  return (b[off + 1] & 0x80) !== 0;
}

/** continuity_counter (4 bits). */
export function ccAt(b: Uint8Array, off: number): number {
  return b[off + 3] & 0x0f;
}

/** True when the packet carries payload (adaptation_field_control 01 or 11). */
export function hasPayloadAt(b: Uint8Array, off: number): boolean {
  return (b[off + 3] & 0x10) !== 0;
}

/** True when the packet has an adaptation field with at least its flags byte. */
function hasAdaptationFlags(b: Uint8Array, off: number): boolean {
  return (b[off + 3] & 0x20) !== 0 && b[off + 4] > 0;
}

/** discontinuity_indicator of the adaptation field. */
export function discontinuityAt(b: Uint8Array, off: number): boolean {
  return hasAdaptationFlags(b, off) && (b[off + 5] & 0x80) !== 0;
}

/** random_access_indicator of the adaptation field. */
export function randomAccessAt(b: Uint8Array, off: number): boolean {
  return hasAdaptationFlags(b, off) && (b[off + 5] & 0x40) !== 0;
}

/** Offset (from the packet start) of the payload, or PACKET_SIZE when there is none. */
export function payloadOffsetAt(b: Uint8Array, off: number): number {
  const afc = (b[off + 3] >> 4) & 0x3;
  if (afc === 1) return 4;
  if (afc === 3) return Math.min(PACKET_SIZE, 5 + b[off + 4]);
  return PACKET_SIZE;
}
