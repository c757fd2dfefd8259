// src/timeline/dateranges.ts: transmissions → EXT-X-DATERANGE (pure): one range per transmission, and DateRangeBook, which keeps what the playlists list, added and removed when.
import type { DateRange, DateRangeAttribute } from '../hls/playlist.js';
import type { Labelled } from '../scanner/scanner-service.js';
import type { Transmission } from '../scanner/transmission-log.js';
import { dateRangeId, formatMHz } from './scanner-tags.js';

/** CLASS of our ranges (§4.4.5.1: "Clients SHOULD ignore ... CLASS values they do not recognize"). */
export const TRANSMISSION_CLASS = 'org.scanner-hls.transmission';

/** §4.1/§4.2: a quoted-string "cannot contain CR, LF or the double-quote character". */
function quotedText(s: string): string {
  const control = (c: number): boolean => c < 0x20 || (c >= 0x7f && c <= 0x9f);
  return [...s.replace(/"/g, "'")].map((ch) => (control(ch.charCodeAt(0)) ? ' ' : ch)).join('');
}

/** The date range of one transmission: open (no END-DATE, no DURATION) while on the air. */
export function transmissionRange(t: Labelled<Transmission>): DateRange {
  const attributes: DateRangeAttribute[] = [];
  if (t.frequencyMHz !== null)
    attributes.push({ name: 'X-FREQUENCY', value: formatMHz(t.frequencyMHz), quoted: false });
  if (t.channel !== null)
    attributes.push({ name: 'X-CHANNEL', value: String(t.channel), quoted: false });
  if (t.talkgroup !== null)
    attributes.push({ name: 'X-TALKGROUP', value: quotedText(t.talkgroup), quoted: true });
  if (t.label !== null)
    attributes.push({ name: 'X-LABEL', value: quotedText(t.label), quoted: true });
  return {
    id: dateRangeId(t),
    className: TRANSMISSION_CLASS,
    startMs: Date.parse(t.start),
    endMs: t.end === null ? null : Date.parse(t.end),
    attributes,
  };
}

interface Entry {
  range: DateRange;
  /** When the tag's text last changed (first listed, an attribute or its end added). */
  changedMs: number;
}

/** How one range is written, to tell when its tag changed. */
function signature(r: DateRange): string {
  return JSON.stringify([r.endMs, r.attributes]);
}

/**
 * The date ranges the live playlists list. A range, once listed, keeps the value of every
 * attribute it was listed with (§4.4.5.1: "any AttributeName that appears in both tags MUST have
 * the same AttributeValue"; hls.js marks a range invalid otherwise); later details only add
 * attributes, and the end. Ranges leave when they end before the playlist's first segment
 * (§6.2.1: the server "MUST NOT remove an EXT-X-DATERANGE tag from a Playlist if any date in
 * the range maps to a Media Segment in the Playlist").
 */
export class DateRangeBook {
  private readonly entries = new Map<string, Entry>();
  private removed: { id: string; atMs: number }[] = [];
  /** The first segment's PROGRAM-DATE-TIME at the last prune: ranges ended before it are gone. */
  private playlistStartMs = -Infinity;

  /** Merges the transmission log (any order) seen at nowMs. */
  update(transmissions: readonly Labelled<Transmission>[], nowMs: number): void {
    for (const t of transmissions) {
      const next = transmissionRange(t);
      if (!Number.isFinite(next.startMs)) continue;
      const e = this.entries.get(next.id);
      if (!e) {
        // Removed already (or never in the playlist's span): not listed again.
        if (next.endMs !== null && next.endMs < this.playlistStartMs) continue;
        this.entries.set(next.id, { range: next, changedMs: nowMs });
        continue;
      }
      const had = new Set(e.range.attributes.map((a) => a.name));
      const merged: DateRange = {
        ...e.range,
        endMs: e.range.endMs ?? next.endMs,
        attributes: [...e.range.attributes, ...next.attributes.filter((a) => !had.has(a.name))],
      };
      if (signature(merged) !== signature(e.range)) {
        this.entries.set(next.id, { range: merged, changedMs: nowMs });
      }
    }
  }

  /** Drops ranges that ended before playlistStartMs (noting when), and forgets old removals. */
  prune(playlistStartMs: number, nowMs: number, keepRemovedMs: number): void {
    this.playlistStartMs = Math.max(this.playlistStartMs, playlistStartMs);
    for (const [id, e] of this.entries) {
      if (e.range.endMs !== null && e.range.endMs < this.playlistStartMs) {
        this.entries.delete(id);
        this.removed.push({ id, atMs: nowMs });
      }
    }
    this.removed = this.removed.filter((r) => nowMs - r.atMs <= keepRemovedMs);
  }

  /** The listed ranges, oldest start first. */
  listed(): DateRange[] {
    return [...this.entries.values()].map((e) => e.range).sort((a, b) => a.startMs - b.startMs);
  }

  /**
   * What a v2 delta update carries (RFC 8216bis §6.2.5.1): the ranges whose tag was added or
   * changed within skipUntilSec of nowMs, and the IDs removed within that time.
   */
  delta(
    nowMs: number,
    skipUntilSec: number,
  ): { dateRanges: DateRange[]; recentlyRemoved: string[] } {
    const limit = nowMs - skipUntilSec * 1000;
    const dateRanges = [...this.entries.values()]
      .filter((e) => e.changedMs >= limit)
      .map((e) => e.range)
      .sort((a, b) => a.startMs - b.startMs);
    const recentlyRemoved = this.removed.filter((r) => r.atMs >= limit).map((r) => r.id);
    return { dateRanges, recentlyRemoved };
  }
}
