// test/unit/timeline/timed-id3.test.ts: the PMT rewrite (descriptors 0x25/0x26, stream_type 0x15, lengths, CRC) against an independent PMT builder over random PMTs, the free PID, and the ID3 PES read back.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { parseId3Tag } from '../../../src/id3/id3v2.js';
import { PACKET_SIZE, pidAt, pusiAt } from '../../../src/ts/packet.js';
import { readPmt, readSection, sectionPacket } from '../../../src/ts/psi.js';
import {
  ID3_STREAM_ID,
  metadataDescriptor,
  metadataPointerDescriptor,
  pickId3Pid,
  timedId3Packets,
  withTimedId3Stream,
} from '../../../src/timeline/timed-id3.js';
import { scannerTag } from '../../../src/timeline/scanner-tags.js';
import { buildPmtSection, type PmtSpec, randInt, rng } from '../../helpers/ts-builder.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function randomPmt(r: () => number): PmtSpec {
  const streams = Array.from({ length: randInt(r, 1, 4) }, (_, i) => ({
    pid: 0x100 + i * 41 + randInt(r, 0, 40),
    streamType: [0x03, 0x04, 0x0f, 0x1b, 0x06][randInt(r, 0, 4)],
    descriptors: Uint8Array.from({ length: randInt(r, 0, 1) * 6 }, (_, k) =>
      k === 0 ? 0x0a : k === 1 ? 4 : randInt(r, 0x41, 0x5a),
    ),
  }));
  return {
    program: randInt(r, 1, 0xffff),
    pcrPid: streams[0].pid,
    version: randInt(r, 0, 31),
    streams,
    programInfo: Uint8Array.from({ length: randInt(r, 0, 2) * 5 }, (_, k) =>
      k % 5 === 0 ? 0x05 : k % 5 === 1 ? 3 : 0x41 + k,
    ),
  };
}

describe('timed ID3 PMT rewrite', () => {
  it("lays the descriptors out as Apple's Timed Metadata spec shows them", () => {
    const id3 = '49443320';
    assert.equal(hex(metadataPointerDescriptor(1)), `250fffff${id3}ff${id3}001f0001`);
    assert.equal(hex(metadataDescriptor()), `260dffff${id3}ff${id3}000f`);
  });

  it('equals the same PMT built with the stream and descriptors in it, over 500 random PMTs', () => {
    const r = rng(2026);
    for (let i = 0; i < 500; i++) {
      const spec = randomPmt(r);
      const pid = pickId3Pid({ ...spec, pmtPid: 0x1000 });
      const out = withTimedId3Stream(buildPmtSection(spec), pid);
      const want = buildPmtSection({
        ...spec,
        programInfo: Buffer.concat([
          spec.programInfo ?? new Uint8Array(0),
          metadataPointerDescriptor(spec.program),
        ]),
        streams: [...spec.streams, { pid, streamType: 0x15, descriptors: metadataDescriptor() }],
      });
      assert.ok(out, `PMT ${i} did not fit`);
      assert.equal(hex(out), hex(want), `PMT ${i}`);
      // It reads back: CRC, the stream map (mux.js), the PID is the new one.
      const pkt = sectionPacket(0x1000, out, 0);
      const s = readSection(pkt, 0);
      assert.ok(typeof s === 'object', `PMT ${i}: ${typeof s === 'string' ? s : ''}`);
      const info = readPmt(s, pkt);
      assert.ok(info?.streams.some((e) => e.pid === pid && e.streamType === 0x15));
      assert.equal(info?.streams.length, spec.streams.length + 1);
    }
  });

  it('gives up (null) when the PMT would no longer fit in one packet', () => {
    const streams = Array.from({ length: 16 }, (_, i) => ({
      pid: 0x100 + i,
      streamType: 0x03,
      descriptors: Uint8Array.of(0x0a, 2, 0x65, 0x6e),
    }));
    const big = buildPmtSection({ program: 1, pcrPid: 0x100, streams });
    assert.ok(big.length <= PACKET_SIZE - 5 && big.length + 37 > PACKET_SIZE - 5);
    assert.equal(withTimedId3Stream(big, 0x1f00), null);
  });

  it('picks a PID no stream, the PMT or the PCR uses', () => {
    const r = rng(7);
    for (let i = 0; i < 300; i++) {
      const used = Array.from({ length: randInt(r, 1, 6) }, () => randInt(r, 0x1f00, 0x1f08));
      const pmtPid = randInt(r, 0x1f00, 0x1f08);
      const pcrPid = randInt(r, 0x1f00, 0x1f08);
      const pid = pickId3Pid({
        streams: used.map((p) => ({ pid: p, streamType: 3 })),
        pmtPid,
        pcrPid,
      });
      assert.ok(![...used, pmtPid, pcrPid, 0, 0x1fff].includes(pid), `PID ${pid}`);
    }
  });
});

describe('timed ID3 PES', () => {
  it('is one PES on the PID: stream_id 0xBD, aligned, the PTS given (33 bits), the whole tag', () => {
    const tag = scannerTag({
      frequencyMHz: 154.415,
      channel: 12,
      bank: 2,
      talkgroup: '2416',
      label: 'Fire Dispatch',
      squelchOpen: true,
      call: '1764000000000',
    });
    for (const pts of [0, 90_000, 2 ** 33 - 1, 2 ** 33 + 1234]) {
      const { packets, nextCc } = timedId3Packets(0x1f00, pts, tag, 15);
      assert.equal(packets.length % PACKET_SIZE, 0);
      assert.equal(nextCc, (15 + packets.length / PACKET_SIZE) & 0x0f);
      assert.equal(pidAt(packets, 0), 0x1f00);
      assert.ok(pusiAt(packets, 0));
      // Reassemble the payload of every packet.
      const payload: Uint8Array[] = [];
      for (let off = 0; off < packets.length; off += PACKET_SIZE) {
        const afc = (packets[off + 3] >> 4) & 3;
        const at = afc === 3 ? off + 5 + packets[off + 4] : off + 4;
        payload.push(packets.subarray(at, off + PACKET_SIZE));
      }
      const pes = Buffer.concat(payload);
      assert.equal(hex(pes.subarray(0, 4)), `000001${ID3_STREAM_ID.toString(16)}`);
      assert.equal(pes[6] & 0x04, 0x04, 'data_alignment_indicator');
      assert.equal(pes[7] & 0xc0, 0x80, 'PTS only');
      assert.equal(parsePesTime(packets.subarray(0, PACKET_SIZE))?.pts, pts % 2 ** 33);
      const data = pes.subarray(9 + pes[8]);
      assert.equal(hex(data), hex(tag));
      const frames = parseId3Tag(data).frames;
      assert.deepEqual(frames.at(-1), { id: 'TIT2', text: 'Fire Dispatch' });
    }
  });
});
