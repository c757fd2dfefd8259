// src/calls/segment-archive.ts: ReplayArchive, the packager's SegmentArchive: every listed segment into the segments table, evicted ones kept for --retention.
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { ListedSegment, SegmentArchive } from '../packager.js';
import { LogThrottle } from '../log-throttle.js';
import type { RetentionReaper } from '../storage/retention-reaper.js';
import type { CallDb, SegmentRow } from './call-db.js';

export interface ReplayArchiveOptions {
  db: CallDb;
  stream: string;
  /** --retention is on: evicted segments stay (their files become ours). */
  retain: boolean;
  reaper: RetentionReaper;
  logger: Logger;
  now: () => number;
}

/** The run id in a segment name STREAM-RUN-MSN[-gap].ts (segment-names.ts). */
export function runOf(stream: string, uri: string): string {
  return uri.slice(stream.length + 1).split('-')[0] ?? '';
}

/**
 * Told of every listed segment and every one that leaves the window. Without --retention it only
 * indexes (the packager deletes, and says so through deleted()); with it, evicted segments are
 * kept and the RetentionReaper deletes them. A failed database write is logged (at most every
 * 10 s) and never reaches the packager: a segment that could not be marked retained is left to
 * the packager to delete, so no file is ever orphaned.
 */
export class ReplayArchive implements SegmentArchive {
  private readonly retained = new Set<string>();
  private readonly throttle = new LogThrottle(10_000);

  constructor(private readonly opts: ReplayArchiveOptions) {
    for (const s of opts.db.allSegments()) if (s.retained) this.retained.add(s.uri);
  }

  /** SegmentArchive: a segment is in the live window now. */
  listed(seg: ListedSegment): void {
    const { db, stream } = this.opts;
    const row: SegmentRow = {
      uri: seg.uri,
      stream,
      run: runOf(stream, seg.uri),
      msn: seg.msn,
      pdt: seg.programDateTimeMs,
      duration: seg.durationSec,
      bytes: seg.bytes ?? 0,
      discontinuity: seg.discontinuity,
      gap: seg.gap ?? false,
      retained: false,
    };
    this.attempt('index a segment', () => db.putSegment(row));
  }

  /** SegmentArchive: it left the window; true when it is kept. */
  evicted(seg: ListedSegment): boolean {
    if (!this.opts.retain) return false;
    const kept = this.attempt('keep a segment', () => {
      if (!this.opts.db.retainSegment(seg.uri)) {
        this.listed(seg);
        this.opts.db.retainSegment(seg.uri);
      }
    });
    if (!kept) return false;
    this.retained.add(seg.uri);
    void this.opts.reaper.kick();
    return true;
  }

  /** The packager deleted a segment's file (its availability time passed, or a crash's stray). */
  deleted(uri: string): void {
    this.retained.delete(uri);
    this.attempt('forget a segment', () => this.opts.db.removeSegments([uri]));
  }

  /** The reaper deleted a retained segment's file. */
  reaped(uri: string): void {
    this.retained.delete(uri);
  }

  /** True for a file this archive keeps (archiveView leaves it out of the packager's restart). */
  isRetained(uri: string): boolean {
    return this.retained.has(uri);
  }

  private attempt(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      const line = this.throttle.pass(
        'calls.db',
        `call log: cannot ${what}: ${errorMessage(e)}`,
        this.opts.now(),
      );
      if (line !== null) this.opts.logger.warn(line);
      return false;
    }
  }
}
