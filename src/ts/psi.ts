// src/ts/psi.ts: PAT/PMT sections: reading them (CRC, version, program choice) and writing our single-program PAT and PMT packets.
import { parsePmt } from 'mux.js/cjs/m2ts/probe.js';
import { crc32Mpeg } from './crc32.js';
import { PACKET_SIZE, PAT_PID, SYNC_BYTE, payloadOffsetAt, pusiAt } from './packet.js';

/** A PSI section found in one packet (sections spanning packets are not supported). */
export interface Section {
  tableId: number;
  /** table_id_extension: transport_stream_id for a PAT, program_number for a PMT. */
  extension: number;
  version: number;
  currentNext: boolean;
  /** The section bytes from table_id through CRC_32, a view of the packet. */
  bytes: Uint8Array;
}

/** Why a PSI packet was not usable. */
export type SectionProblem = 'not-start' | 'spans-packets' | 'bad-crc' | 'malformed';

/** Reads the section that starts in a PUSI packet at b[off]; a view into b. */
export function readSection(b: Uint8Array, off: number): Section | SectionProblem {
  if (!pusiAt(b, off)) return 'not-start';
  const payload = payloadOffsetAt(b, off);
  if (payload >= PACKET_SIZE) return 'malformed';
  const start = off + payload + 1 + b[off + payload];
  const end = off + PACKET_SIZE;
  if (start + 8 > end) return 'malformed';
  const sectionLength = ((b[start + 1] & 0x0f) << 8) | b[start + 2];
  if (sectionLength < 9) return 'malformed';
  if (start + 3 + sectionLength > end) return 'spans-packets';
  const bytes = b.subarray(start, start + 3 + sectionLength);
  if (crc32Mpeg(bytes) !== 0) return 'bad-crc';
  return {
    tableId: bytes[0],
    extension: (bytes[3] << 8) | bytes[4],
    version: (bytes[5] >> 1) & 0x1f,
    currentNext: (bytes[5] & 1) === 1,
    bytes,
  };
}

/** Programs of a PAT, program 0 (the NIT pointer) left out. */
export function patPrograms(s: Section): { program: number; pmtPid: number }[] {
  const out: { program: number; pmtPid: number }[] = [];
  for (let i = 8; i + 4 <= s.bytes.length - 4; i += 4) {
    const program = (s.bytes[i] << 8) | s.bytes[i + 1];
    const pmtPid = ((s.bytes[i + 2] & 0x1f) << 8) | s.bytes[i + 3];
    if (program !== 0) out.push({ program, pmtPid });
  }
  return out;
}

/** An elementary stream listed in a PMT. */
export interface EsEntry {
  pid: number;
  streamType: number;
}

/** What a PMT says about its program. */
export interface PmtInfo {
  program: number;
  version: number;
  pcrPid: number;
  streams: EsEntry[];
}

/** Reads a PMT section; the stream map comes from mux.js's probe.parsePmt on the same packet. */
export function readPmt(s: Section, packet: Uint8Array): PmtInfo | null {
  if (s.tableId !== 0x02) return null;
  const map = parsePmt(packet);
  if (!map) return null;
  const streams = Object.entries(map).map(([pid, streamType]) => ({
    pid: Number(pid),
    streamType,
  }));
  streams.sort((a, b) => a.pid - b.pid);
  return {
    program: s.extension,
    version: s.version,
    pcrPid: ((s.bytes[8] & 0x1f) << 8) | s.bytes[9],
    streams,
  };
}

/** Wraps a whole section in one TS packet on pid (pointer_field 0, 0xFF filler). */
export function sectionPacket(pid: number, section: Uint8Array, cc: number): Uint8Array {
  const pkt = new Uint8Array(PACKET_SIZE).fill(0xff);
  pkt[0] = SYNC_BYTE;
  pkt[1] = 0x40 | ((pid >> 8) & 0x1f);
  pkt[2] = pid & 0xff;
  pkt[3] = 0x10 | (cc & 0x0f);
  pkt[4] = 0;
  pkt.set(section, 5);
  return pkt;
}

/** A PAT section naming one program (ISO/IEC 13818-1 §2.4.4.3), version 0, with its CRC. */
export function buildPatSection(tsId: number, program: number, pmtPid: number): Uint8Array {
  const s = new Uint8Array(16);
  s[0] = 0x00;
  s[1] = 0xb0;
  s[2] = 13;
  s[3] = tsId >> 8;
  s[4] = tsId & 0xff;
  s[5] = 0xc1; // reserved, version 0, current_next 1
  s[6] = 0;
  s[7] = 0;
  s[8] = program >> 8;
  s[9] = program & 0xff;
  s[10] = 0xe0 | (pmtPid >> 8);
  s[11] = pmtPid & 0xff;
  const crc = crc32Mpeg(s, 0, 12);
  s[12] = crc >>> 24;
  s[13] = (crc >>> 16) & 0xff;
  s[14] = (crc >>> 8) & 0xff;
  s[15] = crc & 0xff;
  return s;
}

/** Our PAT packet for one program. */
export function patPacket(program: number, pmtPid: number, cc: number): Uint8Array {
  return sectionPacket(PAT_PID, buildPatSection(1, program, pmtPid), cc);
}
