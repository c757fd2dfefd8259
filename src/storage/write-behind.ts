// src/storage/write-behind.ts: WriteBehind: a batch run's file writes and deletes done in order on a second thread, fed batches of bytes it hands back.
import { rmSync, writeFileSync } from 'node:fs';
import {
  MessageChannel,
  type MessagePort,
  receiveMessageOnPort,
  Worker,
} from 'node:worker_threads';

/** Bytes gathered before they go to the writer thread in one message (one buffer, many files). */
export const BATCH_BYTES = 1024 * 1024;
/** Batches that may wait for the writer at once: at most this many buffers are out. */
const MAX_IN_FLIGHT = 8;

// Shared control words.
/** Batches the writer has finished (it hands each buffer back after). */
const FINISHED = 0;
/** 1 once an operation failed: the writer stops there and reports it. */
const FAILED = 1;
/** 1 once the writer thread runs. */
const STARTED = 2;
const CONTROL_WORDS = 3;
/** A writer thread that has not started by then never will (Worker start-up failed). */
const START_TIMEOUT_MS = 10_000;

/** One file operation: write bytes [at, at + length) of the batch's buffer to name, or delete name. */
type Op =
  { kind: 'write'; name: string; at: number; length: number } | { kind: 'remove'; name: string };

/** A batch: its operations, in order, and the buffer their bytes are in. */
interface Batch {
  ops: Op[];
  buffer: ArrayBuffer | null;
}

/** What the writer thread reports of the operation that failed. */
interface Failure {
  failed: true;
  name: string;
  code: string | null;
  message: string;
}

/** A buffer handed back once its batch is written. */
interface Returned {
  failed: false;
  buffer: ArrayBuffer | null;
}

/** What WRITER_SOURCE finds in workerData. */
interface WriterData {
  /** The directory with its trailing separator: names are appended to it. */
  prefix: string;
  control: SharedArrayBuffer;
  port: MessagePort;
}

/** Batch mode's file writer: writes and deletes in order; the first failure stops it (WriteBehindError). */
export interface BatchWriter {
  /** Queues name to be created (or replaced) with a copy of bytes. */
  write(name: string, bytes: Uint8Array): void;
  /** Queues name to be deleted (after every write queued before it); a missing file is no error. */
  remove(name: string): void;
  /** Waits until every queued operation is done; throws WriteBehindError if one failed. */
  finish(): Promise<void>;
  /** Drops what is queued (the run failed elsewhere). */
  abort(): Promise<void>;
}

/**
 * BatchWriter on the calling thread, each operation done before the call returns: for inputs too
 * small for a second thread to pay off (its start-up costs what overlapping 1 h of audio's writes
 * saves: npm run bench).
 */
export class WriteInline implements BatchWriter {
  private failure: WriteBehindError | null = null;

  constructor(private readonly prefix: string) {}

  write(name: string, bytes: Uint8Array): void {
    this.run(name, () => writeFileSync(this.prefix + name, bytes));
  }

  remove(name: string): void {
    this.run(name, () => rmSync(this.prefix + name, { force: true }));
  }

  finish(): Promise<void> {
    return this.failure ? Promise.reject(this.failure) : Promise.resolve();
  }

  abort(): Promise<void> {
    return Promise.resolve();
  }

  private run(name: string, op: () => void): void {
    if (this.failure) throw this.failure;
    try {
      op();
    } catch (e) {
      const err = e as NodeJS.ErrnoException | null;
      const code = typeof err?.code === 'string' ? err.code : null;
      this.failure = new WriteBehindError(
        name,
        code,
        err instanceof Error ? err.message : String(e),
      );
      throw this.failure;
    }
  }
}

/**
 * Writes files into one directory on a worker thread, so that a batch run's open/write/close
 * system calls (about half of its time for 10 h of audio: 18,000 files) overlap with the
 * segmenting on the calling thread. write() copies the bytes into the current batch buffer and
 * returns; a full batch is transferred (not copied) to the writer, which hands the buffer back
 * when its files are written. The caller blocks only while MAX_IN_FLIGHT batches are out.
 *
 * Not a SharedArrayBuffer ring: V8 copies into shared memory with relaxed atomic moves, and that
 * copy alone cost the 10 h run 140 ms (perf); a plain buffer is copied with memmove.
 *
 * Operations happen in the order given, and the first one that fails stops the writer: every
 * later call, and finish(), throws WriteBehindError, so a run cannot go on past a hole.
 */
export class WriteBehind implements BatchWriter {
  private readonly control: Int32Array;
  private readonly port: MessagePort;
  private readonly worker: Worker;
  private ops: Op[] = [];
  private buffer: Uint8Array | null = null;
  private fill = 0;
  /** Buffers handed back, ready for the next batch. */
  private readonly spare: ArrayBuffer[] = [];
  private sent = 0;
  private returned = 0;
  private failure: WriteBehindError | null = null;
  private readonly startedAt = performance.now();

  private constructor(prefix: string) {
    const control = new SharedArrayBuffer(4 * CONTROL_WORDS);
    this.control = new Int32Array(control);
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    const data: WriterData = { prefix, control, port: port2 };
    this.worker = new Worker(WRITER_SOURCE, {
      eval: true,
      workerData: data,
      transferList: [port2],
    });
    // Neither holds the process open on its own: finish() or abort() ends them.
    this.worker.unref();
    this.port.unref();
  }

  /** Starts the writer thread for files named prefix + name (prefix: the directory and its separator). */
  static start(prefix: string): WriteBehind {
    return new WriteBehind(prefix);
  }

  /** Queues name to be created (or replaced) with a copy of bytes. */
  write(name: string, bytes: Uint8Array): void {
    this.check();
    if (this.buffer && this.fill + bytes.length > this.buffer.length) this.send();
    if (!this.buffer) {
      this.buffer = new Uint8Array(this.take(Math.max(BATCH_BYTES, bytes.length)));
      this.fill = 0;
    }
    this.buffer.set(bytes, this.fill);
    this.ops.push({ kind: 'write', name, at: this.fill, length: bytes.length });
    this.fill += bytes.length;
  }

  /** Queues name to be deleted (after every write queued before it); a missing file is no error. */
  remove(name: string): void {
    this.check();
    this.ops.push({ kind: 'remove', name });
  }

  /** Waits until every queued operation is done and stops the thread; throws if one failed. */
  async finish(): Promise<void> {
    try {
      if (this.ops.length > 0) this.send();
      while (this.returned < this.sent) this.collect(true);
    } finally {
      await this.abort();
    }
  }

  /** Stops the thread, dropping what is queued (the run failed elsewhere). */
  async abort(): Promise<void> {
    await this.worker.terminate();
    this.port.close();
  }

  /** Transfers the current batch to the writer. */
  private send(): void {
    const buffer = this.buffer ? (this.buffer.buffer as ArrayBuffer) : null;
    const batch: Batch = { ops: this.ops, buffer };
    this.port.postMessage(batch, buffer ? [buffer] : []);
    this.sent++;
    this.ops = [];
    this.buffer = null;
    this.fill = 0;
  }

  /** A buffer of at least n bytes: a spare one, a new one, or (with too many out) the next one back. */
  private take(n: number): ArrayBuffer {
    for (;;) {
      this.collect(false);
      // Spares are BATCH_BYTES long; a larger file gets a buffer of its own.
      const spare = n <= BATCH_BYTES ? this.spare.pop() : undefined;
      if (spare) return spare;
      if (this.sent - this.returned < MAX_IN_FLIGHT) return new ArrayBuffer(n);
      this.collect(true);
    }
  }

  /** Takes in what the writer handed back; with wait, blocks until at least one batch more is done. */
  private collect(wait: boolean): void {
    if (wait) {
      const done = Atomics.load(this.control, FINISHED);
      if (done === this.returned && Atomics.load(this.control, FAILED) === 0)
        Atomics.wait(this.control, FINISHED, done, 100);
      const late = performance.now() - this.startedAt > START_TIMEOUT_MS;
      if (late && Atomics.load(this.control, STARTED) === 0)
        throw this.fail({
          failed: true,
          name: '?',
          code: null,
          message: 'the writer thread did not start',
        });
    }
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as Returned | Failure;
      if (msg.failed) throw this.fail(msg);
      this.returned++;
      if (msg.buffer && msg.buffer.byteLength === BATCH_BYTES) this.spare.push(msg.buffer);
    }
    this.check();
  }

  /** Throws the writer's failure once it is known. */
  private check(): void {
    if (this.failure) throw this.failure;
    if (Atomics.load(this.control, FAILED) === 0) return;
    for (let m = receiveMessageOnPort(this.port); m; m = receiveMessageOnPort(this.port)) {
      const msg = m.message as Returned | Failure;
      if (msg.failed) throw this.fail(msg);
    }
    throw this.fail({ failed: true, name: '?', code: null, message: 'the writer thread stopped' });
  }

  private fail(f: Failure): WriteBehindError {
    this.failure = new WriteBehindError(f.name, f.code, f.message);
    return this.failure;
  }
}

/** A queued write or delete failed. */
export class WriteBehindError extends Error {
  constructor(
    /** The file the failed operation was for. */
    readonly fileName: string,
    /** The errno code (ENOSPC, EACCES...), when the system gave one. */
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'WriteBehindError';
  }
}

/**
 * The writer thread, as source text: a worker started from a file would need that file compiled
 * (tests run src/ under tsx, whose hooks do not reach worker threads in Node 20), so the thread
 * runs this plain script (eval: true), which needs nothing but Node's own modules. It does each
 * batch's operations in order, hands the buffer back, and stops at the first failure.
 */
const WRITER_SOURCE = `
'use strict';
const { writeFileSync, rmSync } = require('node:fs');
const { workerData: d } = require('node:worker_threads');
const control = new Int32Array(d.control);
let stopped = false;
function fail(name, e) {
  stopped = true;
  const code = e && typeof e.code === 'string' ? e.code : null;
  const message = e instanceof Error ? e.message : String(e);
  d.port.postMessage({ failed: true, name, code, message });
  Atomics.store(control, ${FAILED}, 1);
  Atomics.notify(control, ${FINISHED});
}
// Nothing may end this thread unseen: the caller would wait for it forever.
process.on('uncaughtException', (e) => fail('?', e));
d.port.on('message', (batch) => {
  if (stopped) return;
  const bytes = batch.buffer ? new Uint8Array(batch.buffer) : null;
  for (const op of batch.ops) {
    try {
      if (op.kind === 'remove') rmSync(d.prefix + op.name, { force: true });
      else writeFileSync(d.prefix + op.name, bytes.subarray(op.at, op.at + op.length));
    } catch (e) {
      return fail(op.name, e);
    }
  }
  d.port.postMessage({ failed: false, buffer: batch.buffer }, batch.buffer ? [batch.buffer] : []);
  Atomics.add(control, ${FINISHED}, 1);
  Atomics.notify(control, ${FINISHED});
});
Atomics.store(control, ${STARTED}, 1);
Atomics.notify(control, ${FINISHED});
`;
