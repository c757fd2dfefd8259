// test/integration/live-audio-client.ts: clients for the /live.mp3 tests: a raw HTTP/1.1 reader, ffmpeg and ffprobe as listeners, and the check that a listener's bytes are the segments' frames.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { connect } from 'node:net';
import { promisify } from 'node:util';
import type { TestServer } from '../helpers/server.js';

const run = promisify(execFile);

/** A raw HTTP/1.1 GET; resolves with the header text and the body bytes read in forMs, each with its arrival time. */
export function rawGet(
  url: string,
  forMs: number,
  headers: Record<string, string> = {},
): Promise<{ head: string; body: Buffer; arrivals: { atMs: number; bytes: number }[] }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(u.port), u.hostname);
    const parts: Buffer[] = [];
    let head: string | null = null;
    let start = 0;
    const arrivals: { atMs: number; bytes: number }[] = [];
    const extra = Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    sock.on('connect', () => {
      start = Date.now();
      sock.write(`GET ${u.pathname} HTTP/1.1\r\nHost: ${u.host}\r\n${extra}\r\n`);
    });
    sock.on('data', (d: Buffer) => {
      if (head === null) {
        parts.push(d);
        const all = Buffer.concat(parts);
        const end = all.indexOf('\r\n\r\n');
        if (end < 0) return;
        head = all.subarray(0, end).toString('latin1');
        parts.length = 0;
        d = all.subarray(end + 4);
        setTimeout(() => sock.destroy(), forMs);
      }
      arrivals.push({ atMs: Date.now() - start, bytes: d.length });
      parts.push(d);
    });
    sock.on('error', reject);
    sock.on('close', () => resolve({ head: head ?? '', body: Buffer.concat(parts), arrivals }));
  });
}

export function header(head: string, name: string): string | null {
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head);
  return m ? m[1].trim() : null;
}

/** ffmpeg decodes url for sec seconds to 8 kHz mono PCM; resolves with its exit code, stderr and PCM byte count. */
export function ffmpegListen(
  url: string,
  sec: number,
): Promise<{ code: number | null; stderr: string; pcm: number }> {
  return new Promise((resolve) => {
    const p = spawn(
      'ffmpeg',
      // -ac 1 -ar 8000 -f s16le: 16,000 bytes a second of decoded audio.
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        url,
        '-t',
        String(sec),
        '-ac',
        '1',
        '-ar',
        '8000',
        '-f',
        's16le',
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    let pcm = 0;
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.stdout.on('data', (d: Buffer) => (pcm += d.length));
    p.on('exit', (code) => resolve({ code, stderr, pcm }));
  });
}

/** The format tags ffprobe reads from url (icy-* headers and the first StreamTitle). */
export async function ffprobeTags(url: string): Promise<Record<string, string | undefined>> {
  const { stdout } = await run('ffprobe', [
    '-v',
    'error',
    '-show_entries',
    'format_tags',
    '-of',
    'json',
    url,
  ]);
  const parsed = JSON.parse(stdout) as { format?: { tags?: Record<string, string> } };
  return parsed.format?.tags ?? {};
}

/**
 * Waits for the segment the listener ended in to be listed, demuxes every listed segment with
 * ffmpeg (-c copy to raw MP3 / ADTS) and checks the listener's bytes are one run inside them.
 */
export async function checkInSegments(
  s: TestServer,
  body: Buffer,
  codec: 'mp3' | 'aac',
): Promise<void> {
  await new Promise((r) => setTimeout(r, 2500));
  const text = await (await fetch(`${s.baseUrl}/hls/live.m3u8`)).text();
  const uris = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
  assert.ok(uris.length >= 2, text);
  const es: Buffer[] = [];
  for (const uri of uris) {
    const seg = Buffer.from(await (await fetch(new URL(uri, `${s.baseUrl}/hls/`))).arrayBuffer());
    const args =
      codec === 'mp3' ? ['-f', 'mp3', '-write_xing', '0', '-id3v2_version', '0'] : ['-f', 'adts'];
    const out = await new Promise<Buffer>((resolve, reject) => {
      const p = execFile(
        'ffmpeg',
        [
          '-hide_banner',
          '-loglevel',
          'error',
          '-f',
          'mpegts',
          '-i',
          'pipe:0',
          '-map',
          '0:a',
          '-c',
          'copy',
          ...args,
          'pipe:1',
        ],
        { encoding: 'buffer', maxBuffer: 1 << 26 },
        (err, stdout) => (err ? reject(new Error(err.message)) : resolve(stdout)),
      );
      p.stdin?.end(seg);
    });
    es.push(out);
  }
  const all = Buffer.concat(es);
  // The listener's last bytes may be a frame cut short by the close: compare whole frames.
  const cut = body.subarray(0, Math.max(0, body.length - 2048));
  assert.ok(cut.length > 20_000, `${cut.length} B`);
  assert.ok(
    all.indexOf(cut) >= 0,
    `the listener's ${cut.length} B are not one run of the segments' ${all.length} B`,
  );
}
