// src/calls/call-service.ts: CallService: opens <state-dir>/calls.db, reconciles it with --out, records the scanner's calls, keeps and reaps segments, prunes old calls.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import { LogThrottle } from '../log-throttle.js';
import type { ScannerService } from '../scanner/scanner-service.js';
import { archiveView } from '../storage/archive-view.js';
import { RetentionReaper } from '../storage/retention-reaper.js';
import type { SegmentStore } from '../storage/segment-store.js';
import { CallDb } from './call-db.js';
import type { CallRow } from './call-format.js';
import { CallDiff, closeStale } from './call-recorder.js';
import { Replay } from './replay.js';
import { ReplayArchive } from './segment-archive.js';
import { formatDuration, formatSize } from './units.js';

/** The database's file name in --state-dir. */
export const CALLS_DB = 'calls.db';

export interface CallServiceOptions {
  stateDir: string;
  stream: string;
  /** The served directory (--out) and its store. */
  outDir: string;
  store: SegmentStore;
  clock: Clock;
  logger: Logger;
  targetDurationSec: number;
  /** --retention, --retention-max-bytes, --calls-retention, --calls-max-bytes. */
  retentionSec: number;
  retentionMaxBytes: number;
  callsRetentionSec: number;
  callsMaxBytes: number;
}

/** A call went on the air ('opened') or finished ('closed'); row is as written to the log. */
export interface CallEvent {
  kind: 'opened' | 'closed';
  row: CallRow;
}

/** Calls whose open/close was announced are remembered this many at most (the log is shorter). */
const ANNOUNCED_MAX = 2000;

/** How often old calls are pruned. */
const PRUNE_INTERVAL_MS = 3600_000;
/** Calls deleted per step while the database is over its quota. */
const PRUNE_BATCH = 1000;

/** SQLite's words for a file that is not a usable database. */
function isCorrupt(e: unknown): boolean {
  const code = e instanceof Error && 'code' in e ? String(e.code) : '';
  return /SQLITE_(CORRUPT|NOTADB)/.test(code) || /malformed|not a database/i.test(errorMessage(e));
}

/** The call log and replay archive of one live server. */
export class CallService {
  readonly archive: ReplayArchive;
  readonly reaper: RetentionReaper;
  readonly replay: Replay;
  private readonly diff = new CallDiff();
  private readonly throttle = new LogThrottle(10_000);
  private cancelPrune: (() => void) | null = null;
  private codec: () => string | null = () => null;
  private readonly reapedFns = new Set<(uri: string) => void>();
  private readonly callFns = new Set<(e: CallEvent) => void>();
  /** What has been announced of each recent call. */
  private readonly announced = new Map<number, CallEvent['kind']>();

  private constructor(
    readonly db: CallDb,
    private readonly opts: CallServiceOptions,
  ) {
    this.reaper = new RetentionReaper({
      index: db,
      store: opts.store,
      clock: opts.clock,
      logger: opts.logger,
      maxAgeMs: opts.retentionSec * 1000,
      maxBytes: opts.retentionMaxBytes,
      onDeleted: (uri) => {
        this.archive.reaped(uri);
        for (const fn of this.reapedFns) fn(uri);
      },
    });
    this.archive = new ReplayArchive({
      db,
      stream: opts.stream,
      retain: opts.retentionSec > 0,
      reaper: this.reaper,
      logger: opts.logger,
      now: () => opts.clock.now(),
    });
    this.replay = new Replay({
      db,
      stream: opts.stream,
      outDir: opts.outDir,
      reaper: this.reaper,
      clock: opts.clock,
      targetDurationSec: opts.targetDurationSec,
    });
  }

  /**
   * Opens the database, creating --state-dir if needed (a corrupt file is moved aside as
   * calls.db.corrupt-<ms> and a new one started, with an error logged). Throws the file
   * system's or SQLite's error when it cannot be opened at all. Call reconcile() once --out exists.
   */
  static open(opts: CallServiceOptions): CallService {
    const path = join(opts.stateDir, CALLS_DB);
    let db: CallDb;
    try {
      db = CallDb.open(path);
    } catch (e) {
      if (!isCorrupt(e)) throw e;
      const aside = `${path}.corrupt-${opts.clock.now()}`;
      renameSync(path, aside);
      opts.logger.error(
        `the call log ${path} is damaged (${errorMessage(e)}); moved to ${aside}, starting a new one`,
      );
      db = CallDb.open(path);
    }
    return new CallService(db, opts);
  }

  /** The store the packager should use: --out without the files kept for replay. */
  packagerStore(): SegmentStore {
    return archiveView(this.opts.store, (name) => this.archive.isRetained(name));
  }

  /** Forgets segments whose files are gone and closes calls a previous run left open. */
  async reconcile(): Promise<void> {
    const { db, opts } = this;
    const files = await opts.store.sizes();
    const missing = db.allSegments().filter((s) => !files.has(s.uri));
    if (missing.length) db.removeSegments(missing.map((s) => s.uri));
    for (const s of missing) this.archive.reaped(s.uri);
    const stale = db.openCalls();
    if (stale.length) {
      db.upsertCalls(closeStale(stale, (id) => db.nextCallId(id), db.lastSegmentEndMs()));
      opts.logger.info(`call log: closed ${stale.length} call(s) an earlier run left open`);
    }
    const keep = opts.retentionSec
      ? `segments kept ${formatDuration(opts.retentionSec)}, up to ${formatSize(opts.retentionMaxBytes)}`
      : 'segments deleted as they leave the live window';
    opts.logger.debug(
      `call log ${db.path}: calls kept ${formatDuration(opts.callsRetentionSec)}, up to ${formatSize(opts.callsMaxBytes)}; ${keep}`,
    );
  }

  /** Starts the reaper and the hourly prune of old calls. */
  start(): void {
    this.reaper.start();
    const tick = (): void => {
      this.prune();
      this.cancelPrune = this.opts.clock.setTimer(tick, PRUNE_INTERVAL_MS);
    };
    tick();
  }

  /** Deletes calls older than --calls-retention, then the oldest until the file fits --calls-max-bytes. */
  prune(): void {
    const { db, opts } = this;
    this.attempt('prune old calls', () => {
      let n = 0;
      if (opts.callsRetentionSec > 0)
        n += db.deleteCallsBefore(opts.clock.now() - opts.callsRetentionSec * 1000);
      while (opts.callsMaxBytes > 0 && db.usedBytes() > opts.callsMaxBytes) {
        const step = db.deleteOldestCalls(PRUNE_BATCH);
        n += step;
        if (step === 0) break;
      }
      if (n > 0) {
        db.releaseFreePages();
        opts.logger.info(`call log: pruned ${n} old call(s)`);
      }
    });
  }

  /** Records the scanner's transmissions as calls (each on open, update and close); returns the unsubscribe. */
  attachScanner(scanner: Pick<ScannerService, 'onTransmissions'>): () => void {
    return scanner.onTransmissions((log) => {
      const rows = this.diff.changed(log, this.codec());
      if (!this.attempt('record calls', () => this.db.upsertCalls(rows))) {
        for (const r of rows) this.diff.forget(r.id);
        return;
      }
      // Oldest first, so a listener sees calls in the order they went on the air.
      for (const r of [...rows].reverse()) this.announce(r);
    });
  }

  /**
   * Calls fn once when each call opens and once when it closes (a call that was already over
   * when first seen gives both, in that order), after it is in the database; returns the
   * unsubscribe function. fn runs in the scanner's callback: it must return at once.
   */
  onCall(fn: (e: CallEvent) => void): () => void {
    this.callFns.add(fn);
    return () => this.callFns.delete(fn);
  }

  private announce(row: CallRow): void {
    const was = this.announced.get(row.id);
    const kinds: CallEvent['kind'][] = [];
    if (was === undefined) kinds.push('opened');
    if (row.open === 0 && was !== 'closed') kinds.push('closed');
    if (kinds.length === 0) return;
    this.announced.delete(row.id);
    this.announced.set(row.id, row.open === 0 ? 'closed' : 'opened');
    for (const k of this.announced.keys()) {
      if (this.announced.size <= ANNOUNCED_MAX) break;
      this.announced.delete(k);
    }
    for (const kind of kinds) {
      for (const fn of this.callFns) {
        try {
          fn({ kind, row });
        } catch (e) {
          this.opts.logger.error(`call ${kind} listener failed: ${errorMessage(e)}`);
        }
      }
    }
  }

  /** Where the stream's audio codec now ('mp3', 'aac') comes from; it is recorded with each call. */
  setCodec(fn: () => string | null): void {
    this.codec = fn;
  }

  /**
   * Calls fn with each retained segment the retention reaper deleted (the --upload-url mirror
   * deletes it on the origin too, as it does for the packager's 'segment-deleted'); returns the
   * unsubscribe function.
   */
  onReaped(fn: (uri: string) => void): () => void {
    this.reapedFns.add(fn);
    return () => this.reapedFns.delete(fn);
  }

  /** The packager deleted a segment (wire to its 'segment-deleted' event). */
  segmentDeleted(uri: string): void {
    this.archive.deleted(uri);
  }

  /** Stops the timers and closes the database. */
  async close(): Promise<void> {
    this.cancelPrune?.();
    await this.reaper.close();
    this.attempt('close', () => this.db.close());
  }

  private attempt(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      const line = this.throttle.pass(
        what,
        `call log: cannot ${what}: ${errorMessage(e)}`,
        this.opts.clock.now(),
      );
      if (line !== null) this.opts.logger.warn(line);
      return false;
    }
  }
}
