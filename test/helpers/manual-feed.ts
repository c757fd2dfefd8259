// test/helpers/manual-feed.ts: ManualFeed, a LiveFeed that publishes one LL-HLS part when told (tests and bench:ll stand in for the packager with it).
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type {
  LiveFeed,
  LowLatencyInfo,
  PartPosition,
  SkipRequest,
} from '../../src/hls/live-feed.js';
import { LiveWindow } from '../../src/hls/live-window.js';
import { renderMediaPlaylist } from '../../src/hls/render.js';

export interface ManualFeedOptions {
  /** LL settings; null is a feed with LL-HLS off (then parts are still counted, but not shown). */
  lowLatency: LowLatencyInfo | null;
  /** Parts per segment (the segment is cut after the last). */
  partsPerSegment: number;
  /** Where part files are written, whole (temp + rename), before the publish that lists them; null writes none. */
  dir: string | null;
  /** Bytes of each part file. */
  partBytes?: number;
  /** Segments listed (the window). */
  window?: number;
}

const T0 = Date.parse('2026-11-24T03:00:00.000Z');

/** A part's URI: live-MSN.PART.ts. */
export function manualPartUri(p: PartPosition): string {
  return `live-${p.msn}.${p.part}.ts`;
}

/**
 * A feed whose playlist is real rendered text (LiveWindow + renderMediaPlaylist) plus the LL
 * lines of the segment in progress (EXT-X-PART, EXT-X-PRELOAD-HINT); a delta update (skip YES or
 * v2) replaces all but the last two segments with EXT-X-SKIP.
 */
export class ManualFeed implements LiveFeed {
  private pos: PartPosition | null = null;
  private texts: Record<SkipRequest, string | null> = { no: null, YES: null, v2: null };
  private hint: string | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly window: LiveWindow;
  private ended = false;
  /** playlist() calls, to see that held requests do not ask once each. */
  playlistCalls = 0;

  constructor(readonly opts: ManualFeedOptions) {
    this.window = new LiveWindow({
      size: opts.window ?? 12,
      targetDurationSec: opts.lowLatency?.targetDurationSec ?? 1,
    });
  }

  lowLatency(): LowLatencyInfo | null {
    return this.opts.lowLatency;
  }

  position(): PartPosition | null {
    return this.opts.lowLatency ? this.pos : null;
  }

  playlist(skip: SkipRequest): string | null {
    this.playlistCalls++;
    return this.texts[skip];
  }

  preloadHint(): string | null {
    return this.opts.lowLatency ? this.hint : null;
  }

  onPublish(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** How many listeners are subscribed. */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** The position the next publish() lists. */
  next(): PartPosition {
    const p = this.pos;
    if (!p) return { msn: 0, part: 0 };
    return p.part + 1 < this.opts.partsPerSegment
      ? { msn: p.msn, part: p.part + 1 }
      : { msn: p.msn + 1, part: 0 };
  }

  /**
   * Publishes the next part: writes its file (unless writeFile is false: a hint withdrawn), cuts
   * the segment after its last part, renders, moves the hint on, then calls the listeners.
   * Returns the position published.
   */
  publish(o: { writeFile?: boolean; end?: boolean } = {}): PartPosition {
    const p = this.next();
    if (this.opts.dir && o.writeFile !== false) {
      const name = manualPartUri(p);
      const tmp = join(this.opts.dir, `.tmp-${name}`);
      writeFileSync(tmp, partBytes(p, this.opts.partBytes ?? 1880));
      renameSync(tmp, join(this.opts.dir, name));
    }
    this.pos = p;
    if (p.part === this.opts.partsPerSegment - 1) {
      const td = this.opts.lowLatency?.targetDurationSec ?? 1;
      this.window.add({
        uri: `live-${p.msn}.ts`,
        durationSec: td,
        discontinuity: false,
        programDateTimeMs: T0 + p.msn * td * 1000,
      });
    }
    this.ended = o.end === true;
    this.hint = this.ended ? null : manualPartUri(this.next());
    this.render();
    for (const fn of [...this.listeners]) fn();
    return p;
  }

  /** An update with no new part (the playlist is the same, the hint stays): listeners only. */
  republish(): void {
    for (const fn of [...this.listeners]) fn();
  }

  private render(): void {
    const pl = this.window.toPlaylist('live');
    pl.endList = this.ended;
    const base = renderMediaPlaylist(pl);
    const info = this.opts.lowLatency;
    const p = this.pos;
    if (!info || !p) {
      this.texts = { no: base, YES: base, v2: base };
      return;
    }
    const header = [
      `#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK=${3 * info.partTargetSec},CAN-SKIP-UNTIL=${info.canSkipUntilSec}`,
      `#EXT-X-PART-INF:PART-TARGET=${info.partTargetSec}`,
    ];
    // Parts of the segment in progress (a cut segment's parts are listed by its EXTINF line here).
    const open = p.part === this.opts.partsPerSegment - 1 ? [] : range(p.part + 1);
    const tail = [
      ...open.map(
        (i) =>
          `#EXT-X-PART:DURATION=${info.partTargetSec},URI="${manualPartUri({ msn: p.msn, part: i })}",INDEPENDENT=YES`,
      ),
      ...(this.hint ? [`#EXT-X-PRELOAD-HINT:TYPE=PART,URI="${this.hint}"`] : []),
    ];
    const full = withLl(base, header, tail);
    const segs = pl.segments.length;
    const skipped = Math.max(0, segs - 2);
    const delta = (v2: boolean): string => {
      const lines = base.split('\n');
      const first = lines.findIndex((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME'));
      if (first < 0 || skipped === 0) return full;
      // Each segment is PROGRAM-DATE-TIME, EXTINF, URI here. v2 would also skip old DATERANGEs;
      // there are none, so a comment line tells the two apart.
      const kept = [
        ...lines.slice(0, first),
        `#EXT-X-SKIP:SKIPPED-SEGMENTS=${skipped}`,
        ...(v2 ? ['# delta v2'] : []),
        ...lines.slice(first + 3 * skipped),
      ].join('\n');
      return withLl(kept, header, tail);
    };
    this.texts = { no: full, YES: delta(false), v2: delta(true) };
  }
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** base with the LL header lines after EXT-X-VERSION and the tail lines at the end (before ENDLIST). */
function withLl(base: string, header: string[], tail: string[]): string {
  const lines = base.trimEnd().split('\n');
  const end = lines.at(-1) === '#EXT-X-ENDLIST' ? [lines.pop() ?? ''] : [];
  lines.splice(2, 0, ...header);
  return [...lines, ...tail, ...end].join('\n') + '\n';
}

/** TS-looking bytes (sync byte every 188) that say which part they are. */
function partBytes(p: PartPosition, n: number): Buffer {
  const b = Buffer.alloc(n, (p.msn * 31 + p.part) & 0xff);
  for (let i = 0; i < n; i += 188) b[i] = 0x47;
  return b;
}
