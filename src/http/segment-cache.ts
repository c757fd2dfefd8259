// src/http/segment-cache.ts: SegmentCache, the recent segments and parts in memory under a byte budget (least recently used first out), with the time each was last seen on disk.
import type { OutgoingHttpHeaders } from 'node:http';

/** One file held in memory, with what its responses need. */
export interface CachedFile {
  body: Buffer;
  /** Strong entity tag, quotes included. */
  etag: string;
  /** IMF-fixdate of the file's mtime. */
  lastModified: string;
  /** The mtime in whole seconds, as ms (what If-Modified-Since compares with). */
  lastModifiedMs: number;
  /** The headers of a whole (200) answer, made once. */
  headers: OutgoingHttpHeaders;
  /** The headers of a 304, made once. */
  notModified: OutgoingHttpHeaders;
  /** Clock time the file was last known to be on disk (filled, or checked since). */
  seenMs: number;
}

export interface SegmentCacheOptions {
  /** Most bytes held at once. */
  budgetBytes: number;
  /** Largest file that is held; bigger ones are always read from disk. */
  maxFileBytes: number;
}

/**
 * A Map in recency order (a hit moves the entry to the end; the first entry is the least recently
 * used and goes first when the budget is exceeded). Pure: the caller reads files and says when one
 * is gone.
 */
export class SegmentCache {
  private readonly entries = new Map<string, CachedFile>();
  private held = 0;
  /** The name most recently used or put: while it is held, it is last in recency order. */
  private newest: string | undefined;
  /** Hits, misses (get found nothing), fills (put) and evictions for the budget, for tests and metrics. */
  readonly counts = { hits: 0, misses: 0, fills: 0, evictions: 0 };

  constructor(private readonly opts: SegmentCacheOptions) {}

  /** Bytes held now (never above budgetBytes). */
  get bytes(): number {
    return this.held;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Whether a file of this many bytes would be held. */
  admits(bytes: number): boolean {
    return bytes <= this.opts.maxFileBytes && bytes <= this.opts.budgetBytes;
  }

  /** Whether name is held (no use counted). */
  has(name: string): boolean {
    return this.entries.has(name);
  }

  /** The entry for name, now the most recently used; undefined if not held. */
  get(name: string): CachedFile | undefined {
    const e = this.entries.get(name);
    if (!e) {
      this.counts.misses++;
      return undefined;
    }
    this.counts.hits++;
    // A burst asks for the same newest file over and over: it is already last.
    if (name !== this.newest) {
      this.entries.delete(name);
      this.entries.set(name, e);
      this.newest = name;
    }
    return e;
  }

  /** Holds f as name (replacing any entry), then drops the least recently used until under budget. */
  put(name: string, f: CachedFile): void {
    this.delete(name);
    if (!this.admits(f.body.length)) return;
    this.counts.fills++;
    this.entries.set(name, f);
    this.newest = name;
    this.held += f.body.length;
    for (const [old, e] of this.entries) {
      if (this.held <= this.opts.budgetBytes) break;
      this.entries.delete(old);
      this.held -= e.body.length;
      this.counts.evictions++;
    }
  }

  /** Forgets name (its file was deleted). */
  delete(name: string): void {
    const e = this.entries.get(name);
    if (!e) return;
    this.entries.delete(name);
    this.held -= e.body.length;
  }
}
