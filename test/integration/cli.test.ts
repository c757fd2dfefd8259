// test/integration/cli.test.ts: the scanner-hls command: config errors, batch/VOD mode, and a clean stop on SIGTERM.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { READ_CHUNK_BYTES, runBatch } from '../../src/batch.js';
import type { Clock } from '../../src/clock.js';
import { defaultConfig } from '../../src/config.js';
import { nullLogger } from '../../src/logger.js';
import { makeTs } from '../helpers/media.js';
import { readSection } from '../../src/ts/psi.js';
import { tempDir } from '../helpers/server.js';
import { closePublisher, openPublisher, writeAll } from '../helpers/tcp.js';
import { waitFor } from '../helpers/wait.js';

const exec = promisify(execFile);
const MAIN = new URL('../../src/main.ts', import.meta.url).pathname;

async function cli(args: string[], env: Record<string, string> = {}) {
  try {
    const r = await exec(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('configuration errors', () => {
  it('names the setting and its accepted range, and exits 2', async () => {
    const r = await cli(['--segment-duration', '0']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--segment-duration.*from 0\.5 to 30/);
  });

  it('says which environment variable is wrong', async () => {
    const r = await cli([], { SCANNER_HLS_WINDOW: 'many' });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--window \(from SCANNER_HLS_WINDOW\) "many": must be an integer from 3/,
    );
  });

  it('refuses a broken config file and an unknown key in it', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "window": 6,');
    let r = await cli(['--config', bad]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.json is not valid JSON/);
    writeFileSync(bad, JSON.stringify({ windw: 6 }));
    r = await cli(['--config', bad]);
    assert.match(r.stderr, /unknown key "windw"/);
  });

  it('refuses a state dir inside the served directory, and a window shorter than 3 target durations', async () => {
    let r = await cli(['--out', '/tmp/x', '--state-dir', '/tmp/x/state']);
    assert.match(r.stderr, /--state-dir .* must not lie inside/);
    r = await cli(['--window', '3', '--segment-duration', '1.5']);
    assert.match(r.stderr, /--window 3: .* shorter than 3 × target duration/);
  });

  it('prints help built from the settings table', async () => {
    const r = await cli(['--help']);
    assert.equal(r.code, 0);
    for (const flag of [
      '--ingest',
      '--http',
      '--out',
      '--stream',
      '--segment-duration',
      '--window',
      '--input',
      '--vod',
      '--state-dir',
    ]) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });
});

describe('batch mode (--input)', () => {
  it('--vod writes the golden VOD playlist and keeps every segment', async () => {
    const out = join(tempDir(), 'seg');
    const clock: Clock = {
      now: () => Date.parse('2026-11-24T03:00:00.000Z'),
      setTimer: () => () => undefined,
    };
    const cfg = {
      ...defaultConfig(),
      input: await makeTs('mp3', 13),
      vod: true,
      out,
      stream: 'vod',
      segmentDurationSec: 2,
    };
    const r = await runBatch(cfg, nullLogger, clock);
    assert.equal(r.segments, 7);
    const text = readFileSync(join(out, 'vod.m3u8'), 'utf8');
    assert.equal(
      text,
      readFileSync(new URL('../golden/batch-mp3-vod.m3u8', import.meta.url), 'utf8'),
    );
  });

  it('every segment starts with the same PAT and PMT, also after the read buffer was reused', async () => {
    const out = join(tempDir(), 'seg');
    const input = await makeTs('mp3', 60);
    assert.ok(statSync(input).size > 3 * READ_CHUNK_BYTES, 'the input spans several reads');
    const cfg = { ...defaultConfig(), input, vod: true, out, stream: 'vod', segmentDurationSec: 2 };
    const r = await runBatch(cfg, nullLogger);
    assert.equal(r.segments, 30);
    // The first two packets without their continuity counters, which count on per segment.
    const psi = (name: string): string => {
      const b = Buffer.from(readFileSync(join(out, name)).subarray(0, 2 * 188));
      b[3] &= 0xf0;
      b[188 + 3] &= 0xf0;
      return b.toString('hex');
    };
    const names = readdirSync(out).filter((f) => f.endsWith('.ts'));
    const pmt = readSection(readFileSync(join(out, names[0] ?? '')), 188);
    assert.ok(typeof pmt !== 'string' && pmt.tableId === 0x02, 'the first segment has a valid PMT');
    const first = psi(names[0] ?? '');
    for (const name of names) assert.equal(psi(name), first, name);
  });

  it('the second-thread writer (big inputs) leaves the same files and playlist as the inline one', async () => {
    const clock: Clock = {
      now: () => Date.parse('2026-11-24T03:00:00.000Z'),
      setTimer: () => () => undefined,
    };
    const input = await makeTs('mp3', 60);
    // VOD keeps every segment; a 4-segment window also deletes the ones that slide out.
    for (const over of [{ vod: true }, { vod: false, window: 4 }]) {
      const dirs: string[] = [];
      for (const threshold of [0, Infinity]) {
        const out = join(tempDir(), 'seg');
        const cfg = { ...defaultConfig(), ...over, input, out, stream: 'b', segmentDurationSec: 2 };
        await runBatch(cfg, nullLogger, clock, threshold);
        dirs.push(out);
      }
      const [threaded, inline] = dirs.map((d) =>
        readdirSync(d)
          .sort()
          .map((n) => `${n} ${readFileSync(join(d, n)).toString('base64')}`),
      );
      assert.ok((threaded ?? []).length >= 5, `${JSON.stringify(over)}: files were written`);
      assert.deepEqual(threaded, inline, JSON.stringify(over));
    }
  });

  it('without --vod keeps only the last window and ends the playlist', async () => {
    const dir = tempDir();
    const out = join(dir, 'seg');
    const r = await cli([
      '--input',
      await makeTs('mp3', 21),
      '--out',
      out,
      '--state-dir',
      join(dir, 'st'),
      '--window',
      '3',
      '--segment-duration',
      '3',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(out, 'live.m3u8'), 'utf8');
    assert.match(text, /#EXT-X-MEDIA-SEQUENCE:4\n/);
    assert.match(text, /#EXT-X-ENDLIST\n$/);
    assert.ok(!text.includes('PLAYLIST-TYPE'));
    const files = (await import('node:fs')).readdirSync(out).filter((f) => f.endsWith('.ts'));
    assert.equal(files.length, 3);
  });
});

describe('stopping', () => {
  it('on SIGTERM publishes the segment in progress, saves state and exits 0', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        MAIN,
        '--http',
        '127.0.0.1:0',
        '--ingest',
        'tcp://127.0.0.1:0',
        '--out',
        join(dir, 'seg'),
        '--state-dir',
        join(dir, 'st'),
        '--segment-duration',
        '2',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const port = Number(
      await waitFor(() => /ingest: +tcp:\/\/[^:]+:(\d+)/.exec(stdout)?.[1], 'banner'),
    );
    const file = readFileSync(await makeTs('mp3', 9));
    const pub = await openPublisher(port);
    // About 3.5 s of audio: one full 2 s segment, and one in progress.
    await writeAll(pub, file.subarray(0, Math.floor((file.length * 3.5) / 9 / 188) * 188));
    await waitFor(
      () => readFileSync(join(dir, 'seg', 'live.m3u8'), 'utf8').includes('#EXTINF'),
      'first segment',
    );
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    await closePublisher(pub).catch(() => undefined);
    const text = readFileSync(join(dir, 'seg', 'live.m3u8'), 'utf8');
    const durations = [...text.matchAll(/#EXTINF:([\d.]+)/g)].map((m) => Number(m[1]));
    assert.equal(durations.length, 2);
    assert.ok(durations[1] > 1 && durations[1] < 2, `partial segment ${durations[1]}`);
    const state = JSON.parse(readFileSync(join(dir, 'st', 'live.state.json'), 'utf8')) as {
      window: { nextMsn: number };
    };
    assert.equal(state.window.nextMsn, 2);
  });
});
