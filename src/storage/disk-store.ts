// src/storage/disk-store.ts: DiskStore: the only writer of the segment directory; every file appears whole (temp + rename).
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SegmentStore } from './segment-store.js';

/** A file name we are willing to create or delete: no path separators, no leading dot. */
export function isSafeName(name: string): boolean {
  return /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,200}$/.test(name) && !name.includes('..');
}

/**
 * Files up to this size (256 KiB: every part, playlist and state file, and segments up to about
 * 1 MB/s of media) are written blocking. Into the page cache that takes tens of microseconds, less
 * than one round trip through libuv's thread pool, and it keeps a publish within one turn of the
 * event loop: with the pool, each of its dozen steps (open, write, close, rename for the segment,
 * the state and the playlist) waited for a turn behind every HTTP request ready at that moment,
 * so a busy origin delayed its own publishes by tens of milliseconds (npm run bench:http).
 */
export const BLOCKING_WRITE_MAX = 256 * 1024;

/** Prefix of the temporary files a write goes through; the HTTP layer never serves dotfiles. */
export const TEMP_PREFIX = '.tmp-';

/** Writes segments and playlists so readers (Express, nginx) never see a partial file. */
export class DiskStore implements SegmentStore {
  /**
   * The directory and its separator: prefix + name is join(dir, name) for a safe name, without
   * normalising the path again per file (batch mode's WriteBehind writes 18,000 that way).
   */
  readonly prefix: string;

  constructor(readonly dir: string) {
    this.prefix = join(dir, '_').slice(0, -1);
  }

  /** The file behind name. */
  pathOf(name: string): string {
    return join(this.dir, name);
  }

  /** Creates the directory. */
  async init(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
  }

  /** Writes name atomically: the bytes go to a temp file, then rename(2) replaces name. */
  async writeAtomic(name: string, data: Uint8Array | string): Promise<void> {
    if (!isSafeName(name)) throw new Error(`refusing unsafe file name ${JSON.stringify(name)}`);
    const tmp = join(this.dir, `${TEMP_PREFIX}${name}`);
    try {
      if (data.length <= BLOCKING_WRITE_MAX) {
        writeFileSync(tmp, data);
        renameSync(tmp, join(this.dir, name));
        return;
      }
      await writeFile(tmp, data);
      await rename(tmp, join(this.dir, name));
    } catch (e) {
      await rm(tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }

  /** Deletes name if it exists. */
  async remove(name: string): Promise<void> {
    if (!isSafeName(name)) return;
    await rm(join(this.dir, name), { force: true });
  }

  /** Names of the files in the directory. */
  async list(): Promise<string[]> {
    const entries = await readdir(this.dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile()).map((e) => e.name);
  }

  /** The files in the directory with their sizes (name → bytes). */
  async sizes(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const name of await this.list()) {
      try {
        out.set(name, (await stat(join(this.dir, name))).size);
      } catch {
        // Deleted between readdir and stat: not there.
      }
    }
    return out;
  }

  /** Deletes temp files left by a crash. */
  async removeTempFiles(): Promise<number> {
    const names = (await this.list()).filter((n) => n.startsWith(TEMP_PREFIX));
    await Promise.all(names.map((n) => rm(join(this.dir, n), { force: true })));
    return names.length;
  }
}
