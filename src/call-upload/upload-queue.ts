// src/call-upload/upload-queue.ts: UploadQueue: one target's calls waiting to be uploaded, on disk (<state-dir>/call-uploads/<target>/): a job file and an audio file per call, written atomically, bounded by count and bytes.
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CallRow } from '../calls/call-format.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';

/** What is kept of one call: its row as it closed and its audio file's name and type. */
export interface QueuedCall {
  call: CallRow;
  /** The audio's extension ('mp3', 'aac') and media type. */
  ext: string;
  type: string;
  /** When it was queued (ms). */
  queuedAtMs: number;
}

/** A queued call with where its audio is. */
export interface QueuedJob extends QueuedCall {
  id: number;
  audioPath: string;
  bytes: number;
}

export interface UploadQueueOptions {
  dir: string;
  logger: Logger;
  /** Most calls kept; beyond it the oldest is dropped (default 500). */
  maxJobs?: number;
  /** Most audio bytes kept; beyond it the oldest is dropped (default 256 MiB). */
  maxBytes?: number;
}

const JOB = /^(\d{1,16})\.json$/;

function isCallRow(v: unknown): v is CallRow {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return typeof r.id === 'number' && typeof r.start_time === 'number' && typeof r.open === 'number';
}

function parseJob(text: string): QueuedCall | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const j = v as Record<string, unknown>;
  if (!isCallRow(j.call) || typeof j.ext !== 'string' || !/^[a-z0-9]{1,5}$/.test(j.ext))
    return null;
  if (typeof j.type !== 'string' || typeof j.queuedAtMs !== 'number') return null;
  return { call: j.call, ext: j.ext, type: j.type, queuedAtMs: j.queuedAtMs };
}

/**
 * The queue, oldest call first. A job exists once its .json is renamed into place, after its
 * audio: a crash leaves at most a .tmp or an audio file without a job, which open() removes.
 */
export class UploadQueue {
  private readonly jobs: QueuedJob[] = [];
  private readonly maxJobs: number;
  private readonly maxBytes: number;
  private totalBytes = 0;
  private droppedCount = 0;

  private constructor(private readonly opts: UploadQueueOptions) {
    this.maxJobs = opts.maxJobs ?? 500;
    this.maxBytes = opts.maxBytes ?? 256 * 1024 * 1024;
  }

  /** Opens (or creates) the directory and loads what an earlier run left in it. */
  static async open(opts: UploadQueueOptions): Promise<UploadQueue> {
    const q = new UploadQueue(opts);
    await mkdir(opts.dir, { recursive: true });
    const names = await readdir(opts.dir);
    const jobs = new Set<string>();
    for (const name of names) {
      const m = JOB.exec(name);
      if (!m) continue;
      const id = Number(m[1]);
      const path = join(opts.dir, name);
      const job = parseJob(await readFile(path, 'utf8').catch(() => ''));
      const audioPath = job ? join(opts.dir, `${id}.${job.ext}`) : '';
      const size = job
        ? await stat(audioPath).then(
            (s) => s.size,
            () => -1,
          )
        : -1;
      if (!job || size < 0 || job.call.id !== id) {
        opts.logger.warn(`call-upload queue: ${path} is damaged or has no audio; removed`);
        await rm(path, { force: true });
        continue;
      }
      jobs.add(`${id}.json`);
      jobs.add(`${id}.${job.ext}`);
      q.jobs.push({ ...job, id, audioPath, bytes: size });
      q.totalBytes += size;
    }
    // Leftovers of an interrupted write.
    for (const name of names) if (!jobs.has(name)) await rm(join(opts.dir, name), { force: true });
    q.jobs.sort((a, b) => a.id - b.id);
    await q.enforce();
    return q;
  }

  /** Queues a call with its audio (a call already queued is replaced); drops the oldest when over the bound. */
  async add(job: QueuedCall, audio: Uint8Array): Promise<void> {
    const { dir } = this.opts;
    const id = job.call.id;
    await this.remove(id);
    const audioPath = join(dir, `${id}.${job.ext}`);
    await writeFile(`${audioPath}.tmp`, audio);
    await rename(`${audioPath}.tmp`, audioPath);
    const jobPath = join(dir, `${id}.json`);
    await writeFile(`${jobPath}.tmp`, JSON.stringify(job));
    await rename(`${jobPath}.tmp`, jobPath);
    const entry: QueuedJob = { ...job, id, audioPath, bytes: audio.byteLength };
    const at = this.jobs.findIndex((j) => j.id > id);
    if (at < 0) this.jobs.push(entry);
    else this.jobs.splice(at, 0, entry);
    this.totalBytes += entry.bytes;
    await this.enforce();
  }

  /** The oldest call, or null. */
  head(): QueuedJob | null {
    return this.jobs[0] ?? null;
  }

  /** Forgets a call and deletes its files (nothing when it is not queued). */
  async remove(id: number): Promise<void> {
    const i = this.jobs.findIndex((j) => j.id === id);
    if (i < 0) return;
    const [job] = this.jobs.splice(i, 1);
    if (!job) return;
    this.totalBytes -= job.bytes;
    // The job file first: without it the audio is a leftover, never a job without audio.
    await rm(join(this.opts.dir, `${id}.json`), { force: true });
    await rm(job.audioPath, { force: true });
  }

  /** Calls queued, their audio bytes, and calls dropped to keep the bound. */
  stats(): { queued: number; bytes: number; dropped: number } {
    return { queued: this.jobs.length, bytes: this.totalBytes, dropped: this.droppedCount };
  }

  private async enforce(): Promise<void> {
    while (
      this.jobs.length > 1 &&
      (this.jobs.length > this.maxJobs || this.totalBytes > this.maxBytes)
    ) {
      const old = this.jobs[0];
      if (!old) break;
      try {
        await this.remove(old.id);
      } catch (e) {
        this.opts.logger.warn(
          `call-upload queue: cannot delete ${old.audioPath}: ${errorMessage(e)}`,
        );
      }
      this.droppedCount++;
      this.opts.logger.warn(
        `call-upload queue full (${this.maxJobs} calls, ${this.maxBytes} bytes): dropped the oldest, call ${old.id} of ${new Date(old.id).toISOString()}`,
      );
    }
  }
}
