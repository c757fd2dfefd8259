// test/integration/calls-kill.test.ts: a process writing the call log is killed with SIGKILL mid-write, again and again; every reopen finds whole transactions only (WAL), and the file checks clean.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'libsql';
import { CallDb } from '../../src/calls/call-db.js';
import type { CallRow } from '../../src/calls/call-format.js';
import { randInt, rng } from '../helpers/ts-builder.js';
import { tempDir } from '../helpers/server.js';
import { BATCH, batchRows } from './calls-kill-child.js';

const CHILD = new URL('./calls-kill-child.ts', import.meta.url).pathname;

/** Runs the writer from batch first until it reported `batches` more, then kills it after a random few ms. */
async function writeAndKill(
  path: string,
  first: number,
  batches: number,
  delayMs: number,
): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, path, String(first)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = -1;
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    child.on('error', reject);
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const l of lines) seen = Number(l.split(' ')[1]);
      if (seen >= first + batches) resolve();
    });
  });
  await new Promise((r) => setTimeout(r, delayMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  return seen;
}

describe('calls.db under kill -9', () => {
  it('keeps whole transactions only, across repeated kills mid-write', async () => {
    const path = join(tempDir('calls-kill-'), 'calls.db');
    const r = rng(21);
    /** Each round's first batch and the newest found after it. */
    const rounds: { first: number; newest: number }[] = [];
    for (let round = 0; round < 6; round++) {
      const first = round * 1000;
      const seen = await writeAndKill(path, first, randInt(r, 3, 30), randInt(r, 0, 25));
      const raw = new Database(path);
      assert.deepEqual(raw.prepare('PRAGMA integrity_check').pluck().all(), ['ok']);
      raw.close();
      const db = CallDb.open(path);
      assert.equal(db.journalMode(), 'wal');
      const rows = db.listCalls({ limit: 500, q: 'batch' }).rows;
      // Every batch is whole, open or closed as its transaction wrote it: nothing torn.
      const byBatch = new Map<number, number>();
      for (const row of rows.concat(...pagesBelow(db, rows))) {
        const b = Number(row.talkgroup);
        byBatch.set(b, (byBatch.get(b) ?? 0) + 1);
      }
      const newest = Math.max(...[...byBatch.keys()].filter((b) => b >= first));
      assert.ok(newest >= seen, `batch ${seen} was reported committed`);
      rounds.push({ first, newest });
      for (const x of rounds) {
        for (let b = x.first; b <= x.newest; b++) {
          assert.equal(byBatch.get(b), BATCH, `batch ${b} is whole`);
          const want = batchRows(b, b === x.newest ? 1 : 0);
          const got = db.listCalls({ limit: BATCH, talkgroup: String(b) }).rows.reverse();
          assert.deepEqual(got, want, `batch ${b} rows are as written`);
        }
      }
      const batches = rounds.reduce((n, x) => n + x.newest - x.first + 1, 0);
      assert.equal(byBatch.size, batches, 'no batch outside the rounds');
      // The segment goes in its own transaction after its batch's calls: a kill in between leaves a
      // round's newest batch without one, never a segment without its batch, nor a torn row.
      const msns = new Set(db.allSegments().map((sg) => sg.msn));
      for (const x of rounds) {
        for (let b = x.first; b < x.newest; b++) assert.ok(msns.has(b), `segment of batch ${b}`);
      }
      assert.ok(
        [...msns].every((m) => rounds.some((x) => m >= x.first && m <= x.newest)),
        'no segment without its batch',
      );
      db.close();
    }
  });
});

/** Every page after the first (the export walks the same way). */
function pagesBelow(db: CallDb, first: CallRow[]): CallRow[][] {
  const out: CallRow[][] = [];
  let before = first.at(-1)?.id;
  while (before !== undefined) {
    const page = db.listCalls({ limit: 500, q: 'batch', beforeId: before }).rows;
    if (page.length === 0) break;
    out.push(page);
    before = page.at(-1)?.id;
  }
  return out;
}
