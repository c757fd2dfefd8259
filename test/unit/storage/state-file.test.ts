// test/unit/storage/state-file.test.ts: parseState accepts our shape and refuses every other; StateFile save/load round trip, atomic replace, and clear errors for corrupt files.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseState, StateFile, type StreamState } from '../../../src/storage/state-file.js';

function good(): StreamState {
  return {
    version: 1,
    stream: 'live',
    window: {
      targetDurationSec: 2,
      mediaSequence: 41,
      discontinuitySequence: 3,
      nextMsn: 44,
      segments: [
        {
          msn: 41,
          uri: 'live-m1-41.ts',
          durationSec: 2.011429,
          discontinuity: false,
          programDateTimeMs: 1764000000000,
          bytes: 48504,
        },
        {
          msn: 42,
          uri: 'live-m1-42-gap.ts',
          durationSec: 2,
          discontinuity: true,
          programDateTimeMs: 1764000002011,
          gap: true,
        },
      ],
    },
    pendingDeletes: [{ uri: 'live-m1-40.ts', deleteAtMs: 1764000010000 }],
  };
}

type Json = Record<string, unknown>;
/** Edits a JSON copy of good(): o is the whole, w its window, segs the window's segments. */
type Edit = (o: Json, w: Json, segs: Json[]) => void;

/** good() with one change made by edit (on a JSON copy, so anything can be written). */
function bad(edit: Edit): unknown {
  const o = JSON.parse(JSON.stringify(good())) as Json;
  const w = o.window as Json;
  edit(o, w, w.segments as Json[]);
  return o;
}

describe('parseState', () => {
  it('accepts a state file of ours as it is', () => {
    assert.deepEqual(parseState(JSON.parse(JSON.stringify(good()))), good());
  });

  it('accepts an empty window and a missing pendingDeletes (as an empty list)', () => {
    const v = bad((o, w) => {
      w.segments = [];
      delete o.pendingDeletes;
    });
    assert.deepEqual(parseState(v)?.pendingDeletes, []);
    assert.deepEqual(parseState(v)?.window.segments, []);
  });

  it('refuses anything that is not an object', () => {
    for (const v of [null, undefined, 1, 'state', true, []])
      assert.equal(parseState(v), null, String(v));
  });

  const shapes: [string, Edit][] = [
    ['another version', (o) => (o.version = 2)],
    ['version as a string', (o) => (o.version = '1')],
    ['no stream', (o) => delete o.stream],
    ['stream not a string', (o) => (o.stream = 7)],
    ['no window', (o) => delete o.window],
    ['window null', (o) => (o.window = null)],
    ['targetDurationSec missing', (_o, w) => delete w.targetDurationSec],
    ['mediaSequence a string', (_o, w) => (w.mediaSequence = '41')],
    ['discontinuitySequence null', (_o, w) => (w.discontinuitySequence = null)],
    ['nextMsn missing', (_o, w) => delete w.nextMsn],
    ['segments not an array', (_o, w) => (w.segments = {})],
    ['a segment null', (_o, w) => (w.segments = [null])],
    ['a segment without msn', (_o, _w, segs) => delete segs[0].msn],
    ['a segment uri not a string', (_o, _w, segs) => (segs[0].uri = 41)],
    ['a segment durationSec a string', (_o, _w, segs) => (segs[1].durationSec = '2')],
    ['a segment discontinuity 0', (_o, _w, segs) => (segs[0].discontinuity = 0)],
    ['a segment without programDateTimeMs', (_o, _w, segs) => delete segs[1].programDateTimeMs],
    ['a segment bytes a string', (_o, _w, segs) => (segs[0].bytes = '48504')],
  ];
  for (const [name, edit] of shapes) {
    it(`refuses: ${name}`, () => {
      assert.equal(parseState(bad(edit)), null);
    });
  }

  it('refuses non-finite window numbers (possible from an in-memory object)', () => {
    assert.equal(parseState({ ...good(), window: { ...good().window, nextMsn: Infinity } }), null);
    assert.equal(parseState({ ...good(), window: { ...good().window, mediaSequence: NaN } }), null);
  });

  it('drops malformed pending deletions and keeps the rest; a non-array pendingDeletes is empty', () => {
    const v = bad((o) => {
      o.pendingDeletes = [
        { uri: 'a.ts', deleteAtMs: 5 },
        { uri: 'b.ts' },
        null,
        'c.ts',
        { uri: 3, deleteAtMs: 5 },
        { uri: 'd.ts', deleteAtMs: '5' },
      ];
    });
    assert.deepEqual(parseState(v)?.pendingDeletes, [{ uri: 'a.ts', deleteAtMs: 5 }]);
    assert.deepEqual(parseState(bad((o) => (o.pendingDeletes = 'x')))?.pendingDeletes, []);
  });
});

describe('StateFile', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'scanner-hls-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lives at DIR/<stream>.state.json', () => {
    assert.equal(new StateFile('/x/y', 'live').path, join('/x/y', 'live.state.json'));
  });

  it('load() before any save is null (a first start)', async () => {
    assert.equal(await new StateFile(join(dir, 'none'), 'live').load(), null);
  });

  it('save() then load() gives the same state; save creates the directory', async () => {
    const f = new StateFile(join(dir, 'a', 'b'), 'live');
    await f.save(good());
    assert.deepEqual(await f.load(), good());
    const again = new StateFile(join(dir, 'a', 'b'), 'live');
    assert.deepEqual(await again.load(), good(), 'a new instance reads what the last one wrote');
  });

  it('a second save replaces the first whole and leaves no temp file behind', async () => {
    const sub = join(dir, 'replace');
    const f = new StateFile(sub, 'live');
    await f.save(good());
    const next = { ...good(), window: { ...good().window, mediaSequence: 42, segments: [] } };
    await f.save(next);
    assert.deepEqual(await f.load(), next);
    assert.deepEqual(await readdir(sub), ['live.state.json']);
  });

  it('streams have separate files', async () => {
    const sub = join(dir, 'two');
    await new StateFile(sub, 'live').save(good());
    await new StateFile(sub, 'fire').save({ ...good(), stream: 'fire' });
    assert.equal((await new StateFile(sub, 'live').load())?.stream, 'live');
    assert.equal((await new StateFile(sub, 'fire').load())?.stream, 'fire');
  });

  it('what is written is JSON a person can read (indented)', async () => {
    const f = new StateFile(join(dir, 'text'), 'live');
    await f.save(good());
    const text = await readFile(f.path, 'utf8');
    assert.deepEqual(JSON.parse(text), good());
    assert.ok(text.includes('\n "version": 1'));
  });

  it('a file that is not JSON (e.g. cut short by a crash) is a clear error naming the file', async () => {
    const f = new StateFile(join(dir, 'corrupt'), 'live');
    await f.save(good());
    const text = await readFile(f.path, 'utf8');
    await writeFile(f.path, text.slice(0, text.length / 2));
    await assert.rejects(f.load(), { message: `state file ${f.path} is not valid JSON` });
  });

  it('JSON of another shape is a clear error naming the file', async () => {
    const f = new StateFile(join(dir, 'shape'), 'live');
    await f.save(good());
    await writeFile(f.path, JSON.stringify({ version: 1, stream: 'live' }));
    await assert.rejects(f.load(), { message: `state file ${f.path} has an unexpected shape` });
    await writeFile(f.path, '');
    await assert.rejects(f.load(), /is not valid JSON/);
  });

  it('a path that cannot be read for another reason (a directory) is thrown as is', async () => {
    const f = new StateFile(join(dir, 'isdir'), 'live');
    await mkdir(f.path, { recursive: true });
    await assert.rejects(f.load(), (e: unknown) => (e as NodeJS.ErrnoException).code === 'EISDIR');
  });
});
