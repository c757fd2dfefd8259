// test/unit/http/http-range.test.ts: Range (RFC 9110 §14) and conditional requests (§13) for one representation: a table of headers, and random ranges against a reference.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  answerFor,
  matchesAny,
  parseRange,
  type Validators,
} from '../../../src/http/http-range.js';
import { seededRandom } from '../../../src/random.js';

const V: Validators = {
  etag: '"2300-18c0ffee"',
  lastModified: 'Wed, 02 Dec 2026 18:00:00 GMT',
  lastModifiedMs: Date.parse('Wed, 02 Dec 2026 18:00:00 GMT'),
};

describe('parseRange', () => {
  it('reads the three forms and clamps a last-pos past the end', () => {
    assert.deepEqual(parseRange('bytes=0-187', 1000), { kind: 'range', start: 0, end: 187 });
    assert.deepEqual(parseRange('bytes=500-', 1000), { kind: 'range', start: 500, end: 999 });
    assert.deepEqual(parseRange('bytes=-100', 1000), { kind: 'range', start: 900, end: 999 });
    assert.deepEqual(parseRange('bytes=-5000', 1000), { kind: 'range', start: 0, end: 999 });
    assert.deepEqual(parseRange('bytes=990-5000', 1000), { kind: 'range', start: 990, end: 999 });
    assert.deepEqual(parseRange('Bytes = 1-2', 1000), { kind: 'range', start: 1, end: 2 });
  });

  it('is unsatisfiable past the end, for a zero suffix, and for any range of an empty file', () => {
    assert.deepEqual(parseRange('bytes=1000-', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=1000-2000', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 1000), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-', 0), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-1', 0), { kind: 'unsatisfiable' });
  });

  it('ignores what does not parse, another unit, and several ranges (the whole file, 200)', () => {
    for (const h of [
      undefined,
      'bytes',
      'bytes=',
      'bytes=-',
      'bytes=a-b',
      'bytes=5-2',
      'bytes=1-2x',
      'bytes=+1-2',
      'items=0-1',
      'bytes=0-1,5-6',
      'bytes=0x10-',
    ]) {
      assert.deepEqual(parseRange(h, 1000), { kind: 'none' }, String(h));
    }
  });

  it('for random headers, a range always lies inside the file and matches a reference', () => {
    const rnd = seededRandom(12);
    for (let i = 0; i < 5000; i++) {
      const size = Math.floor(rnd() * 3000);
      const a = Math.floor(rnd() * 3500);
      const b = Math.floor(rnd() * 3500);
      const form = Math.floor(rnd() * 3);
      const header = form === 0 ? `bytes=${a}-${b}` : form === 1 ? `bytes=${a}-` : `bytes=-${a}`;
      const r = parseRange(header, size);
      // The reference: the byte positions the header names, cut to the file.
      let want: { start: number; end: number } | 'none' | 'unsatisfiable';
      if (form === 0)
        want =
          b < a ? 'none' : a >= size ? 'unsatisfiable' : { start: a, end: Math.min(b, size - 1) };
      else if (form === 1) want = a >= size ? 'unsatisfiable' : { start: a, end: size - 1 };
      else
        want =
          a === 0 || size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - a), end: size - 1 };
      if (typeof want === 'string') assert.equal(r.kind, want, header);
      else {
        assert.deepEqual(r, { kind: 'range', ...want }, `${header} of ${size}`);
        assert.ok(r.kind === 'range' && r.start >= 0 && r.end < size && r.start <= r.end);
      }
    }
  });
});

describe('answerFor', () => {
  it('If-None-Match: 304 for a matching tag (weak comparison), a list or *; 200 otherwise', () => {
    assert.deepEqual(answerFor({ 'if-none-match': V.etag }, V, 9000, false), { status: 304 });
    assert.deepEqual(answerFor({ 'if-none-match': `W/${V.etag}` }, V, 9000, false), {
      status: 304,
    });
    assert.deepEqual(answerFor({ 'if-none-match': `"x", ${V.etag}` }, V, 9000, true), {
      status: 304,
    });
    assert.deepEqual(answerFor({ 'if-none-match': '*' }, V, 9000, false), { status: 304 });
    assert.deepEqual(answerFor({ 'if-none-match': '"other"' }, V, 9000, false), { status: 200 });
    assert.equal(matchesAny('"a", "b"', '"b"'), true);
    assert.equal(matchesAny('"a"', '"b"'), false);
  });

  it('If-Modified-Since: 304 when not modified since; ignored when If-None-Match is there (§13.2.2)', () => {
    const later = 'Wed, 02 Dec 2026 19:00:00 GMT';
    const earlier = 'Wed, 02 Dec 2026 17:00:00 GMT';
    assert.equal(answerFor({ 'if-modified-since': later }, V, 1, false).status, 304);
    assert.equal(answerFor({ 'if-modified-since': V.lastModified }, V, 1, false).status, 304);
    assert.equal(answerFor({ 'if-modified-since': earlier }, V, 1, false).status, 200);
    assert.equal(answerFor({ 'if-modified-since': 'not a date' }, V, 1, false).status, 200);
    assert.equal(
      answerFor({ 'if-none-match': '"other"', 'if-modified-since': later }, V, 1, false).status,
      200,
    );
  });

  it('Range applies to GET only, and If-Range must name this representation', () => {
    assert.deepEqual(answerFor({ range: 'bytes=0-9' }, V, 100, false), {
      status: 206,
      start: 0,
      end: 9,
    });
    assert.deepEqual(answerFor({ range: 'bytes=0-9' }, V, 100, true), { status: 200 });
    assert.deepEqual(answerFor({ range: 'bytes=100-' }, V, 100, false), { status: 416 });
    assert.equal(answerFor({ range: 'bytes=0-9', 'if-range': V.etag }, V, 100, false).status, 206);
    assert.equal(
      answerFor({ range: 'bytes=0-9', 'if-range': V.lastModified }, V, 100, false).status,
      206,
    );
    // §13.1.5: a weak tag never matches in If-Range; another tag or date means "send it all".
    assert.equal(
      answerFor({ range: 'bytes=0-9', 'if-range': `W/${V.etag}` }, V, 100, false).status,
      200,
    );
    assert.equal(answerFor({ range: 'bytes=0-9', 'if-range': '"x"' }, V, 100, false).status, 200);
    assert.equal(
      answerFor({ range: 'bytes=0-9', 'if-range': 'Wed, 02 Dec 2026 17:00:00 GMT' }, V, 100, false)
        .status,
      200,
    );
  });
});
