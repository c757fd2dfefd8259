// scripts/bench.ts: npm run bench: segments the same inputs with scanner-hls --input and with ffmpeg -c copy -f hls (its VOD form and its plain command line),
// and prints wall time, CPU and peak memory of both and of the Node.js floor, with the ratios. Needs ffmpeg and GNU time
// (apt-get install ffmpeg time). BENCH_RUNS=n runs each input n times (the 10 h input at most 3); BENCH_ONLY=10h runs
// only the inputs whose name contains that text.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(new URL('..', import.meta.url).pathname);
const INPUTS = join(ROOT, 'bench-out');
// A RAM-backed output directory keeps disk noise out of both tools' figures.
const OUT_BASE = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ONLY = process.env.BENCH_ONLY ?? '';
const GNU_TIME = '/usr/bin/time';

interface Input {
  name: string;
  file: string;
  make: string[];
  /** At most this many runs (ffmpeg takes about a minute per run on the 10 h input). */
  maxRuns?: number;
}

/** ffmpeg arguments for hours of a 440 Hz tone as 128 kbit/s MP3. */
function mp3Tone(seconds: number): string[] {
  return [
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=44100:duration=${seconds}`,
    '-c:a',
    'libmp3lame',
    '-b:a',
    '128k',
  ];
}

const inputs: Input[] = [
  {
    name: '1 h MP3 128 kbit/s audio',
    file: join(INPUTS, 'audio-1h-mp3.mpegts'),
    make: mp3Tone(3600),
  },
  {
    // 18,000 segments: what a per-segment cost that grows with the playlist shows up in.
    name: '10 h MP3 128 kbit/s audio',
    file: join(INPUTS, 'audio-10h-mp3.mpegts'),
    make: mp3Tone(36000),
    maxRuns: 3,
  },
  {
    name: '2 min 720p H.264 + AAC',
    file: join(INPUTS, 'video-2min-720p.mpegts'),
    make: [
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=1280x720:rate=30:duration=120',
      '-f',
      'lavfi',
      '-i',
      'sine=frequency=440:sample_rate=48000:duration=120',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-g',
      '60',
      '-b:v',
      '3M',
      '-pix_fmt',
      'yuv420p',
      '-c:a',
      'aac',
      '-b:a',
      '128k',
    ],
  },
];

interface Sample {
  wallSec: number;
  cpuSec: number;
  peakMb: number;
}

function ensureInput(i: Input): void {
  if (existsSync(i.file)) return;
  mkdirSync(INPUTS, { recursive: true });
  process.stdout.write(`generating ${i.file} with ffmpeg (once; the 10 h file takes minutes)...\n`);
  const tmp = `${i.file}.tmp`;
  execFileSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-y', ...i.make, '-f', 'mpegts', tmp],
    { stdio: 'inherit' },
  );
  renameSync(tmp, i.file);
}

/** Reads the file once so every tool's first run finds it in the page cache, as its later runs do. */
function warm(file: string): void {
  const fd = openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  while (readSync(fd, buf) > 0);
  closeSync(fd);
}

/** Every directory a measured run writes into. */
const OUT_DIRS = ['bench-scanner-hls', 'bench-state', 'bench-ffmpeg', 'bench-floor'].map((d) =>
  join(OUT_BASE, d),
);

/**
 * Runs cmd under GNU time; returns wall, user+sys CPU and max RSS. Every tool starts on an empty
 * RAM disk: the pages the last run's 716 MB of output held are freed first. Left in place, they
 * made the next tool's writes find fresh pages, and on this VM that moved one run's system time
 * between 0.6 and 2.8 s (the floor's, seen with ffmpeg's output still there).
 */
function measure(cmd: string[], outDir: string): Sample {
  for (const d of OUT_DIRS) rmSync(d, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const r = spawnSync(GNU_TIME, ['-f', 'BENCH %e %U %S %M', ...cmd], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed:\n${r.stderr}`);
  const m = /BENCH ([\d.]+) ([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no timing from GNU time:\n${r.stderr}`);
  return {
    wallSec: Number(m[1]),
    cpuSec: Number(m[2]) + Number(m[3]),
    peakMb: Number(m[4]) / 1024,
  };
}

/** ffmpeg -c copy -f hls -hls_time 2 of input into dir, with playlist options between. */
function ffmpegHls(input: string, dir: string, playlistOptions: string[]): string[] {
  return [
    ...['ffmpeg', '-hide_banner', '-loglevel', 'error', '-i', input],
    ...['-c', 'copy', '-f', 'hls', '-hls_time', '2', ...playlistOptions],
    ...['-hls_segment_filename', join(dir, 'seg%d.ts'), join(dir, 'index.m3u8')],
  ];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function summarise(samples: Sample[]): Sample {
  return {
    wallSec: median(samples.map((s) => s.wallSec)),
    cpuSec: median(samples.map((s) => s.cpuSec)),
    peakMb: Math.max(...samples.map((s) => s.peakMb)),
  };
}

function main(): void {
  if (!existsSync(GNU_TIME)) {
    process.stderr.write('bench: GNU time is missing; install it with: apt-get install time\n');
    process.exit(2);
  }
  const mainJs = join(ROOT, 'dist', 'main.js');
  if (!existsSync(mainJs)) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const ffmpegVersion = execFileSync('ffmpeg', ['-version'], { encoding: 'utf8' }).split('\n')[0];
  process.stdout.write(
    `scanner-hls vs ffmpeg vs the Node.js floor, up to ${RUNS} alternating runs each, median wall/CPU, max peak RSS\n` +
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, node ${process.version}, ${ffmpegVersion}\n` +
      `output directory: ${OUT_BASE}\n\n`,
  );
  for (const input of inputs.filter((i) => i.name.includes(ONLY))) {
    ensureInput(input);
    warm(input.file);
    const mb = statSync(input.file).size / 1e6;
    const runs = Math.min(RUNS, input.maxRuns ?? RUNS);
    const ours: Sample[] = [];
    const theirs: Sample[] = [];
    const theirsLive: Sample[] = [];
    const floor: Sample[] = [];
    const oursDir = join(OUT_BASE, 'bench-scanner-hls');
    const ffDir = join(OUT_BASE, 'bench-ffmpeg');
    const floorDir = join(OUT_BASE, 'bench-floor');
    let segs = 0;
    // The three alternate within each run, so a busy moment of the machine hits all of them.
    for (let run = 0; run < runs; run++) {
      ours.push(
        measure(
          [
            'node',
            mainJs,
            '--input',
            input.file,
            '--vod',
            '--out',
            oursDir,
            '--state-dir',
            join(OUT_BASE, 'bench-state'),
            '--segment-duration',
            '2',
            '--log-level',
            'warn',
          ],
          oursDir,
        ),
      );
      segs = readdirSync(oursDir).filter((f) => f.endsWith('.ts')).length;
      theirs.push(
        measure(
          ffmpegHls(input.file, ffDir, ['-hls_list_size', '0', '-hls_playlist_type', 'vod']),
          ffDir,
        ),
      );
      // ffmpeg's plain command line (-c copy -f hls -hls_time 2): it keeps every segment file but
      // rewrites a 5-entry live playlist, so it does less playlist work than the VOD row above.
      theirsLive.push(measure(ffmpegHls(input.file, ffDir, []), ffDir));
      // The floor: start Node, read the input, write it back out as the same number of files.
      floor.push(
        measure(
          ['node', join(ROOT, 'scripts', 'bench-floor.mjs'), input.file, floorDir, String(segs)],
          floorDir,
        ),
      );
    }
    const a = summarise(ours);
    const b = summarise(theirs);
    const bl = summarise(theirsLive);
    const f = summarise(floor);
    const line = (label: string, x: Sample): string =>
      `  ${label.padEnd(12)} wall ${x.wallSec.toFixed(2)} s  cpu ${x.cpuSec.toFixed(2)} s  peak ${x.peakMb.toFixed(0)} MB`;
    process.stdout.write(
      [
        `${input.name} (${mb.toFixed(1)} MB, ${segs} segments, ${runs} runs)`,
        line('scanner-hls', a),
        line('ffmpeg', b) +
          '  (-hls_list_size 0 -hls_playlist_type vod: the same playlist as --vod)',
        line('ffmpeg plain', bl) + '  (-c copy -f hls -hls_time 2: a 5-entry live playlist)',
        line('node floor', f) + `  (start, read, write ${segs} files, no parsing)`,
        `  scanner-hls / ffmpeg  ${(a.wallSec / b.wallSec).toFixed(2)} wall, ${(a.cpuSec / b.cpuSec).toFixed(2)} cpu  (below 1: faster than ffmpeg)`,
        `  scanner-hls / ffmpeg plain  ${(a.wallSec / bl.wallSec).toFixed(2)} wall, ${(a.cpuSec / bl.cpuSec).toFixed(2)} cpu`,
        `  scanner-hls / floor   ${(a.wallSec / f.wallSec).toFixed(2)} wall, ${(a.cpuSec / f.cpuSec).toFixed(2)} cpu  (floor / ffmpeg ${(f.wallSec / b.wallSec).toFixed(2)} wall: the best any Node.js program could do)`,
        '',
      ].join('\n') + '\n',
    );
  }
  for (const d of OUT_DIRS) rmSync(d, { recursive: true, force: true });
}

main();
