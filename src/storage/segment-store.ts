// src/storage/segment-store.ts: SegmentStore, where the live packager keeps what it publishes, and MemoryStore, the store in memory.

/**
 * Named files the packager writes, lists and deletes. Every write appears whole or not at all. The
 * disk store (disk-store.ts) is what nginx and Express serve; the memory store serves the process
 * itself (tests, and short-lived parts).
 */
export interface SegmentStore {
  /** Creates what the store needs (the directory). */
  init(): Promise<void>;
  /** Writes name so readers see the old content or the new, never a part. */
  writeAtomic(name: string, data: Uint8Array | string): Promise<void>;
  /** Deletes name if it exists. */
  remove(name: string): Promise<void>;
  /** What is stored now: name → size in bytes. */
  sizes(): Promise<Map<string, number>>;
  /** Deletes what an interrupted write left behind; returns how many. */
  removeTempFiles(): Promise<number>;
  /** The file behind name for readers outside this process (nginx, the uploader); null in memory. */
  pathOf(name: string): string | null;
}

/** A SegmentStore in memory: writes are whole by construction. */
export class MemoryStore implements SegmentStore {
  private readonly files = new Map<string, Uint8Array>();

  init(): Promise<void> {
    return Promise.resolve();
  }

  writeAtomic(name: string, data: Uint8Array | string): Promise<void> {
    this.files.set(name, typeof data === 'string' ? Buffer.from(data) : data.slice());
    return Promise.resolve();
  }

  remove(name: string): Promise<void> {
    this.files.delete(name);
    return Promise.resolve();
  }

  sizes(): Promise<Map<string, number>> {
    return Promise.resolve(new Map([...this.files].map(([n, b]) => [n, b.length])));
  }

  removeTempFiles(): Promise<number> {
    return Promise.resolve(0);
  }

  pathOf(): null {
    return null;
  }

  /** The stored bytes of name, or null. */
  read(name: string): Uint8Array | null {
    return this.files.get(name) ?? null;
  }
}
