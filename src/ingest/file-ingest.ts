// src/ingest/file-ingest.ts: FileIngest: plays a TS file in real time (paced by its timestamps), once or looped seamlessly.
import { readFile } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import { errorMessage, IngestError, systemCause } from '../errors.js';
import type { Logger } from '../logger.js';
import type { IngestSink } from './ingest-source.js';
import type { IngestSource, IngestStarted } from './ingest-source.js';
import { SessionGuard } from './session-guard.js';
import { passShift, restampPackets, type RestampShift } from './ts-restamp.js';
import { loopSeconds, scanTimeline, type TsTimeline } from './ts-timeline.js';

/** Options of FileIngest. */
export interface FileIngestOptions {
  path: string;
  /** Play forever, each pass re-stamped to continue the last one. */
  loop: boolean;
  sink: IngestSink;
  logger: Logger;
  clock: Clock;
  /** Timer granularity: bytes due within this many ms are sent together (default 20). */
  tickMs?: number;
}

/**
 * Sends the bytes before each timing-stream PES start when its timestamp is due against the clock,
 * as an encoder would. With loop, pass n is shifted by n × the file's length in PTS/DTS/PCR and in
 * continuity counters, so the packager sees one continuous stream and marks no discontinuity.
 */
export class FileIngest implements IngestSource {
  private timeline: TsTimeline | null = null;
  private epochMs = 0;
  private pass = 0;
  private shift: RestampShift | null = null;
  /** Index of the next mark whose bytes are unsent. */
  private next = 0;
  private cancel: (() => void) | null = null;
  private closed = false;
  private readonly session: SessionGuard;

  constructor(private readonly opts: FileIngestOptions) {
    this.session = new SessionGuard(opts.sink, opts.logger);
  }

  /** Wall time (ms) at which the file's first timestamp was sent; pass n starts n × loopMs later. */
  get playbackEpochMs(): number {
    return this.epochMs;
  }

  /** Length of one pass in ms (0 before start). */
  get loopMs(): number {
    return this.timeline ? this.timeline.loopTicks / 90 : 0;
  }

  async start(): Promise<IngestStarted> {
    const { path, loop, logger, clock } = this.opts;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new IngestError('ingest.start', `cannot read --ingest file:${path}: ${systemCause(e)}`);
    }
    let timeline: TsTimeline;
    try {
      timeline = scanTimeline(bytes);
    } catch (e) {
      throw new IngestError('ingest.start', `--ingest file:${path}: ${errorMessage(e)}`);
    }
    this.timeline = timeline;
    const sec = loopSeconds(timeline).toFixed(3);
    logger.info(`playing ${path} (${sec} s${loop ? ', looped' : ''}) in real time`);
    this.epochMs = clock.now();
    this.session.open(`file:${path}`);
    this.pump();
    return { description: `file:${path}${loop ? ' (looped)' : ''}`, port: 0 };
  }

  /** Due time (ms after the epoch) of mark i of the current pass. */
  private dueMs(t: TsTimeline, i: number): number {
    return (this.pass * t.loopTicks + (t.marks[i]?.ticks ?? 0)) / 90;
  }

  private pump(): void {
    this.cancel = null;
    const t = this.timeline;
    if (!t || this.closed) return;
    const elapsed = this.opts.clock.now() - this.epochMs + (this.opts.tickMs ?? 20);
    while (this.next < t.marks.length && this.dueMs(t, this.next) <= elapsed) {
      const from = t.marks[this.next]?.offset ?? 0;
      this.next++;
      const to = t.marks[this.next]?.offset ?? t.bytes.length;
      this.send(t.bytes.subarray(from, to));
      if (this.next < t.marks.length) continue;
      if (!this.opts.loop) return this.finish();
      this.pass++;
      this.shift = passShift(this.pass, t.loopTicks, t.ccStep);
      this.next = 0;
    }
    const wait = Math.max(1, this.dueMs(t, this.next) - (this.opts.clock.now() - this.epochMs));
    this.cancel = this.opts.clock.setTimer(() => this.pump(), wait);
  }

  /** Paced in real time already, so the sink's backlog never needs waiting for. */
  private send(bytes: Uint8Array): void {
    void this.session.push(
      `file:${this.opts.path}`,
      this.shift ? restampPackets(bytes, this.shift) : bytes,
    );
  }

  private finish(): void {
    this.opts.logger.info(`${this.opts.path} ended`);
    void this.session.end();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.();
    this.cancel = null;
    await this.session.end();
  }
}
