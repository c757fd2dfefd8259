// src/watch-file.ts: watchFile, a thin chokidar adapter that reports edits of one file (in place or by rename).
import { basename, dirname, resolve } from 'node:path';
import { watch } from 'chokidar';

/** Calls onChange (debounced) whenever the file is written, replaced or re-created. Returns a stop function. */
export function watchFile(
  path: string,
  onChange: () => void,
  opts: { debounceMs?: number } = {},
): () => Promise<void> {
  const file = resolve(path);
  const dir = dirname(file);
  const debounceMs = opts.debounceMs ?? 150;
  let timer: NodeJS.Timeout | null = null;
  // Watch the directory, not the file: editors and config tools replace files by rename.
  const watcher = watch(dir, {
    depth: 0,
    ignoreInitial: true,
    ignored: (p) => p !== dir && p !== file,
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 20 },
  });
  const fire = (p: string): void => {
    if (resolve(p) !== file && basename(p) !== basename(file)) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      onChange();
    }, debounceMs);
  };
  watcher.on('add', fire).on('change', fire);
  return async () => {
    if (timer) clearTimeout(timer);
    await watcher.close();
  };
}
