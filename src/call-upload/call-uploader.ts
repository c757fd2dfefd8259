// src/call-upload/call-uploader.ts: CallUploader: each finished call's audio, cut from the segments once they are in, queued on disk and POSTed to one rdio-scanner or OpenMHz receiver, with retries.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Backoff } from '../backoff.js';
import type { CallRow } from '../calls/call-format.js';
import { callDownload, callTags } from '../calls/call-media.js';
import { type CallMedia, downloadName } from '../calls/replay.js';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { UploadForm, Verdict } from './call-fields.js';
import { adtsToM4a } from './m4a.js';
import { openMhzForm, openMhzVerdict } from './openmhz.js';
import { rdioScannerForm, rdioVerdict } from './rdio-scanner.js';
import { splitUrlAuth } from '../notify/url-auth.js';
import { UploadQueue } from './upload-queue.js';
import type { CallUploadSpec } from './upload-spec.js';
import { WakeableSleep } from '../outbound/retry.js';

/** The parts of the call log the uploader reads. */
export interface CallSource {
  /** End of the newest recorded segment (ms), or null. */
  lastSegmentEndMs(): number | null;
  /** The call's frames from the segments on disk, or null when none are. */
  callMedia(id: number): Promise<CallMedia | null>;
}

/** The HTTP call (global fetch by default). */
export type FetchLike = (
  url: string,
  init: RequestInit,
) => Promise<{ status: number; text(): Promise<string> }>;

export interface CallUploaderOptions {
  spec: CallUploadSpec;
  source: CallSource;
  /** <state-dir>/call-uploads: the target's queue is a directory in it named by spec.id. */
  queueRoot: string;
  clock: Clock;
  logger: Logger;
  maxJobs?: number;
  maxBytes?: number;
  /** Retry delays after a failure: doubling from initialMs up to maxMs (default 1 s to 60 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** Wait after a bad key (401) before trying again (default 5 min). */
  authRetryMs?: number;
  /** Per-request timeout (default 30 s). */
  timeoutMs?: number;
  /** Longest wait for the segments holding a call's end; then what is there is cut (default 30 s). */
  cutWaitMs?: number;
  fetch?: FetchLike;
}

/** Counters for /api/status and /metrics. */
export interface CallUploaderStats {
  target: string;
  queued: number;
  queuedBytes: number;
  uploaded: number;
  failures: number;
  rejected: number;
  dropped: number;
  /** True while the receiver refuses the key. */
  authFailing: boolean;
}

/** How often calls waiting for their last segment are looked at. */
const CUT_POLL_MS = 250;

/**
 * One target. callClosed() only notes the call (it returns at once: it runs in the scanner's
 * callback); the audio is cut when the segments covering the call's end are recorded, written
 * to the disk queue, and sent oldest first, one at a time. 5xx and network errors back off and
 * retry; a bad key keeps every job and retries every authRetryMs, logged once; a reply that
 * says the call's data is wrong (417) drops that call with an error line.
 */
export class CallUploader {
  private queue: UploadQueue | null = null;
  private readonly pending = new Map<number, { row: CallRow; sinceMs: number }>();
  private readonly backoff: Backoff;
  private readonly fetchFn: FetchLike;
  private readonly counts = { uploaded: 0, failures: 0, rejected: 0 };
  private authFailing = false;
  private running = false;
  private closed = false;
  private cancelPoll: (() => void) | null = null;
  private readonly sleeper: WakeableSleep;
  private readonly idleFns: (() => void)[] = [];
  private readonly target: { url: string; authorization: string | null };
  /** Aborts the request in flight (close()). */
  private inflight: AbortController | null = null;

  constructor(private readonly opts: CallUploaderOptions) {
    const b = opts.backoff ?? { initialMs: 1000, maxMs: 60_000 };
    this.backoff = new Backoff({ ...b, healthyMs: Infinity });
    this.fetchFn = opts.fetch ?? ((url, init) => fetch(url, init));
    this.sleeper = new WakeableSleep(opts.clock);
    this.target = splitUrlAuth(opts.spec.url);
  }

  /** The target as configured, key masked. */
  get display(): string {
    return this.opts.spec.display;
  }

  /** Opens the disk queue and sends what an earlier run left in it. */
  async start(): Promise<void> {
    this.queue = await UploadQueue.open({
      dir: join(this.opts.queueRoot, this.opts.spec.id),
      logger: this.opts.logger,
      maxJobs: this.opts.maxJobs,
      maxBytes: this.opts.maxBytes,
    });
    const { queued } = this.queue.stats();
    if (queued > 0)
      this.opts.logger.info(`${this.display}: ${queued} call(s) queued by an earlier run`);
    this.kick();
  }

  /** A call finished: its audio is cut once the segments holding its end are recorded. */
  callClosed(row: CallRow): void {
    if (this.closed || row.open !== 0 || row.stop_time === null) return;
    this.pending.set(row.id, { row, sinceMs: this.opts.clock.now() });
    this.schedulePoll();
  }

  stats(): CallUploaderStats {
    const q = this.queue?.stats() ?? { queued: 0, bytes: 0, dropped: 0 };
    return {
      target: this.display,
      queued: q.queued,
      queuedBytes: q.bytes,
      ...this.counts,
      dropped: q.dropped,
      authFailing: this.authFailing,
    };
  }

  /** Resolves when nothing waits to be cut or sent (tests). */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((r) => this.idleFns.push(r));
  }

  /** Stops; queued calls stay on disk for the next run. */
  async close(): Promise<void> {
    this.closed = true;
    this.inflight?.abort();
    this.cancelPoll?.();
    this.sleeper.wake();
    this.pending.clear();
    for (const f of this.idleFns.splice(0)) f();
    await Promise.resolve();
  }

  private isIdle(): boolean {
    return this.pending.size === 0 && (this.queue?.stats().queued ?? 0) === 0;
  }

  private settle(): void {
    if (this.isIdle()) for (const f of this.idleFns.splice(0)) f();
  }

  private schedulePoll(): void {
    if (this.cancelPoll || this.closed) return;
    this.cancelPoll = this.opts.clock.setTimer(() => {
      this.cancelPoll = null;
      void this.poll();
    }, CUT_POLL_MS);
  }

  /** Cuts every pending call whose end is recorded (or that waited cutWaitMs). */
  private async poll(): Promise<void> {
    const now = this.opts.clock.now();
    const recorded = this.opts.source.lastSegmentEndMs() ?? -Infinity;
    const ready = [...this.pending.values()].filter(
      (p) =>
        recorded >= (p.row.stop_time ?? 0) * 1000 ||
        now - p.sinceMs >= (this.opts.cutWaitMs ?? 30_000),
    );
    for (const p of ready) {
      this.pending.delete(p.row.id);
      try {
        await this.cut(p.row);
      } catch (e) {
        this.opts.logger.error(
          `${this.display}: cannot queue call ${p.row.id}: ${errorMessage(e)}`,
        );
      }
      if (this.closed) return;
    }
    if (this.pending.size) this.schedulePoll();
    this.kick();
    this.settle();
  }

  private async cut(row: CallRow): Promise<void> {
    const queue = this.queue;
    if (!queue) return;
    const media = await this.opts.source.callMedia(row.id);
    const track = media?.runs[0]?.track;
    if (!media || !track) {
      this.opts.logger.warn(`${this.display}: no audio on disk for call ${row.id}; not uploaded`);
      return;
    }
    // MP3 input: the MP3 frames behind an ID3 tag. AAC input: an .m4a of the ADTS frames, as
    // trunk-recorder sends (OpenMHz's uploads.js takes only .m4a and .mp3).
    const aac = track.framing === 'adts';
    const fmt = aac ? { ext: 'm4a', type: 'audio/mp4' } : { ext: 'mp3', type: 'audio/mpeg' };
    const bytes = aac
      ? adtsToM4a(
          media.runs.flatMap((r) => r.frames.map((f) => f.data)),
          track.samples,
        )
      : callDownload(media.runs, callTags(media.call, media.durationSec));
    await queue.add(
      { call: media.call, ext: fmt.ext, type: fmt.type, queuedAtMs: this.opts.clock.now() },
      bytes,
    );
  }

  private kick(): void {
    if (!this.running && !this.closed && this.queue?.head()) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (!this.closed) {
        const job = this.queue?.head();
        if (!job || !this.queue) break;
        const verdict = await this.send(job);
        if (this.closed) break;
        if (verdict === 'retry') {
          this.counts.failures++;
          await this.sleeper.sleep(this.backoff.next(0));
          continue;
        }
        if (verdict === 'auth') {
          this.counts.failures++;
          await this.sleeper.sleep(this.opts.authRetryMs ?? 300_000);
          continue;
        }
        this.backoff.reset();
        if (verdict === 'reject') this.counts.rejected++;
        else this.counts.uploaded++;
        await this.queue.remove(job.id);
      }
    } catch (e) {
      this.opts.logger.error(`${this.display}: uploader stopped unexpectedly: ${errorMessage(e)}`);
    } finally {
      this.running = false;
    }
    this.settle();
  }

  private form(job: { call: CallRow; ext: string; type: string }, filename: string): UploadForm {
    const { spec } = this.opts;
    return spec.kind === 'openmhz'
      ? openMhzForm(job.call, spec, job)
      : rdioScannerForm(job.call, spec, { filename, type: job.type });
  }

  /** One attempt at the oldest job. */
  private async send(job: {
    id: number;
    call: CallRow;
    ext: string;
    type: string;
    audioPath: string;
  }): Promise<Verdict> {
    const { spec, logger } = this.opts;
    let form: UploadForm;
    let audio: Buffer;
    try {
      form = this.form(job, downloadName(job.call, job.ext));
      audio = await readFile(job.audioPath);
    } catch (e) {
      logger.error(
        `${this.display}: call ${job.id} cannot be uploaded: ${errorMessage(e)}; dropped`,
      );
      return 'reject';
    }
    const body = new FormData();
    for (const [name, value] of form.fields) body.append(name, value);
    body.append(
      form.fileField,
      new Blob([new Uint8Array(audio)], { type: form.type }),
      form.filename,
    );
    let status: number;
    let text: string;
    const ctrl = new AbortController();
    this.inflight = ctrl;
    try {
      const res = await this.fetchFn(this.target.url, {
        method: 'POST',
        body,
        headers: this.target.authorization ? { Authorization: this.target.authorization } : {},
        signal: AbortSignal.any([ctrl.signal, AbortSignal.timeout(this.opts.timeoutMs ?? 30_000)]),
      });
      status = res.status;
      text = (await res.text().catch(() => '')).slice(0, 300).trim();
    } catch (e) {
      if (!this.closed)
        logger.warn(`${this.display}: call ${job.id}: ${errorMessage(e)}; will retry`);
      return 'retry';
    } finally {
      this.inflight = null;
    }
    const verdict = spec.kind === 'openmhz' ? openMhzVerdict(status, text) : rdioVerdict(status);
    const said = `HTTP ${status}${text ? ` ${JSON.stringify(text)}` : ''}`;
    if (verdict === 'auth') {
      if (!this.authFailing)
        logger.error(
          `${this.display}: the receiver refuses the key or system (${said}); calls stay queued and are retried every ${Math.round((this.opts.authRetryMs ?? 300_000) / 1000)} s: check key= and system=`,
        );
      this.authFailing = true;
      return verdict;
    }
    if (this.authFailing) logger.info(`${this.display}: the receiver accepts the key again`);
    this.authFailing = false;
    if (verdict === 'reject')
      logger.error(`${this.display}: call ${job.id} refused (${said}); dropped`);
    else if (verdict === 'retry')
      logger.warn(`${this.display}: call ${job.id}: ${said}; will retry`);
    else logger.debug(`${this.display}: call ${job.id} uploaded`);
    return verdict;
  }
}
