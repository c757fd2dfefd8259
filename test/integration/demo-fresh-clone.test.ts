// test/integration/demo-fresh-clone.test.ts: the README's first command works on a fresh clone: npm ci, then npm run demo, with no ffmpeg on the PATH.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { tempDir } from '../helpers/server.js';
import { waitFor } from '../helpers/wait.js';

const run = promisify(execFile);
const ROOT = new URL('../..', import.meta.url).pathname;

/** A PATH holding only node, npm and sh (npm runs scripts with sh), so the demo cannot lean on ffmpeg. */
async function bareBin(dir: string): Promise<string> {
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const { stdout } = await run('sh', ['-c', 'command -v npm']);
  symlinkSync(stdout.trim(), join(bin, 'npm'));
  symlinkSync('/bin/sh', join(bin, 'sh'));
  return bin;
}

describe('the demo from a fresh clone', () => {
  it('npm ci && npm run demo serves the looped clip and the simulated scanner', async () => {
    const dir = tempDir('shls-clone-');
    const clone = join(dir, 'scanner-hls');
    await run('git', ['clone', '--quiet', ROOT, clone]);
    await run('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: clone,
      timeout: 240_000,
    });
    const env = { ...process.env, PATH: await bareBin(dir) };
    const demo = spawn('npm', ['run', 'demo', '--', '--http', '127.0.0.1:0'], {
      cwd: clone,
      env,
      detached: true,
    });
    let out = '';
    demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<void>((resolve) => demo.once('exit', () => resolve()));
    try {
      const page = await waitFor(
        () => {
          if (demo.exitCode !== null) throw new Error(`the demo exited:\n${out}`);
          return /page: +(http:\/\/\S+)/.exec(out)?.[1];
        },
        'the page URL',
        30_000,
      );
      const playlist = await waitFor(
        async () => {
          const r = await fetch(new URL('/hls/live.m3u8', page));
          const text = r.status === 200 ? await r.text() : '';
          // LL-HLS: the playlist is served from the first part; wait for a whole segment.
          return text.includes('#EXTINF:') ? text : null;
        },
        'the live playlist with a segment',
        20_000,
      );
      assert.match(playlist, /#EXTINF:/);
      assert.match(playlist, /#EXT-X-PART-INF:PART-TARGET=/, 'the demo is low-latency');
      const scanner = (await (await fetch(new URL('/api/scanner', page))).json()) as {
        connected: boolean;
      };
      assert.equal(scanner.connected, true);
      assert.equal((await fetch(page)).status, 200);
    } finally {
      if (demo.exitCode === null) process.kill(-(demo.pid ?? 0), 'SIGINT');
      await exited;
    }
  });
});
