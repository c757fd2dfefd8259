// test/helpers/cli.ts: runs the real CLI (src/main.ts under tsx) to its exit, and checks a user's mistake is one line.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);
/** The CLI's source entry point. */
export const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

/** Runs scanner-hls with args; its exit code and stderr. */
export async function cli(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', MAIN, ...args], { timeout: 20_000 });
    return { code: 0, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stderr: string };
    return { code: err.code, stderr: err.stderr };
  }
}

/** One line, "scanner-hls: …", no "    at file:line:col" frames. */
export function assertOneLine(stderr: string, pattern: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line:\n${stderr}`);
  assert.doesNotMatch(stderr, /^\s+at .+:\d+:\d+/m, 'no stack trace');
  assert.match(lines[0] ?? '', /^scanner-hls: /);
  assert.match(lines[0] ?? '', pattern);
}
