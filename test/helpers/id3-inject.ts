// test/helpers/id3-inject.ts: adds a timed-ID3 stream (stream_type 0x15, Apple's layout) to a real ffmpeg TS, for passthrough tests.
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { crc32Mpeg } from '../../src/ts/crc32.js';
import { PACKET_SIZE, pidAt, pusiAt } from '../../src/ts/packet.js';
import { buildPes, packetizePes } from '../../src/ts/pes.js';

/** PID the injected ID3 stream uses. */
export const ID3_PID = 0x102;

/** A minimal ID3v2.4 tag with one TXXX frame (description, value), UTF-8. */
export function id3Tag(description: string, value: string): Uint8Array {
  const body = Buffer.concat([
    Buffer.from([3]),
    Buffer.from(description),
    Buffer.from([0]),
    Buffer.from(value),
  ]);
  const syncsafe = (n: number) => [(n >> 21) & 0x7f, (n >> 14) & 0x7f, (n >> 7) & 0x7f, n & 0x7f];
  const frame = Buffer.concat([
    Buffer.from('TXXX'),
    Buffer.from(syncsafe(body.length)),
    Buffer.from([0, 0]),
    body,
  ]);
  return Buffer.concat([
    Buffer.from('ID3'),
    Buffer.from([4, 0, 0, ...syncsafe(frame.length)]),
    frame,
  ]);
}

function patchPmt(pkt: Uint8Array): Uint8Array {
  const out = Uint8Array.from(pkt);
  const start = 5 + out[4];
  const len = ((out[start + 1] & 0x0f) << 8) | out[start + 2];
  const end = start + 3 + len - 4; // before the CRC
  // ES entry for stream_type 0x15 with a metadata_descriptor (tag 0x26): format 0xFFFF 'ID3 ',
  // 0xFF 'ID3 ', service 0, decoder_config_flags 0x0F (ID3 in MPEG-2 TS, Apple's Timed Metadata for HTTP Live Streaming, metadata_descriptor).
  const id3 = [0x49, 0x44, 0x33, 0x20];
  const descriptor = [0x26, 13, 0xff, 0xff, ...id3, 0xff, ...id3, 0x00, 0x0f];
  const entry = [
    0x15,
    0xe0 | (ID3_PID >> 8),
    ID3_PID & 0xff,
    0xf0,
    descriptor.length,
    ...descriptor,
  ];
  out.copyWithin(end + entry.length, end, end + 4);
  out.set(entry, end);
  const newLen = len + entry.length;
  out[start + 1] = (out[start + 1] & 0xf0) | (newLen >> 8);
  out[start + 2] = newLen & 0xff;
  const crc = crc32Mpeg(out, start, end + entry.length);
  out.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], end + entry.length);
  return out;
}

/** Returns ts with an ID3 PES before every everyN-th audio PES start on audioPid, and the ID3 packets added. */
export function injectId3(
  ts: Uint8Array,
  audioPid: number,
  everyN: number,
): { ts: Uint8Array; id3Packets: Uint8Array[] } {
  const parts: Uint8Array[] = [];
  const id3Packets: Uint8Array[] = [];
  let cc = 0;
  let seen = 0;
  for (let off = 0; off + PACKET_SIZE <= ts.length; off += PACKET_SIZE) {
    const pkt = ts.subarray(off, off + PACKET_SIZE);
    const pid = pidAt(pkt, 0);
    if (pid === 0x1000 && pusiAt(pkt, 0)) {
      parts.push(patchPmt(pkt));
      continue;
    }
    if (pid === audioPid && pusiAt(pkt, 0) && ++seen % everyN === 0) {
      const pts = parsePesTime(pkt)?.pts ?? 0;
      const pes = buildPes(0xbd, pts, id3Tag('talkgroup', `TG ${seen}`));
      const { packets, nextCc } = packetizePes(ID3_PID, pes, cc, null);
      cc = nextCc;
      parts.push(packets);
      for (let i = 0; i < packets.length; i += PACKET_SIZE)
        id3Packets.push(packets.subarray(i, i + PACKET_SIZE));
    }
    parts.push(pkt);
  }
  return { ts: Buffer.concat(parts), id3Packets };
}
