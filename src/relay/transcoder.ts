// src/relay/transcoder.ts: --relay-transcode: ADTS in, MP3 frames out, through one ffmpeg child (libmp3lame at the Broadcastify norm: 16 kbit/s, mono, 22.05 kHz).
import { type ChildProcess, spawn } from 'node:child_process';
import { type Mp3Frame, splitMp3Frames } from './mp3-frames.js';

/**
 * "feed providers use MP3 at 16 kbit/s, mono, 22.05 kHz (the community norm)" (issue 13). No
 * Xing/ID3 header: the output is a live stream, not a file.
 */
export const TRANSCODE_ARGS = [
  ...['-hide_banner', '-loglevel', 'error', '-nostdin'],
  ...['-probesize', '2048', '-analyzeduration', '0', '-f', 'aac', '-i', 'pipe:0'],
  ...['-c:a', 'libmp3lame', '-b:a', '16k', '-ac', '1', '-ar', '22050'],
  ...['-write_xing', '0', '-id3v2_version', '0', '-flush_packets', '1', '-f', 'mp3', 'pipe:1'],
];

/** One ffmpeg transcoding ADTS to MP3; frames come out as ffmpeg writes them. */
export class Transcoder {
  private child: ChildProcess | null = null;
  private rest: Uint8Array = new Uint8Array(0);
  private lastError = '';

  constructor(
    private readonly onFrames: (frames: Mp3Frame[]) => void,
    private readonly onExit: (message: string) => void,
    private readonly ffmpeg = 'ffmpeg',
  ) {}

  /** Feeds whole ADTS frames; starts ffmpeg on the first call (and again after it exits). */
  write(adts: Uint8Array): void {
    const child = this.child ?? this.start();
    if (child.stdin?.writable) child.stdin.write(adts);
  }

  private start(): ChildProcess {
    const child = spawn(this.ffmpeg, TRANSCODE_ARGS, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    this.rest = new Uint8Array(0);
    child.stdin?.on('error', () => undefined); // EPIPE when ffmpeg exits: reported by 'exit'
    child.stdout?.on('data', (d: Buffer) => {
      const all = this.rest.length ? Buffer.concat([this.rest, d]) : d;
      const { frames, rest } = splitMp3Frames(all);
      this.rest = Uint8Array.from(rest);
      if (frames.length)
        this.onFrames(frames.map((f) => ({ ...f, bytes: Uint8Array.from(f.bytes) })));
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.lastError = d.toString('utf8').trim().split('\n').pop() ?? '';
    });
    child.on('error', (e) => {
      this.lastError = e.message;
    });
    child.on('close', (code, signal) => {
      const expected = this.child !== child;
      if (this.child === child) this.child = null;
      if (!expected) {
        this.onExit(
          `transcoder ffmpeg exited (${signal ?? code ?? '?'})${this.lastError ? `: ${this.lastError}` : ''}`,
        );
      }
    });
    return child;
  }

  /** Stops ffmpeg: end of input, SIGTERM, and SIGKILL if it is still there 2 s later. */
  close(): void {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    child.kill('SIGTERM');
    const t = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, 2_000);
    t.unref();
    child.once('exit', () => clearTimeout(t));
  }
}
