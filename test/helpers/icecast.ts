// test/helpers/icecast.ts: runs a real icecast2 (Debian's 2.4.4) as a child process on a free loopback port, restarts it, and reads its status-json.xsl.
import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type {
  AudioChunk,
  AudioCodec,
  AudioFeed,
  TitleSource,
} from '../../src/live-audio/audio-feed-types.js';
import { parseAdtsHeader, parseMpegAudioHeader } from '../../src/ts/audio-frames.js';
import { cachedFile, stopProcess } from './media.js';
import { freePort } from './nginx.js';
import { tempDir } from './server.js';

/** A running icecast2. */
export interface TestIcecast {
  port: number;
  baseUrl: string;
  sourcePassword: string;
  adminPassword: string;
  dir: string;
  /** The error log so far. */
  errors(): string;
  /** GET /status-json.xsl, parsed. */
  status(): Promise<IcecastStatus>;
  /** The source entry for mount ("/feed"), or null when none is connected. */
  source(mount: string): Promise<IcecastSource | null>;
  /** Stops and starts again on the same port (its sources are dropped). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The parts of status-json.xsl the tests read. */
export interface IcecastSource {
  listenurl: string;
  server_type?: string;
  title?: string | number;
  server_name?: string;
  audio_info?: string;
  bitrate?: number | string;
}
export interface IcecastStatus {
  icestats: { source?: IcecastSource | IcecastSource[] };
}

const SHARE = '/usr/share/icecast2';
const run = promisify(execFile);

/** An icecast.xml for one test: loopback only, 10 s source timeout (the default), logs in dir. */
function config(
  dir: string,
  port: number,
  sourcePassword: string,
  adminPassword: string,
  asRoot: boolean,
): string {
  return `<icecast>
  <location>test</location><admin>test@localhost</admin>
  <limits>
    <clients>20</clients><sources>4</sources><queue-size>524288</queue-size>
    <client-timeout>30</client-timeout><header-timeout>15</header-timeout>
    <source-timeout>10</source-timeout><burst-size>16384</burst-size>
  </limits>
  <authentication>
    <source-password>${sourcePassword}</source-password>
    <relay-password>${sourcePassword}</relay-password>
    <admin-user>admin</admin-user><admin-password>${adminPassword}</admin-password>
  </authentication>
  <hostname>127.0.0.1</hostname>
  <listen-socket><port>${port}</port><bind-address>127.0.0.1</bind-address></listen-socket>
  <fileserve>1</fileserve>
  <paths>
    <basedir>${SHARE}</basedir>
    <logdir>${dir}/log</logdir>
    <webroot>${SHARE}/web</webroot>
    <adminroot>${SHARE}/admin</adminroot>
    <pidfile>${dir}/icecast.pid</pidfile>
  </paths>
  <logging>
    <accesslog>access.log</accesslog><errorlog>error.log</errorlog><loglevel>3</loglevel>
  </logging>
  <security>
    <chroot>0</chroot>
    ${asRoot ? '<changeowner><user>icecast2</user><group>icecast</group></changeowner>' : ''}
  </security>
</icecast>
`;
}

/** Starts icecast2 on a free port (or the given one); resolves once status-json.xsl answers. */
export async function startIcecast(opts: { port?: number } = {}): Promise<TestIcecast> {
  const port = opts.port ?? (await freePort());
  const dir = tempDir('shls-icecast-');
  mkdirSync(join(dir, 'log'));
  // Icecast refuses to run as root; as root it drops to icecast2:icecast, who must write the logs.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'icecast2']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'icecast2']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(join(dir, 'log'), uid, gid);
  }
  const sourcePassword = 'hackme-source';
  const adminPassword = 'hackme-admin';
  const file = join(dir, 'icecast.xml');
  writeFileSync(file, config(dir, port, sourcePassword, adminPassword, asRoot));
  const baseUrl = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;

  const errors = (): string => {
    try {
      return readFileSync(join(dir, 'log', 'error.log'), 'utf8');
    } catch {
      return '';
    }
  };
  const status = async (): Promise<IcecastStatus> => {
    const r = await fetch(`${baseUrl}/status-json.xsl`);
    if (!r.ok) throw new Error(`status-json.xsl: ${r.status}`);
    // Icecast 2.4.4's status-json.xsl loses the "{" after "icestats" when the first global stat
    // it prints is one it hides (here: no admin/host/location stats before a reload), giving
    // {"icestats":"server_start":…}; that one known shape is repaired, anything else must parse.
    const text = (await r.text()).replace(/^\{"icestats":"/, '{"icestats":{"');
    return JSON.parse(text) as IcecastStatus;
  };
  const source = async (mount: string): Promise<IcecastSource | null> => {
    const s = (await status()).icestats.source;
    const list = s === undefined ? [] : Array.isArray(s) ? s : [s];
    return list.find((x) => new URL(x.listenurl).pathname === mount) ?? null;
  };
  const start = async (): Promise<void> => {
    const p = spawn('icecast2', ['-c', file], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child = p;
    // An icecast2 outlives a test process that dies; this ends it with the process.
    const reap = (): void => void p.kill();
    process.once('exit', reap);
    p.once('exit', () => process.off('exit', reap));
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(
          `icecast2 exited (${p.exitCode ?? p.signalCode}): ${stderr.trim()} ${errors().trim()}`,
        );
      }
      try {
        if ((await fetch(`${baseUrl}/status-json.xsl`)).ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(
          `icecast2 on port ${port} did not answer in 20 s: ${stderr.trim()} ${errors().trim()}`,
        );
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const stop = async (): Promise<void> => {
    if (child) await stopProcess(child);
    child = null;
  };
  await start();
  return {
    port,
    baseUrl,
    sourcePassword,
    adminPassword,
    dir,
    errors,
    status,
    source,
    async restart() {
      await stop();
      await start();
    },
    stop,
  };
}

// ---------------------------------------------------------------------------------------------
// A real-time audio feed for relay tests (the AudioFeed contract, fed from an ffmpeg-made file)
// ---------------------------------------------------------------------------------------------

/** An encoded file of whole frames: MP3 (libmp3lame, no Xing/ID3) or ADTS (ffmpeg's aac). */
export async function makeAudioFile(
  codec: AudioCodec,
  opts: { seconds?: number; sampleRate?: number; channels?: number; bitrate?: string } = {},
): Promise<string> {
  const seconds = opts.seconds ?? 10;
  const rate = opts.sampleRate ?? 22050;
  const channels = opts.channels ?? 1;
  const bitrate = opts.bitrate ?? (codec === 'mp3' ? '16k' : '32k');
  return cachedFile(
    `relay-${codec}-${seconds}-${rate}-${channels}-${bitrate}.${codec}`,
    async (tmp) => {
      await run('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi'],
        ...[
          '-i',
          `sine=frequency=440:sample_rate=${rate}:duration=${seconds}`,
          '-ac',
          String(channels),
        ],
        ...(codec === 'mp3'
          ? [
              '-c:a',
              'libmp3lame',
              '-b:a',
              bitrate,
              '-write_xing',
              '0',
              '-id3v2_version',
              '0',
              '-f',
              'mp3',
            ]
          : ['-c:a', 'aac', '-b:a', bitrate, '-f', 'adts']),
        tmp,
      ]);
    },
  );
}

/** A TestFeed: an AudioFeed and TitleSource the test drives. */
export interface TestFeed extends AudioFeed, TitleSource {
  /** Stops emitting (an input gap) until resume(). */
  pause(): void;
  resume(): void;
  setTitle(t: string | null): void;
  /** Bytes of frames emitted so far. */
  emittedBytes(): number;
  close(): void;
}

/** Emits the file's frames in real time, chunkMs at a time, looping; codec from the file. */
export function startTestFeed(file: string, codec: AudioCodec, chunkMs = 200): TestFeed {
  const bytes = readFileSync(file);
  const frames: { bytes: Uint8Array; ms: number; sampleRate: number }[] = [];
  for (let i = 0; i + 7 <= bytes.length;) {
    const info = codec === 'mp3' ? parseMpegAudioHeader(bytes, i) : parseAdtsHeader(bytes, i);
    if (!info) throw new Error(`${file}: no frame at byte ${i}`);
    frames.push({
      bytes: bytes.subarray(i, i + info.frameBytes),
      ms: (info.samples * 1000) / info.sampleRate,
      sampleRate: info.sampleRate,
    });
    i += info.frameBytes;
  }
  const channels =
    codec === 'mp3' ? (bytes[3] >> 6 === 3 ? 1 : 2) : ((bytes[2] & 1) << 2) | (bytes[3] >> 6);
  const subs = new Set<(c: AudioChunk) => void>();
  const titleSubs = new Set<(t: string | null) => void>();
  const recentChunks: AudioChunk[] = [];
  let title: string | null = null;
  let next = 0;
  let paused = false;
  let emitted = 0;
  let audioMs = 0;
  const t0 = Date.now();
  const timer = setInterval(() => {
    const due = Date.now() - t0;
    const run: Uint8Array[] = [];
    let ms = 0;
    while (audioMs < due) {
      const f = frames[next];
      next = (next + 1) % frames.length;
      audioMs += f.ms;
      if (paused) continue;
      run.push(f.bytes);
      ms += f.ms;
    }
    if (!run.length) return;
    const chunk: AudioChunk = {
      codec,
      sampleRate: frames[0].sampleRate,
      channels,
      frames: Buffer.concat(run),
      durationSec: ms / 1000,
      discontinuity: false,
    };
    emitted += chunk.frames.length;
    recentChunks.push(chunk);
    if (recentChunks.length > 50) recentChunks.shift();
    for (const fn of subs) fn(chunk);
  }, chunkMs);
  return {
    subscribe(fn) {
      subs.add(fn);
      return () => subs.delete(fn);
    },
    recent(sec) {
      const out: AudioChunk[] = [];
      let total = 0;
      for (let k = recentChunks.length - 1; k >= 0 && total < sec; k--) {
        out.unshift(recentChunks[k]);
        total += recentChunks[k].durationSec;
      }
      return out;
    },
    format: () => (emitted ? { codec, sampleRate: frames[0].sampleRate, channels } : null),
    current: () => title,
    onChange(fn) {
      titleSubs.add(fn);
      return () => titleSubs.delete(fn);
    },
    setTitle(t) {
      title = t;
      for (const fn of titleSubs) fn(t);
    },
    pause: () => void (paused = true),
    resume: () => void (paused = false),
    emittedBytes: () => emitted,
    close: () => clearInterval(timer),
  };
}
