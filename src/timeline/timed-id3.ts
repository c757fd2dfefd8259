// src/timeline/timed-id3.ts: timed ID3 in MPEG-TS (pure): the PMT rewritten with a metadata stream (0x15, descriptors 0x25/0x26), its PID, and the ID3 PES.
import { crc32Mpeg } from '../ts/crc32.js';
import { NULL_PID, PACKET_SIZE, STREAM_TYPE } from '../ts/packet.js';
import { buildPes, packetizePes } from '../ts/pes.js';
import type { ProgramState } from '../ts/program.js';

/** ISO/IEC 13818-1 Table 2-22: private_stream_1, which Apple's Timed Metadata spec uses for ID3. */
export const ID3_STREAM_ID = 0xbd;

/** The 'ID3 ' format identifier (0x49 0x44 0x33 0x20) of both metadata descriptors. */
const ID3_FOURCC = [0x49, 0x44, 0x33, 0x20];

/** The longest section one packet holds after its header and pointer_field (psi.ts sectionPacket). */
const MAX_SECTION = PACKET_SIZE - 5;

/**
 * metadata_pointer_descriptor (ISO/IEC 13818-1 §2.6.58, tag 0x25) for the program_info loop, as
 * Apple's "Timed Metadata for HTTP Live Streaming" lays it out: metadata_application_format
 * 0xFFFF + 'ID3 ', metadata_format 0xFF + 'ID3 ', metadata_service_id 0,
 * metadata_locator_record_flag 0, MPEG_carriage_flags 0 (same transport stream), reserved 11111,
 * then program_number.
 */
export function metadataPointerDescriptor(program: number): Uint8Array {
  const body = [0xff, 0xff, ...ID3_FOURCC, 0xff, ...ID3_FOURCC, 0x00, 0x1f];
  body.push(program >> 8, program & 0xff);
  return Uint8Array.from([0x25, body.length, ...body]);
}

/**
 * metadata_descriptor (§2.6.60, tag 0x26) for the ES_info loop: 0xFFFF + 'ID3 ', 0xFF + 'ID3 ',
 * metadata_service_id 0, then decoder_config_flags 000, DSM-CC_flag 0, reserved 1111 (0x0F).
 */
export function metadataDescriptor(): Uint8Array {
  const body = [0xff, 0xff, ...ID3_FOURCC, 0xff, ...ID3_FOURCC, 0x00, 0x0f];
  return Uint8Array.from([0x26, body.length, ...body]);
}

/** First PID the metadata stream may take; chosen above the PIDs encoders usually give audio. */
const FIRST_ID3_PID = 0x1f00;

/** A PID the program does not use (its streams, PMT and PCR), for the metadata stream. */
export function pickId3Pid(p: Pick<ProgramState, 'streams' | 'pmtPid' | 'pcrPid'>): number {
  const used = new Set([0, p.pmtPid, p.pcrPid, ...p.streams.map((s) => s.pid)]);
  for (let pid = FIRST_ID3_PID; pid < NULL_PID; pid++) if (!used.has(pid)) return pid;
  for (let pid = 0x20; pid < FIRST_ID3_PID; pid++) if (!used.has(pid)) return pid;
  throw new RangeError('no free PID for the timed metadata stream');
}

/**
 * The PMT section with the timed-ID3 stream added: the 0x25 descriptor at the end of the
 * program_info loop, an ES entry of stream_type 0x15 on id3Pid with the 0x26 descriptor before
 * the CRC, both lengths updated and CRC_32 recomputed. Null when the result would not fit in one
 * TS packet (the segmenter then publishes without metadata).
 */
export function withTimedId3Stream(section: Uint8Array, id3Pid: number): Uint8Array | null {
  if (section.length < 16 || section[0] !== 0x02) return null;
  const programInfoLength = ((section[10] & 0x0f) << 8) | section[11];
  const infoEnd = 12 + programInfoLength;
  const crcAt = section.length - 4;
  if (infoEnd > crcAt) return null;
  const program = (section[3] << 8) | section[4];
  const pointer = metadataPointerDescriptor(program);
  const esDescriptor = metadataDescriptor();
  const entry = Uint8Array.from([
    STREAM_TYPE.metadataPes,
    0xe0 | (id3Pid >> 8),
    id3Pid & 0xff,
    0xf0 | (esDescriptor.length >> 8),
    esDescriptor.length & 0xff,
    ...esDescriptor,
  ]);
  const total = section.length + pointer.length + entry.length;
  if (total > MAX_SECTION) return null;
  const out = new Uint8Array(total);
  out.set(section.subarray(0, infoEnd), 0);
  out.set(pointer, infoEnd);
  out.set(section.subarray(infoEnd, crcAt), infoEnd + pointer.length);
  out.set(entry, crcAt + pointer.length);
  const sectionLength = total - 3;
  out[1] = (out[1] & 0xf0) | (sectionLength >> 8);
  out[2] = sectionLength & 0xff;
  const newInfoLength = programInfoLength + pointer.length;
  out[10] = (out[10] & 0xf0) | (newInfoLength >> 8);
  out[11] = newInfoLength & 0xff;
  const crc = crc32Mpeg(out, 0, total - 4);
  out[total - 4] = crc >>> 24;
  out[total - 3] = (crc >>> 16) & 0xff;
  out[total - 2] = (crc >>> 8) & 0xff;
  out[total - 1] = crc & 0xff;
  return out;
}

/**
 * One ID3 tag as a PES (Apple's Timed Metadata §2: stream_id 0xBD, a PTS on the audio clock,
 * "one complete ID3v2 tag per PES") with data_alignment_indicator set, in TS packets on pid.
 */
export function timedId3Packets(
  pid: number,
  ptsTicks: number,
  tag: Uint8Array,
  cc: number,
): { packets: Uint8Array; nextCc: number } {
  const pes = buildPes(ID3_STREAM_ID, Math.round(ptsTicks), tag);
  pes[6] |= 0x04; // data_alignment_indicator: the payload starts with the tag
  return packetizePes(pid, pes, cc, null);
}
