// src/storage/archive-view.ts: archiveView: the packager's view of --out, without the segments the replay archive keeps (they are not strays to delete).
import type { SegmentStore } from './segment-store.js';

/**
 * At start-up the packager deletes (after their availability time) every segment file of its
 * stream that neither its saved window nor its pending deletions name: the leftovers of a crash.
 * Segments kept for replay (--retention) are named by neither, so this view leaves them out of
 * sizes(); every other call goes to the store unchanged.
 */
export function archiveView(
  store: SegmentStore,
  retained: (name: string) => boolean,
): SegmentStore {
  return {
    init: () => store.init(),
    writeAtomic: (name, data) => store.writeAtomic(name, data),
    remove: (name) => store.remove(name),
    sizes: async () => {
      const all = await store.sizes();
      for (const name of [...all.keys()]) if (retained(name)) all.delete(name);
      return all;
    },
    removeTempFiles: () => store.removeTempFiles(),
    pathOf: (name) => store.pathOf(name),
  };
}
