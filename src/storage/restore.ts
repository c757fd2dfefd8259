// src/storage/restore.ts: readRestore: what a restart picks up from --state-dir and --out: the window to continue, deletions still due, and strays.
import { errorMessage } from '../errors.js';
import type { WindowState } from '../hls/live-window.js';
import { planRestore } from '../hls/plan-restore.js';
import type { Logger } from '../logger.js';
import type { SegmentStore } from './segment-store.js';
import type { PendingDelete, StateFile } from './state-file.js';

/** The previous run as far as it can be trusted. */
export interface Restored {
  /** The window to continue (only files present at their size), or null for a fresh stream. */
  window: WindowState | null;
  /** Deletions the previous run had scheduled. */
  pendingDeletes: PendingDelete[];
  /** Segment files of this stream that nothing lists or schedules (a crash left them): delete later. */
  strays: string[];
  /** The PART-TARGET the previous run published (LL-HLS), if any. */
  partTargetSec: number | null;
}

/**
 * Prepares the store (temp files from an interrupted write go at once), reads the state file (a
 * corrupt one is logged and ignored: the stream starts afresh) and plans what may be listed again.
 */
export async function readRestore(
  store: SegmentStore,
  state: StateFile | null,
  stream: string,
  targetDurationSec: number,
  logger: Logger,
): Promise<Restored> {
  await store.init();
  const removed = await store.removeTempFiles();
  if (removed) logger.info(`removed ${removed} temp file(s) left by an earlier run`);
  if (!state) return { window: null, pendingDeletes: [], strays: [], partTargetSec: null };
  let saved = null;
  try {
    saved = await state.load();
  } catch (e) {
    logger.error(`ignoring saved state: ${errorMessage(e)}; starting a fresh playlist`);
  }
  const files = await store.sizes();
  let window: WindowState | null = null;
  if (saved) {
    const plan = planRestore(saved.window, files, targetDurationSec);
    if (plan.reason)
      logger.warn(
        `${plan.reason}; ${plan.dropped.length} segment(s) are not listed again, sequence numbers continue and the next segment starts with a discontinuity`,
      );
    window = plan.window;
    logger.info(
      `continuing stream ${stream} at media sequence ${window.nextMsn} with ${window.segments.length} segment(s) from the previous run`,
    );
  }
  const pendingDeletes = saved?.pendingDeletes ?? [];
  const known = new Set([
    ...(window?.segments ?? []).map((s) => s.uri),
    ...pendingDeletes.map((p) => p.uri),
  ]);
  const strays = [...files.keys()].filter(
    (f) => f.startsWith(`${stream}-`) && f.endsWith('.ts') && !known.has(f),
  );
  return { window, pendingDeletes, strays, partTargetSec: saved?.partTargetSec ?? null };
}
