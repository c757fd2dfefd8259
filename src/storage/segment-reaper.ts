// src/storage/segment-reaper.ts: SegmentReaper: deletes segments that left the playlist once their availability time has passed.
import type { Clock } from '../clock.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { SegmentStore } from './segment-store.js';
import type { PendingDelete } from './state-file.js';

/**
 * Keeps one timer per file due for deletion (the injected clock's), and can list them so a restart
 * picks them up again: disk use stays bounded however long the stream runs.
 */
export class SegmentReaper {
  private readonly due = new Map<string, { atMs: number; cancel: () => void }>();

  constructor(
    private readonly store: SegmentStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Called after a file is gone (the uploader mirrors deletions). */
    private readonly onDeleted: (name: string) => void,
  ) {}

  /** Deletes name after delayMs (at once when delayMs ≤ 0); a name already due keeps its time. */
  schedule(name: string, delayMs: number): void {
    if (this.due.has(name)) return;
    if (delayMs <= 0) return this.deleteNow(name);
    const cancel = this.clock.setTimer(() => {
      this.due.delete(name);
      this.deleteNow(name);
    }, delayMs);
    this.due.set(name, { atMs: this.clock.now() + delayMs, cancel });
  }

  /** True when name is due for deletion. */
  has(name: string): boolean {
    return this.due.has(name);
  }

  /** What is due, for the state file. */
  pending(): PendingDelete[] {
    return [...this.due].map(([uri, p]) => ({ uri, deleteAtMs: p.atMs }));
  }

  /** Stops the timers (shutdown: the state file keeps the list). */
  cancelAll(): void {
    for (const p of this.due.values()) p.cancel();
    this.due.clear();
  }

  private deleteNow(name: string): void {
    this.store.remove(name).then(
      () => this.onDeleted(name),
      (e: unknown) => this.logger.warn(`could not delete ${name}: ${errorMessage(e)}`),
    );
  }
}
