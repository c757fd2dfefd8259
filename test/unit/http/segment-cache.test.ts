// test/unit/http/segment-cache.test.ts: SegmentCache keeps under its byte budget, drops the least recently used first, and refuses files over its limit (random puts and gets against a reference); newestSegment, what is read ahead.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CachedFile, SegmentCache } from '../../../src/http/segment-cache.js';
import { newestSegment } from '../../../src/http/hls-front.js';
import { seededRandom } from '../../../src/random.js';

function file(bytes: number, fill = 0): CachedFile {
  return {
    body: Buffer.alloc(bytes, fill),
    etag: `"${bytes}"`,
    lastModified: new Date(0).toUTCString(),
    lastModifiedMs: 0,
    headers: {},
    notModified: {},
    seenMs: 0,
  };
}

describe('SegmentCache', () => {
  it('drops the least recently used entry first, and a get counts as a use', () => {
    const c = new SegmentCache({ budgetBytes: 300, maxFileBytes: 300 });
    c.put('a', file(100));
    c.put('b', file(100));
    c.put('c', file(100));
    assert.ok(c.get('a'));
    c.put('d', file(100));
    assert.equal(c.get('b'), undefined);
    assert.ok(c.get('a') && c.get('c') && c.get('d'));
    assert.equal(c.bytes, 300);
    assert.equal(c.counts.evictions, 1);
  });

  it('never holds a file over maxFileBytes; delete and replace keep the byte count right', () => {
    const c = new SegmentCache({ budgetBytes: 1000, maxFileBytes: 200 });
    assert.equal(c.admits(201), false);
    c.put('big', file(201));
    assert.equal(c.get('big'), undefined);
    c.put('x', file(150));
    c.put('x', file(50));
    assert.equal(c.bytes, 50);
    c.delete('x');
    c.delete('x');
    assert.equal(c.bytes, 0);
    assert.equal(c.size, 0);
  });

  it('for random puts, gets and deletes over 3 or 60 names, it stays under budget and holds exactly what an LRU reference holds', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const rnd = seededRandom(seed);
      const budget = 1000 + Math.floor(rnd() * 50_000);
      const maxFile = Math.floor(budget * (0.1 + rnd()));
      const c = new SegmentCache({ budgetBytes: budget, maxFileBytes: maxFile });
      // Few names on even seeds: the same (newest) name again and again, as in a burst.
      const names = seed % 2 === 0 ? 3 : 60;
      // Reference: names in recency order with sizes.
      const ref = new Map<string, number>();
      for (let i = 0; i < 2000; i++) {
        const name = `s${Math.floor(rnd() * names)}.ts`;
        const op = rnd();
        if (op < 0.5) {
          const size = Math.floor(rnd() * budget * 0.3);
          c.put(name, file(size, i & 0xff));
          ref.delete(name);
          if (size <= maxFile && size <= budget) {
            ref.set(name, size);
            let total = [...ref.values()].reduce((a, b) => a + b, 0);
            for (const [n, s] of ref) {
              if (total <= budget) break;
              ref.delete(n);
              total -= s;
            }
          }
        } else if (op < 0.9) {
          const got = c.get(name);
          const want = ref.get(name);
          assert.equal(got?.body.length, want, `seed ${seed} step ${i} get ${name}`);
          if (want !== undefined) {
            ref.delete(name);
            ref.set(name, want);
          }
        } else {
          c.delete(name);
          ref.delete(name);
        }
        assert.ok(c.bytes <= budget, `seed ${seed}: ${c.bytes} > ${budget}`);
        assert.equal(
          c.bytes,
          [...ref.values()].reduce((a, b) => a + b, 0),
        );
        assert.equal(c.size, ref.size);
      }
    }
  });
});

describe('newestSegment', () => {
  it('is the last URI line of a playlist, past trailing tags and blank lines', () => {
    const text = [
      '#EXTM3U',
      '#EXTINF:2,',
      'live-a-1.ts',
      '#EXTINF:2,',
      'live-a-2.ts',
      '#EXT-X-PART:DURATION=0.2,URI="live-a-3.0.ts"',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="live-a-3.1.ts"',
      '',
    ].join('\n');
    assert.equal(newestSegment(text), 'live-a-2.ts');
    assert.equal(newestSegment('#EXTM3U\n#EXT-X-TARGETDURATION:2\n'), null);
    assert.equal(newestSegment('live-x.ts'), 'live-x.ts');
    assert.equal(newestSegment(''), null);
    assert.equal(newestSegment(null), null);
  });
});
