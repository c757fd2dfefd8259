// test/unit/hls/run-copier.test.ts: RunCopier: runs of adjacent packets copied in one call, flush, CC shifts mod 16 per PID, and CC continuity over random re-packetisations.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RunCopier } from '../../../src/hls/run-copier.js';
import { ccAt, PACKET_SIZE, pidAt } from '../../../src/ts/packet.js';
import { SegmentBuffer } from '../../../src/ts/segment-buffer.js';
import { concat, packet, randInt, rng, splitPackets } from '../../helpers/ts-builder.js';

/** A SegmentBuffer that records each append call's length in packets. */
class CountingBuffer extends SegmentBuffer {
  readonly calls: number[] = [];

  override append(src: Uint8Array, start = 0, end = src.length): void {
    this.calls.push((end - start) / PACKET_SIZE);
    super.append(src, start, end);
  }
}

/** n packets on pid with CCs from cc, each payload tagged with its index. */
function run(pid: number, n: number, cc = 0, tag = 0): Buffer {
  return concat(
    ...Array.from({ length: n }, (_, i) =>
      packet(pid, new Uint8Array(184).fill((tag + i) & 0xff), { cc: cc + i, pusi: i === 0 }),
    ),
  );
}

function ccs(seg: SegmentBuffer, pid?: number): number[] {
  return splitPackets(seg.view())
    .filter((p) => pid === undefined || pidAt(p, 0) === pid)
    .map((p) => ccAt(p, 0));
}

describe('RunCopier', () => {
  it('adjacent packets of one buffer are copied in a single append', () => {
    const seg = new CountingBuffer();
    const c = new RunCopier(seg);
    const b = run(0x100, 10);
    for (let i = 0; i < 10; i++) c.extend(b, i * PACKET_SIZE);
    assert.deepEqual(seg.calls, [], 'nothing copied before flush');
    c.flush();
    assert.deepEqual(seg.calls, [10]);
    assert.deepEqual(Buffer.from(seg.view()), b);
  });

  it('a gap (a dropped packet) or another buffer starts a new run, in order', () => {
    const seg = new CountingBuffer();
    const c = new RunCopier(seg);
    const a = run(0x100, 6, 0, 0);
    const b = run(0x100, 2, 6, 100);
    for (const i of [0, 1, 2, 4, 5]) c.extend(a, i * PACKET_SIZE);
    c.extend(b, 0);
    c.extend(b, PACKET_SIZE);
    c.flush();
    assert.deepEqual(seg.calls, [3, 2, 2]);
    const want = concat(a.subarray(0, 3 * PACKET_SIZE), a.subarray(4 * PACKET_SIZE), b);
    assert.deepEqual(Buffer.from(seg.view()), want);
  });

  it('a packet that is adjacent but earlier in the buffer is not merged backwards', () => {
    const seg = new CountingBuffer();
    const c = new RunCopier(seg);
    const a = run(0x100, 3);
    c.extend(a, PACKET_SIZE);
    c.extend(a, 0);
    c.flush();
    assert.deepEqual(seg.calls, [1, 1]);
    assert.deepEqual(Buffer.from(seg.view()), concat(a.subarray(188, 376), a.subarray(0, 188)));
  });

  it('flush with nothing pending, or twice, copies nothing more', () => {
    const seg = new CountingBuffer();
    const c = new RunCopier(seg);
    c.flush();
    c.extend(run(0x100, 1), 0);
    c.flush();
    c.flush();
    assert.deepEqual(seg.calls, [1]);
  });

  it('bytes appended to the buffer directly between runs stay in place', () => {
    const seg = new SegmentBuffer(16);
    const c = new RunCopier(seg);
    const a = run(0x100, 2);
    c.extend(a, 0);
    c.flush();
    const mine = packet(0x200, Uint8Array.of(1));
    seg.append(mine);
    c.extend(a, PACKET_SIZE);
    c.flush();
    assert.deepEqual(Buffer.from(seg.view()), concat(a.subarray(0, 188), mine, a.subarray(188)));
  });

  it('§2.4.3.3: addShift adds to the CC of later packets on that PID only, mod 16', () => {
    const seg = new SegmentBuffer();
    const c = new RunCopier(seg);
    c.addShift(0x100, 3);
    const mixed = concat(run(0x100, 15, 0), run(0x101, 4, 9));
    for (let off = 0; off < mixed.length; off += PACKET_SIZE) c.extend(mixed, off);
    c.flush();
    assert.deepEqual(ccs(seg, 0x100), [3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1]);
    assert.deepEqual(ccs(seg, 0x101), [9, 10, 11, 12]);
  });

  it('a shift changes only the CC nibble: PID, PUSI, scrambling and AF bits and payload stay', () => {
    const seg = new SegmentBuffer();
    const c = new RunCopier(seg);
    const p = packet(0x1abc, new Uint8Array(100).fill(9), {
      pusi: true,
      cc: 14,
      adaptation: Uint8Array.of(0x40),
    });
    p[3] |= 0xc0; // transport_scrambling_control '11'
    c.addShift(0x1abc, 5);
    c.extend(p, 0);
    c.flush();
    const out = seg.view();
    assert.equal(out[3], (p[3] & 0xf0) | 3);
    assert.deepEqual([...out.subarray(0, 3)], [...p.subarray(0, 3)]);
    assert.deepEqual([...out.subarray(4)], [...p.subarray(4)]);
  });

  it('the input buffer is not modified; the shift applies to the copy', () => {
    const seg = new SegmentBuffer();
    const c = new RunCopier(seg);
    const a = run(0x100, 3, 0);
    const before = Buffer.from(a);
    c.addShift(0x100, 7);
    for (let i = 0; i < 3; i++) c.extend(a, i * PACKET_SIZE);
    c.flush();
    assert.deepEqual(a, before);
    assert.deepEqual(ccs(seg), [7, 8, 9]);
  });

  it('shifts accumulate mod 16; shifts summing to 16 leave the counter as it came', () => {
    const seg = new SegmentBuffer();
    const c = new RunCopier(seg);
    c.addShift(0x100, 9);
    c.addShift(0x100, 9); // 18 ≡ 2
    c.extend(run(0x100, 1, 0), 0);
    c.flush();
    c.addShift(0x100, 14); // 16 ≡ 0
    c.extend(run(0x100, 1, 1), 0);
    c.flush();
    c.addShift(0x100, -1); // negative deltas work mod 16 too
    c.extend(run(0x100, 1, 2), 0);
    c.flush();
    assert.deepEqual(ccs(seg), [2, 1, 1]);
  });

  it('reset() forgets the shifts (a new publisher brings its own counters)', () => {
    const seg = new SegmentBuffer();
    const c = new RunCopier(seg);
    c.addShift(0x100, 4);
    c.addShift(0x101, 1);
    c.reset();
    const b = concat(run(0x100, 1, 6), run(0x101, 1, 6));
    c.extend(b, 0);
    c.extend(b, PACKET_SIZE);
    c.flush();
    assert.deepEqual(ccs(seg), [6, 6]);
  });

  it('property: random re-packetisations with the matching addShift keep every PID continuous', () => {
    // Each PID's input counter is continuous. At random points the "segmenter" flushes, writes its
    // own re-packetisation of the next r input packets on a PID as m new packets (continuing the
    // output counter), skips those r inputs, and calls addShift(pid, m - r). The output counter
    // must then be continuous on every PID (ISO/IEC 13818-1 §2.4.3.3).
    const r = rng(16);
    for (let trial = 0; trial < 200; trial++) {
      const seg = new SegmentBuffer(1024);
      const c = new RunCopier(seg);
      const pids = [0x100, 0x101, 0x102];
      const inCc = new Map(pids.map((p) => [p, randInt(r, 0, 15)]));
      const outCc = new Map<number, number>();
      // Input arrives in a few buffers of random packets.
      for (let buf = 0; buf < 4; buf++) {
        const n = randInt(r, 1, 60);
        const order = Array.from({ length: n }, () => pids[randInt(r, 0, pids.length - 1)]);
        const b = concat(
          ...order.map((pid) => {
            const cc = inCc.get(pid) ?? 0;
            inCc.set(pid, (cc + 1) & 15);
            return packet(pid, Uint8Array.of(1), { cc });
          }),
        );
        let skip = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          const pid = order[i];
          const left = skip.get(pid) ?? 0;
          if (left > 0) {
            skip.set(pid, left - 1);
            c.flush();
            continue;
          }
          if (r() < 0.08) {
            // Replace this packet and up to 2 more on pid with m new ones.
            const replaced =
              1 + Math.min(randInt(r, 0, 2), order.slice(i + 1).filter((x) => x === pid).length);
            const m = randInt(r, 1, 40);
            c.flush();
            let cc = outCc.get(pid) ?? ccAt(b, i * PACKET_SIZE);
            for (let k = 0; k < m; k++) {
              seg.append(packet(pid, Uint8Array.of(2), { cc }));
              cc = (cc + 1) & 15;
            }
            outCc.set(pid, cc);
            c.addShift(pid, m - replaced);
            skip = new Map(skip).set(pid, replaced - 1);
            continue;
          }
          c.extend(b, i * PACKET_SIZE);
          if (!outCc.has(pid)) outCc.set(pid, ccAt(b, i * PACKET_SIZE));
          outCc.set(pid, ((outCc.get(pid) ?? 0) + 1) & 15);
        }
        c.flush();
      }
      for (const pid of pids) {
        const got = ccs(seg, pid);
        for (let i = 1; i < got.length; i++) {
          assert.equal(
            got[i],
            (got[i - 1] + 1) & 15,
            `trial ${trial} pid ${pid} at ${i}: ${got.join(',')}`,
          );
        }
      }
    }
  });
});
