// test/unit/ts/packet-reader.test.ts: the packet walk joins split packets at any offset and resyncs after garbage.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { PacketReader } from '../../../src/ts/packet-reader.js';
import { tsStream } from '../../helpers/ts-builder.js';

function collect(chunks: Uint8Array[]) {
  const seen: string[] = [];
  let skipped = 0;
  const r = new PacketReader(
    (b, off) => seen.push(Buffer.from(b.subarray(off, off + 188)).toString('hex')),
    (n) => (skipped += n),
  );
  for (const c of chunks) r.push(c);
  r.end();
  return { seen, skipped };
}

describe('PacketReader', () => {
  let ts: Uint8Array;
  before(() => {
    ts = tsStream({ codec: 'mp3', seconds: 2 }).subarray(0, 188 * 40);
  });

  it('yields every packet whatever the chunk boundaries', () => {
    const whole = collect([ts]).seen;
    assert.equal(whole.length, 40);
    for (const size of [1, 7, 187, 188, 189, 376, 1000]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < ts.length; i += size) chunks.push(ts.subarray(i, i + size));
      const got = collect(chunks);
      assert.deepEqual(got.seen, whole, `chunk size ${size}`);
      assert.equal(got.skipped, 0);
    }
  });

  it('skips bytes that are not TS and resumes on the next packet', () => {
    const garbage = Buffer.from('GET /live.m3u8 HTTP/1.1\r\nHost: x\r\n\r\n' + 'noise'.repeat(50));
    const mixed = Buffer.concat([ts.subarray(0, 188 * 10), garbage, ts.subarray(188 * 10)]);
    for (const size of [64, 500, mixed.length]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < mixed.length; i += size) chunks.push(mixed.subarray(i, i + size));
      const got = collect(chunks);
      assert.equal(got.seen.length, 40, `chunk size ${size}`);
      assert.equal(got.skipped, garbage.length);
    }
  });

  it('drops a partial packet cut short by garbage', () => {
    const mixed = Buffer.concat([
      ts.subarray(0, 188 * 5 + 100),
      Buffer.alloc(300, 0x11),
      ts.subarray(188 * 6),
    ]);
    const got = collect([mixed.subarray(0, 188 * 5 + 50), mixed.subarray(188 * 5 + 50)]);
    assert.equal(got.seen.length, 39);
    assert.equal(got.skipped, 100 + 300);
  });

  it('a packet view stays valid until the push that delivered it returns (views read after push)', () => {
    const whole = collect([ts]).seen;
    for (const size of [7, 100, 187, 190, 300, 377]) {
      const seen: string[] = [];
      let held: [Uint8Array, number][] = [];
      const r = new PacketReader(
        (b, off) => held.push([b, off]),
        () => undefined,
      );
      const drain = () => {
        for (const [b, off] of held)
          seen.push(Buffer.from(b.subarray(off, off + 188)).toString('hex'));
        held = [];
      };
      for (let i = 0; i < ts.length; i += size) {
        r.push(ts.subarray(i, i + size));
        drain();
      }
      r.end();
      drain();
      assert.deepEqual(seen, whole, `chunk size ${size}`);
    }
  });

  it('holds the newest packet back until its successor or the end decides it', () => {
    const seen: number[] = [];
    const r = new PacketReader(
      (_b, off) => seen.push(off),
      () => undefined,
    );
    r.push(ts.subarray(0, 188 * 3));
    assert.equal(seen.length, 2);
    assert.equal(r.pendingBytes, 188);
    r.end();
    assert.equal(seen.length, 3);
    assert.equal(r.pendingBytes, 0);
  });
});
