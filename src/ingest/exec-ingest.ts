// src/ingest/exec-ingest.ts: ExecIngest: runs an encoder whose stdout is MPEG-TS, restarts it with backoff, logs its stderr, stops it cleanly.
import { existsSync } from 'node:fs';
import { type ChildProcess, spawn } from 'node:child_process';
import type { Clock } from '../clock.js';
import { errorMessage, IngestError } from '../errors.js';
import type { Logger } from '../logger.js';
import { Backoff } from '../backoff.js';
import type { IngestSink, IngestSource, IngestStarted } from './ingest-source.js';
import { LineLimiter } from './line-limiter.js';
import { SessionGuard } from './session-guard.js';

/** Options of ExecIngest. */
export interface ExecIngestOptions {
  /** Program and arguments (no shell), e.g. ['/bin/sh', '-c', 'ffmpeg … -f mpegts -']. */
  argv: string[];
  /** How the banner and logs name it. */
  label: string;
  sink: IngestSink;
  logger: Logger;
  clock: Clock;
  /** Grace time between SIGTERM and SIGKILL on shutdown (default 3000 ms). */
  killAfterMs?: number;
  backoff?: Backoff;
  /** A device node the encoder needs (an ALSA capture device): start() refuses when it is missing. */
  device?: { path: string; setting: string } | null;
  /** The command as a shell line, logged once start() has checked the device (--capture). */
  display?: string;
}

/**
 * Supervises one encoder process. Each run is one packager session (from its first stdout bytes to
 * its exit), so the segment after a restart carries EXT-X-DISCONTINUITY. The process runs in its own
 * process group, so SIGTERM (then SIGKILL) reaches every process of a shell pipeline.
 */
export class ExecIngest implements IngestSource {
  private child: ChildProcess | null = null;
  private exited: Promise<void> = Promise.resolve();
  private retry: (() => void) | null = null;
  private closed = false;
  private runs = 0;
  private readonly session: SessionGuard;
  private readonly backoff: Backoff;

  constructor(private readonly opts: ExecIngestOptions) {
    this.session = new SessionGuard(opts.sink, opts.logger);
    this.backoff = opts.backoff ?? new Backoff({ initialMs: 1000 });
  }

  /** Process id of the running encoder, or null between runs. */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** How many times the encoder was started. */
  get startCount(): number {
    return this.runs;
  }

  start(): Promise<IngestStarted> {
    const device = this.opts.device;
    if (device && !existsSync(device.path))
      return Promise.reject(
        new IngestError(
          'ingest.start',
          `cannot start ${device.setting}: no such capture device (${device.path} is missing; arecord -l lists the cards)`,
        ),
      );
    if (this.opts.display) this.opts.logger.info(`${this.opts.label}: ${this.opts.display}`);
    this.spawnOnce();
    return Promise.resolve({ description: `${this.opts.label} (supervised)`, port: 0 });
  }

  private spawnOnce(): void {
    this.retry = null;
    if (this.closed) return;
    const { argv, logger, clock } = this.opts;
    const [file = '', ...args] = argv;
    const startedMs = clock.now();
    this.runs++;
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.child = child;
    const stderr = new LineLimiter();
    const logLines = (r: { lines: string[]; dropped: number }): void => {
      if (r.dropped) logger.warn(`encoder: ${r.dropped} more stderr line(s) not shown`);
      for (const l of r.lines) logger.info(`encoder: ${l}`);
    };
    const out = child.stdout;
    out?.on('data', (chunk: Buffer) => {
      const wait = this.session.push(this.opts.label, chunk);
      if (wait) {
        out.pause();
        void wait.then(() => out.resume());
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (s: string) => logLines(stderr.push(s, clock.now())));
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (e) => {
        logger.error(`cannot start encoder ${JSON.stringify(file)}: ${errorMessage(e)}`);
        this.onExit(child, startedMs, null, null);
        resolve();
      });
      child.once('close', (code, signal) => {
        logLines(stderr.flush(clock.now()));
        this.onExit(child, startedMs, code, signal);
        resolve();
      });
    });
    logger.info(`started encoder (pid ${child.pid ?? '?'}): ${this.opts.label}`);
  }

  private onExit(
    child: ChildProcess,
    startedMs: number,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    if (this.child !== child) return;
    this.child = null;
    void this.session.end();
    if (this.closed) return;
    const ranMs = this.opts.clock.now() - startedMs;
    const delay = this.backoff.next(ranMs);
    const how = signal ? `signal ${signal}` : `code ${code ?? '?'}`;
    this.opts.logger.warn(
      `encoder exited with ${how} after ${(ranMs / 1000).toFixed(1)} s; restarting in ${(delay / 1000).toFixed(1)} s`,
    );
    this.retry = this.opts.clock.setTimer(() => this.spawnOnce(), delay);
  }

  private signal(child: ChildProcess, sig: NodeJS.Signals): void {
    try {
      // The negative pid names the process group (detached: true made the child its leader).
      if (child.pid) process.kill(-child.pid, sig);
    } catch {
      child.kill(sig);
    }
  }

  /** SIGTERM, then SIGKILL after killAfterMs; resolves once it exited and its session ended. */
  async close(): Promise<void> {
    this.closed = true;
    this.retry?.();
    this.retry = null;
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      this.signal(child, 'SIGTERM');
      const cancel = this.opts.clock.setTimer(
        () => this.signal(child, 'SIGKILL'),
        this.opts.killAfterMs ?? 3000,
      );
      await this.exited;
      cancel();
    }
    this.child = null;
    await this.session.end();
  }
}
