// test/integration/full-disk.test.ts: a full segment disk (a real 96 KiB tmpfs) loses nothing already published and never crashes.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runBatch } from '../../src/batch.js';
import { defaultConfig } from '../../src/config.js';
import { StorageError } from '../../src/errors.js';
import { memoryLogger, nullLogger } from '../../src/logger.js';
import { assertOneLine, cli } from '../helpers/cli.js';
import { makeTs } from '../helpers/media.js';
import { startTestServer, tempDir } from '../helpers/server.js';
import { publishBytes } from '../helpers/tcp.js';
import { waitFor } from '../helpers/wait.js';

function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Unmounts dir, retrying for up to 5 s: a file handle closed on the thread pool (a read-ahead or a
 * file stream cut by close) can outlive close() by a moment. Still busy after that is a leak. */
async function unmount(dir: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      return;
    } catch (e) {
      if (i >= 50) {
        execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
        throw e;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

describe('full disk', () => {
  it('keeps the published playlist valid, logs the write error and recovers when space returns', async (t) => {
    const dir = tempDir();
    const out = join(dir, 'segments');
    mkdirSync(out);
    if (!mountTmpfs(out, '96k')) return t.skip('mounting a tmpfs needs root (CI runs as root)');
    const log = memoryLogger();
    const s = await startTestServer({ out, window: 6 }, { dir, logger: log });
    try {
      // 128 kbit/s: about 35 KB per 2 s segment, so the third or fourth write hits ENOSPC.
      await publishBytes(s.ingestPort, readFileSync(await makeTs('mp3', 13)));
      await waitFor(
        () => log.lines.some((l) => l.level === 'error' && /ENOSPC/.test(l.msg)),
        'an ENOSPC error in the log',
      );
      await s.packager.idle();
      const text = await (await fetch(`${s.baseUrl}/hls/live.m3u8`)).text();
      const uris = text.split('\n').filter((l) => l.endsWith('.ts'));
      assert.ok(uris.length >= 1, 'what was written before the disk filled stays listed');
      // A segment whose parts were listed but whose file could not be written stays listed as
      // EXT-X-GAP (its sequence number was seen); clients do not load GAP URIs (§4.4.4.7).
      const gaps = new Set(
        [...text.matchAll(/#EXT-X-GAP\n#EXTINF:[^\n]*\n([^\n]+)\n/g)].map((m) => m[1]),
      );
      for (const u of uris.filter((x) => !gaps.has(x))) {
        const r = await fetch(`${s.baseUrl}/hls/${u}`);
        assert.equal(r.status, 200, `${u} is downloadable`);
        assert.equal((await r.arrayBuffer()).byteLength % 188, 0, `${u} is whole`);
      }
      // The on-disk playlist is the last good one (written by rename, never truncated).
      const onDisk = readFileSync(join(out, 'live.m3u8'), 'utf8');
      assert.match(onDisk, /^#EXTM3U\n[\s\S]*\.ts\n$/);
      // Space comes back (a bigger disk): the next publisher's segments are listed after a discontinuity.
      execFileSync('mount', ['-o', 'remount,size=4m', out]);
      await publishBytes(s.ingestPort, readFileSync(await makeTs('mp3', 5)));
      const after = await waitFor(async () => {
        const t2 = await (await fetch(`${s.baseUrl}/hls/live.m3u8`)).text();
        return t2.split('\n').filter((l) => l.endsWith('.ts')).length > uris.length ? t2 : null;
      }, 'new segments after space returned');
      assert.match(after, /#EXT-X-DISCONTINUITY\n/);
    } finally {
      await s.close();
      await unmount(out);
    }
  });

  it('batch mode stops at the first write that fails, in one line naming --out, and lists no hole', async (t) => {
    const dir = tempDir();
    const out = join(dir, 'segments');
    mkdirSync(out);
    if (!mountTmpfs(out, '96k')) return t.skip('mounting a tmpfs needs root (CI runs as root)');
    try {
      const input = await makeTs('mp3', 13);
      const r = await cli([
        ...['--input', input, '--vod', '--out', out, '--state-dir', join(dir, 'st')],
        ...['--segment-duration', '2', '--log-level', 'warn'],
      ]);
      assert.equal(r.code, 1, r.stderr);
      assertOneLine(
        r.stderr,
        /cannot write live-\S+\.ts in --out .*: no space left on the device \(ENOSPC\)$/,
      );
      // The playlist is written only after every segment: a failed run leaves none.
      assert.ok(!existsSync(join(out, 'live.m3u8')), 'no playlist');
      assert.ok(readdirSync(out).length >= 1, 'the segments that fitted were written');
      // The same with the writes on a second thread (what inputs of 256 MB and more get).
      execFileSync('sh', ['-c', `rm -f '${out}'/*`]);
      const cfg = { ...defaultConfig(), input, vod: true, out, segmentDurationSec: 2 };
      await assert.rejects(runBatch(cfg, nullLogger, undefined, 0), (e: unknown) => {
        assert.ok(e instanceof StorageError);
        assert.match(e.message, /^cannot write live-\S+\.ts in --out .*\(ENOSPC\)$/);
        return true;
      });
      assert.ok(!existsSync(join(out, 'live.m3u8')), 'no playlist (second thread)');
    } finally {
      await unmount(out);
    }
  });
});
