// test/helpers/temp-dir.ts: tempDir(): a temp dir per test, removed when the test file's process exits after every test passed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The temp dirs this test file made. */
const madeDirs: string[] = [];

/** Removes madeDirs after a clean run; a failed run keeps them, with the logs its messages name. */
function removeMadeDirs(code: number): void {
  if (code !== 0 || process.env.KEEP_TEST_DIRS) return;
  for (const dir of madeDirs) {
    try {
      rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
    } catch {
      // A child still writing there at exit: leaving one dir is better than failing a passed run.
    }
  }
}

/** Temp dir for one test; gone after the file's tests all pass (KEEP_TEST_DIRS=1 keeps it). */
export function tempDir(prefix = 'shls-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (madeDirs.push(dir) === 1) process.once('exit', removeMadeDirs);
  return dir;
}
