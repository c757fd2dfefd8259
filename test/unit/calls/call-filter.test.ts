// test/unit/calls/call-filter.test.ts: query parsing (one-line errors naming the parameter), the cursor, and golden filter/pagination results over a seeded call set in SQLite.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CallDb } from '../../../src/calls/call-db.js';
import {
  type CallQuery,
  decodeCursor,
  encodeCursor,
  FilterError,
  parseCallQuery,
} from '../../../src/calls/call-filter.js';
import type { CallRow } from '../../../src/calls/call-format.js';
import { randInt, rng } from '../../helpers/ts-builder.js';
import { seededCalls } from './call-fixture.js';

const parse = (qs: string, extra?: string[]): CallQuery =>
  parseCallQuery(new URLSearchParams(qs), extra);

/** The filter's meaning in plain JavaScript: the oracle the SQL must agree with. */
function oracle(rows: readonly CallRow[], q: CallQuery): number[] {
  const has = (v: string | null, s: string): boolean =>
    v !== null && v.toLowerCase().includes(s.toLowerCase());
  return rows
    .filter(
      (r) =>
        (q.sinceMs === undefined || r.id >= q.sinceMs) &&
        (q.untilMs === undefined || r.id < q.untilMs) &&
        (q.beforeId === undefined || r.id < q.beforeId) &&
        (q.talkgroup === undefined || r.talkgroup === q.talkgroup) &&
        (q.channel === undefined || r.channel === q.channel) &&
        (q.freqHz === undefined || r.freq === q.freqHz) &&
        (q.label === undefined || r.label?.toLowerCase() === q.label.toLowerCase()) &&
        (q.q === undefined || has(r.label, q.q) || has(r.talkgroup, q.q)),
    )
    .map((r) => r.id)
    .sort((a, b) => b - a);
}

/** Every page of a query, following the cursor. */
function pages(db: CallDb, qs: string): number[][] {
  const out: number[][] = [];
  let cursor: string | null = null;
  do {
    const q = parse(cursor === null ? qs : `${qs}${qs ? '&' : ''}cursor=${cursor}`);
    const page = db.listCalls(q);
    out.push(page.rows.map((r) => r.id));
    cursor = page.nextBeforeId === null ? null : encodeCursor(page.nextBeforeId);
  } while (cursor !== null && out.length < 1000);
  return out;
}

const ROWS = seededCalls(2000, 7);
const GOLDEN = JSON.parse(
  readFileSync(new URL('./filter-golden.json', import.meta.url), 'utf8'),
) as Record<string, number[][]>;

function filledDb(rows: readonly CallRow[] = ROWS): CallDb {
  const db = CallDb.open(':memory:');
  db.upsertCalls(rows);
  return db;
}

describe('parseCallQuery', () => {
  it('reads every filter, with MHz to Hz and ISO to ms', () => {
    assert.deepEqual(
      parse(
        'since=2026-01-01T00:00:00Z&until=2026-01-02T00:00:00.5%2B01:00&talkgroup=2416&channel=12&frequency=154.415&label=Fire%20Dispatch&q=disp&limit=20',
      ),
      {
        limit: 20,
        sinceMs: Date.UTC(2026, 0, 1),
        untilMs: Date.UTC(2026, 0, 1, 23, 0, 0, 500),
        talkgroup: '2416',
        channel: 12,
        freqHz: 154_415_000,
        label: 'Fire Dispatch',
        q: 'disp',
      },
    );
    assert.deepEqual(parse(''), { limit: 50 });
  });

  it('names the bad parameter in one line', () => {
    const cases: [string, RegExp][] = [
      ['since=yesterday', /^invalid since "yesterday": must be an ISO 8601 date-time/],
      ['until=2026-13-45T00:00:00Z', /^invalid until /],
      ['since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z', /^invalid until: must be later/],
      ['channel=-1', /^invalid channel "-1": must be an integer from 0 to 1000000$/],
      ['channel=1.5', /^invalid channel /],
      ['frequency=abc', /^invalid frequency "abc": must be in MHz/],
      ['frequency=154.4151234', /^invalid frequency /],
      ['limit=0', /^invalid limit "0": must be an integer from 1 to 500$/],
      ['limit=501', /^invalid limit /],
      ['q=ab', /^invalid q: give at least 3 characters/],
      ['label=', /^invalid label: must be 1 to 200 printable characters$/],
      ['talkgroup=1%0A2', /^invalid talkgroup/],
      ['cursor=xyz', /^invalid cursor: pass the "next" value/],
      ['page=2', /^unknown parameter "page"$/],
      ['channel=1&channel=2', /^parameter channel is given more than once$/],
      ['format=csv', /^unknown parameter "format"$/],
    ];
    for (const [qs, re] of cases) {
      assert.throws(
        () => parse(qs),
        (e: unknown) => e instanceof FilterError && re.test(e.message) && !e.message.includes('\n'),
        qs,
      );
    }
    assert.equal(parse('format=csv', ['format']).limit, 50);
  });
});

describe('cursor', () => {
  it('round-trips any id and refuses anything it did not make', () => {
    const r = rng(3);
    for (let i = 0; i < 500; i++) {
      const id = randInt(r, 0, 2 ** 45);
      assert.equal(decodeCursor(encodeCursor(id)), id);
    }
    assert.throws(() => decodeCursor(Buffer.from('hello').toString('base64url')));
    assert.throws(() => decodeCursor(Buffer.from('c1.12x').toString('base64url')));
    assert.throws(() => decodeCursor(`${encodeCursor(5)}==`));
    assert.throws(() => decodeCursor(Buffer.from('c1.-5').toString('base64url')));
    assert.throws(() => decodeCursor(Buffer.from('c2.5').toString('base64url')));
    assert.throws(() => decodeCursor(''));
  });
});

describe('golden filters and pages (2000 seeded calls)', () => {
  const db = filledDb();

  for (const [qs, expected] of Object.entries(GOLDEN)) {
    it(`${qs || '(no filter)'}`, () => {
      const got = pages(db, qs);
      assert.deepEqual(got, expected, 'pages differ from test/unit/calls/filter-golden.json');
      // And the golden file is what the filter means.
      const q = parse(qs);
      assert.deepEqual(got.flat(), oracle(ROWS, { ...q, limit: 1e9 }));
      for (const p of got.slice(0, -1)) assert.equal(p.length, q.limit);
    });
  }

  it('the SQL agrees with the oracle for random filters', () => {
    const r = rng(11);
    const labels = [...new Set(ROWS.map((x) => x.label).filter((x) => x !== null))];
    const tgs = [...new Set(ROWS.map((x) => x.talkgroup).filter((x) => x !== null))];
    for (let i = 0; i < 200; i++) {
      const parts: string[] = [];
      const at = (): string => new Date(ROWS[randInt(r, 0, ROWS.length - 1)].id).toISOString();
      if (r() < 0.3) parts.push(`since=${at()}`);
      if (r() < 0.3) parts.push(`until=${at()}`);
      if (r() < 0.3) parts.push(`talkgroup=${tgs[randInt(r, 0, tgs.length - 1)]}`);
      if (r() < 0.2) parts.push(`channel=${randInt(r, 1, 250)}`);
      if (r() < 0.2) parts.push(`frequency=${(ROWS[randInt(r, 0, 99)].freq ?? 0) / 1e6}`);
      if (r() < 0.2)
        parts.push(
          `label=${encodeURIComponent(labels[randInt(r, 0, labels.length - 1)].toUpperCase())}`,
        );
      if (r() < 0.3) {
        const l = labels[randInt(r, 0, labels.length - 1)];
        const from = randInt(r, 0, l.length - 3);
        parts.push(`q=${encodeURIComponent(l.slice(from, from + randInt(r, 3, 6)).toLowerCase())}`);
      }
      parts.push(`limit=${randInt(r, 1, 120)}`);
      const qs = parts.join('&');
      let q: CallQuery;
      try {
        q = parse(qs);
      } catch {
        continue; // until before since
      }
      assert.deepEqual(pages(db, qs).flat(), oracle(ROWS, { ...q, limit: 1e9 }), qs);
      assert.equal(db.countCalls(q), oracle(ROWS, q).length, qs);
    }
  });

  it('pages are stable while newer calls arrive', () => {
    const live = filledDb(ROWS.slice(0, 1500));
    const first = live.listCalls(parse('limit=100'));
    assert.ok(first.nextBeforeId !== null);
    const cursor = encodeCursor(first.nextBeforeId);
    live.upsertCalls(ROWS.slice(1500));
    const second = live.listCalls(parse(`limit=100&cursor=${cursor}`));
    assert.deepEqual(
      second.rows.map((x) => x.id),
      oracle(ROWS.slice(0, 1500), { limit: 1e9 }).slice(100, 200),
    );
    live.close();
  });

  it('text search follows relabelling and deletes (the trigram index is kept by triggers)', () => {
    const d = filledDb(ROWS.slice(0, 300));
    const target = ROWS[10];
    d.upsertCalls([{ ...target, label: 'Zebra Crossing' }]);
    assert.deepEqual(
      d.listCalls(parse('q=zebra')).rows.map((x) => x.id),
      [target.id],
    );
    d.deleteCallsBefore(target.id + 1);
    assert.deepEqual(d.listCalls(parse('q=zebra')).rows, []);
    d.close();
  });
});
