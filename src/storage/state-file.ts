// src/storage/state-file.ts: the persisted stream state (sequence numbers, listed segments, pending deletions) as one JSON file.
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { WindowState } from '../hls/live-window.js';
import type { MediaSegment } from '../hls/playlist.js';

/** A segment that left the playlist and is deleted at deleteAtMs. */
export interface PendingDelete {
  uri: string;
  deleteAtMs: number;
}

/** Everything a restart needs to continue the stream. */
export interface StreamState {
  version: 1;
  stream: string;
  window: WindowState;
  pendingDeletes: PendingDelete[];
  /** EXT-X-PART-INF:PART-TARGET in force (LL-HLS), kept so a restart does not change it. */
  partTargetSec?: number;
}

function isSegment(v: unknown): v is MediaSegment {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Record<string, unknown>;
  return (
    typeof s.msn === 'number' &&
    typeof s.uri === 'string' &&
    typeof s.durationSec === 'number' &&
    typeof s.discontinuity === 'boolean' &&
    typeof s.programDateTimeMs === 'number' &&
    (s.bytes === undefined || typeof s.bytes === 'number')
  );
}

/** Checks parsed JSON; returns null for anything that is not a state file of ours. */
export function parseState(v: unknown): StreamState | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const w = o.window as Record<string, unknown> | undefined;
  if (o.version !== 1 || typeof o.stream !== 'string' || typeof w !== 'object' || w === null)
    return null;
  const nums = ['targetDurationSec', 'mediaSequence', 'discontinuitySequence', 'nextMsn'] as const;
  if (!nums.every((k) => typeof w[k] === 'number' && Number.isFinite(w[k]))) return null;
  if (!Array.isArray(w.segments) || !w.segments.every(isSegment)) return null;
  const pd = Array.isArray(o.pendingDeletes) ? o.pendingDeletes : [];
  const pendingDeletes = pd.filter(
    (p): p is PendingDelete =>
      typeof p === 'object' &&
      p !== null &&
      typeof (p as PendingDelete).uri === 'string' &&
      typeof (p as PendingDelete).deleteAtMs === 'number',
  );
  const state: StreamState = {
    version: 1,
    stream: o.stream,
    window: w as unknown as WindowState,
    pendingDeletes,
  };
  if (typeof o.partTargetSec === 'number' && o.partTargetSec > 0)
    state.partTargetSec = o.partTargetSec;
  return state;
}

/** Reads and writes DIR/<stream>.state.json atomically. */
export class StateFile {
  readonly path: string;

  constructor(
    private readonly dir: string,
    stream: string,
  ) {
    this.path = join(dir, `${stream}.state.json`);
  }

  /** The saved state; null when there is none. Throws with a clear message when it is corrupt. */
  async load(): Promise<StreamState | null> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`state file ${this.path} is not valid JSON`);
    }
    const state = parseState(parsed);
    if (!state) throw new Error(`state file ${this.path} has an unexpected shape`);
    return state;
  }

  /**
   * Saves the state (temp file + rename), blocking: it is a few KB, written at every publish, and
   * a thread-pool round trip per step would wait behind HTTP work (see BLOCKING_WRITE_MAX).
   */
  save(state: StreamState): Promise<void> {
    try {
      mkdirSync(this.dir, { recursive: true });
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, JSON.stringify(state, null, 1));
      renameSync(tmp, this.path);
      return Promise.resolve();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }
}
