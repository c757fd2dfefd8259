// test/helpers/unified-diff.ts: reads one file's hunks from a unified diff (a patch-package patch) and undoes them, to rebuild the unpatched file from the patched one.
import { readFileSync } from 'node:fs';

/** One "@@ -oldStart,oldCount +newStart,newCount @@" hunk: the lines of each side, in order. */
export interface Hunk {
  oldStart: number;
  newStart: number;
  oldLines: string[];
  newLines: string[];
}

const HUNK_HEAD = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/** The hunks of `path` (as named after a/ and b/ in the diff header) in a unified diff. */
export function hunksFor(diffText: string, path: string): Hunk[] {
  const lines = diffText.split('\n');
  const header = `diff --git a/${path} b/${path}`;
  const at = lines.indexOf(header);
  if (at < 0) throw new Error(`the diff has no section for ${path}`);
  const hunks: Hunk[] = [];
  let hunk: Hunk | null = null;
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.startsWith('diff --git ')) break;
    const head = HUNK_HEAD.exec(line);
    if (head) {
      hunk = { oldStart: Number(head[1]), newStart: Number(head[2]), oldLines: [], newLines: [] };
      hunks.push(hunk);
      continue;
    }
    if (!hunk) continue; // index, ---, +++ lines
    if (line.startsWith('\\')) {
      throw new Error(`${path}: "\\ No newline at end of file" hunks are not supported`);
    }
    const body = line.slice(1);
    if (line.startsWith(' ')) {
      hunk.oldLines.push(body);
      hunk.newLines.push(body);
    } else if (line.startsWith('-')) {
      hunk.oldLines.push(body);
    } else if (line.startsWith('+')) {
      hunk.newLines.push(body);
    } else if (line === '') {
      // The blank line that ends the patch file (a blank context line is written as " ").
      continue;
    } else {
      throw new Error(`${path}: unexpected diff line ${JSON.stringify(line.slice(0, 40))}`);
    }
  }
  if (hunks.length === 0) throw new Error(`the diff has no hunks for ${path}`);
  return hunks;
}

/**
 * Undoes the hunks on the patched text: every hunk's new side must be found, line for line, where
 * the hunk says; it is replaced by the old side. Throws when the text is not the patched file.
 */
export function unapply(patchedText: string, hunks: Hunk[]): string {
  const lines = patchedText.split('\n');
  // Later hunks first, so the line numbers of earlier ones still hold.
  for (const h of [...hunks].sort((a, b) => b.newStart - a.newStart)) {
    const start = h.newStart - 1;
    const found = lines.slice(start, start + h.newLines.length);
    if (found.length !== h.newLines.length || found.some((l, i) => l !== h.newLines[i])) {
      throw new Error(`the text does not hold hunk +${h.newStart} of the patch`);
    }
    lines.splice(start, h.newLines.length, ...h.oldLines);
  }
  return lines.join('\n');
}

/** The unpatched text of `path` rebuilt from the file on disk and the patch file that changed it. */
export function unpatchedFile(patchFile: string, path: string, patchedFile: string): string {
  const hunks = hunksFor(readFileSync(patchFile, 'utf8'), path);
  return unapply(readFileSync(patchedFile, 'utf8'), hunks);
}
