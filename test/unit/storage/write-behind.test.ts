// test/unit/storage/write-behind.test.ts: WriteBehind on a real worker thread: every random sequence of writes and deletes leaves the directory a plain model predicts, and the first failure stops everything after it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  BATCH_BYTES,
  type BatchWriter,
  WriteBehind,
  WriteBehindError,
  WriteInline,
} from '../../../src/storage/write-behind.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { randInt, rng } from '../../helpers/ts-builder.js';

/** What the directory holds after ops: name → bytes. */
type Model = Map<string, Uint8Array>;

function readDir(dir: string): Model {
  const m: Model = new Map();
  for (const name of readdirSync(dir)) m.set(name, new Uint8Array(readFileSync(join(dir, name))));
  return m;
}

const writers: [string, (prefix: string) => BatchWriter][] = [
  ['WriteBehind (a worker thread)', (p) => WriteBehind.start(p)],
  ['WriteInline (the calling thread)', (p) => new WriteInline(p)],
];

for (const [label, start] of writers) {
  describe(label, () => {
    it('leaves what a plain model predicts, for 40 random runs of writes, rewrites and deletes', async () => {
      const r = rng(0x3b1d);
      for (let run = 0; run < 40; run++) {
        const dir = tempDir('shls-wb-');
        const w = start(`${dir}/`);
        const model: Model = new Map();
        const ops = randInt(r, 0, 300);
        for (let i = 0; i < ops; i++) {
          const name = `f${randInt(r, 0, 40)}.ts`;
          if (randInt(r, 0, 4) === 0) {
            w.remove(name);
            model.delete(name);
            continue;
          }
          // Mostly segment-sized; some empty, some larger than a whole batch (a buffer of their own).
          const pick = randInt(r, 0, 20);
          const size =
            pick === 0 ? 0 : pick === 1 ? BATCH_BYTES + randInt(r, 1, 5000) : randInt(r, 1, 60_000);
          const bytes = new Uint8Array(size);
          for (let k = 0; k < size; k += 997) bytes[k] = randInt(r, 0, 255);
          w.write(name, bytes);
          // The caller may reuse its buffer at once: the writer has its own copy.
          const kept = bytes.slice();
          bytes.fill(0xee);
          model.set(name, kept);
        }
        await w.finish();
        const got = readDir(dir);
        assert.deepEqual([...got.keys()].sort(), [...model.keys()].sort(), `run ${run}: names`);
        for (const [name, bytes] of model)
          assert.ok(
            Buffer.from(bytes).equals(Buffer.from(got.get(name) ?? [])),
            `run ${run}: ${name}`,
          );
      }
    });

    it('more bytes than the writer may hold at once all arrive (the caller waits for room)', async () => {
      const dir = tempDir('shls-wb-');
      const w = start(`${dir}/`);
      // 40 MB in 40 KB files: five times what may be out at once.
      const bytes = new Uint8Array(40_000);
      for (let i = 0; i < 1000; i++) {
        bytes.fill(i & 0xff);
        w.write(`s${i}.ts`, bytes);
      }
      await w.finish();
      const names = readdirSync(dir);
      assert.equal(names.length, 1000);
      for (const i of [0, 1, 499, 998, 999]) {
        const b = readFileSync(join(dir, `s${i}.ts`));
        assert.equal(b.length, 40_000);
        assert.ok(
          b.every((x) => x === (i & 0xff)),
          `s${i}.ts`,
        );
      }
    });

    it('the first failed write stops the writer: finish() and every later call throw it, with its file and errno code', async () => {
      const dir = tempDir('shls-wb-');
      const w = start(`${dir}/`);
      w.write('a.ts', new Uint8Array(10));
      // A name inside a directory that does not exist: ENOENT (on the writer thread, or at once).
      const inline = w instanceof WriteInline;
      if (inline)
        assert.throws(() => w.write('missing/b.ts', new Uint8Array(10)), WriteBehindError);
      else w.write('missing/b.ts', new Uint8Array(10));
      if (!inline) w.write('c.ts', new Uint8Array(10));
      await assert.rejects(w.finish(), (e: unknown) => {
        assert.ok(e instanceof WriteBehindError);
        assert.equal(e.fileName, 'missing/b.ts');
        assert.equal(e.code, 'ENOENT');
        return true;
      });
      assert.throws(() => w.write('d.ts', new Uint8Array(1)), WriteBehindError);
      // What came before the failure is there; nothing after it was written.
      assert.deepEqual(readdirSync(dir).sort(), ['a.ts']);
    });
  });
}
