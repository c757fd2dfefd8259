// test/helpers/media.ts: real encoder output for tests: ffmpeg-made TS files (cached per run) and live ffmpeg publishers.
import { LOW_LATENCY_MUX_ARGS } from '../../src/ingest/capture-command.js';
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
// Shared by the test files of a run (each runs in its own process); files appear by rename, whole.
const CACHE = join(tmpdir(), 'scanner-hls-media-v1');

/** Files being made in this process: concurrent tests asking for the same one share its making. */
const making = new Map<string, Promise<string>>();
let tmpCount = 0;

/**
 * The cached media file `name` in the shared cache directory, made once by make(tmp) (which
 * writes tmp) and renamed into place whole. Two tests of one file asking at once share one
 * making; the temp name is unique to the call, so processes and calls never rename each
 * other's half-written file (two relay tests once did, with one pid-named temp file: ENOENT).
 */
export function cachedFile(name: string, make: (tmp: string) => Promise<void>): Promise<string> {
  mkdirSync(CACHE, { recursive: true });
  const file = join(CACHE, name);
  if (existsSync(file)) return Promise.resolve(file);
  const pending = making.get(file);
  if (pending) return pending;
  const tmp = `${file}.${process.pid}-${++tmpCount}.tmp`;
  const p = make(tmp)
    .then(() => {
      renameSync(tmp, file);
      return file;
    })
    .finally(() => making.delete(file));
  making.set(file, p);
  return p;
}

/** Kinds of test stream, each made by ffmpeg from lavfi sources. */
export type MediaKind = 'mp3' | 'mp3-lsf' | 'aac' | 'h264' | 'mp3-two-programs' | 'mp3-gst';

/** GStreamer's shape of the 2009 pipeline (lamemp3enc ! mpegaudioparse ! mpegtsmux): one 26 ms frame per PES. */
function gstArgs(seconds: number, file: string): string[] {
  // audiotestsrc's default buffers are 1024 samples at 44.1 kHz.
  const buffers = Math.ceil((seconds * 44100) / 1024);
  return [
    '-q',
    ...['audiotestsrc', `num-buffers=${buffers}`, '!', 'audio/x-raw,rate=44100,channels=1'],
    ...['!', 'audioconvert', '!', 'lamemp3enc', 'target=bitrate', 'cbr=true', 'bitrate=32'],
    ...['!', 'mpegaudioparse', '!', 'mpegtsmux', '!', 'filesink', `location=${file}`],
  ];
}

/** ffmpeg arguments (after the inputs) for each kind. */
function encodeArgs(kind: MediaKind, seconds: number): string[] {
  const tone = (rate: number) => [
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=440:sample_rate=${rate}:duration=${seconds}`,
  ];
  switch (kind) {
    case 'mp3':
      return [...tone(44100), '-c:a', 'libmp3lame', '-b:a', '128k'];
    case 'mp3-lsf':
      return [...tone(22050), '-ac', '1', '-c:a', 'libmp3lame', '-b:a', '16k'];
    case 'aac':
      return [...tone(48000), '-c:a', 'aac', '-b:a', '64k'];
    case 'mp3-two-programs':
      return [
        ...tone(44100),
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=880:sample_rate=44100:duration=${seconds}`,
        '-map',
        '0:a',
        '-map',
        '1:a',
        '-c:a',
        'libmp3lame',
        '-b:a',
        '64k',
        '-program',
        'program_num=7:title=first:st=0',
        '-program',
        'program_num=9:title=second:st=1',
      ];
    case 'mp3-gst':
      throw new Error('mp3-gst is made by GStreamer, not ffmpeg');
    case 'h264':
      return [
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=320x180:rate=25:duration=${seconds}`,
        ...tone(48000),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '25',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-b:a',
        '64k',
      ];
  }
}

/** Makes (once, cached in the temp dir) a TS file of the kind and length; returns its path. */
export function makeTs(kind: MediaKind, seconds: number, extra: string[] = []): Promise<string> {
  const name = `${kind}-${seconds}${extra.length ? '-' + extra.join('').replace(/\W/g, '') : ''}.ts`;
  return cachedFile(name, async (tmp) => {
    if (kind === 'mp3-gst') {
      await run('gst-launch-1.0', gstArgs(seconds, tmp));
      return;
    }
    await run('ffmpeg', [
      '-hide_banner',
      '-loglevel',
      'error',
      '-y',
      ...encodeArgs(kind, seconds),
      ...extra,
      '-f',
      'mpegts',
      tmp,
    ]);
  });
}

/**
 * A live ffmpeg publisher pushing a file (or a lavfi source) in real time to tcp://host:port;
 * lowLatency muxes as an LL encoder does (README, "Encoders"): one frame per PES, no mux delay,
 * each packet flushed.
 */
export function publishLive(
  file: string,
  port: number,
  opts: { loop?: boolean; lowLatency?: boolean } = {},
): ChildProcess {
  const args = ['-hide_banner', '-loglevel', 'error', '-re'];
  if (opts.loop) args.push('-stream_loop', '-1');
  args.push('-i', file, '-c', 'copy');
  if (opts.lowLatency) {
    args.push(...LOW_LATENCY_MUX_ARGS);
  }
  args.push('-f', 'mpegts', `tcp://127.0.0.1:${port}`);
  return spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Stops a child process and waits for it to exit. */
export async function stopProcess(
  p: ChildProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill(signal);
  });
}

/** Runs ffprobe and returns its JSON output. */
export async function ffprobeJson(target: string, entries: string[]): Promise<unknown> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-of', 'json', ...entries, target]);
  return JSON.parse(stdout) as unknown;
}

/** Decodes target with ffmpeg; returns stderr at warning level (empty when clean). */
export async function ffmpegDecodeErrors(target: string, extra: string[] = []): Promise<string> {
  const { stderr } = await run(
    'ffmpeg',
    ['-hide_banner', '-v', 'warning', ...extra, '-i', target, '-f', 'null', '-'],
    {
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return stderr.trim();
}
