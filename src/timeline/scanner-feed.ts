// src/timeline/scanner-feed.ts: attachScannerFeed, the adapter that carries the scanner service's status and transmissions into the packager's timeline (ID3 tags, DATERANGEs).
import type { Clock } from '../clock.js';
import type { Labelled } from '../scanner/scanner-service.js';
import type { ScannerStatus } from '../scanner/scanner-status.js';
import type { Transmission } from '../scanner/transmission-log.js';
import {
  sameTimelineState,
  scannerTag,
  type TimelineState,
  timelineStateOf,
  transmissionKey,
} from './scanner-tags.js';

/** What the feed reads: the part of ScannerService it needs. */
export interface TimelineSource {
  status(): Labelled<ScannerStatus>;
  transmissions(): Labelled<Transmission>[];
  onStatus(fn: (s: Labelled<ScannerStatus>) => void): () => void;
  onTransmissions(fn: (t: Labelled<Transmission>[]) => void): () => void;
}

/** Where the feed writes: the Packager implements it. */
export interface TimelineSink {
  /** An ID3 tag for the state that began at wall time wallMs. */
  setScannerState(tag: Uint8Array, wallMs: number): void;
  /** The transmission log, newest first. */
  setTransmissions(transmissions: readonly Labelled<Transmission>[]): void;
}

/**
 * When the state changed: a squelch open at its transmission's start, a close at its end (the
 * times the scanner reported, which the DATERANGE and call log use too), anything else now.
 */
function changedAt(
  prev: TimelineState | null,
  next: TimelineState,
  transmissions: readonly Transmission[],
  nowMs: number,
): number {
  const byKey = (key: string): Transmission | undefined =>
    transmissions.find((t) => transmissionKey(t) === key);
  if (next.call !== null && next.call !== prev?.call) {
    const t = byKey(next.call);
    if (t) return Date.parse(t.start);
  }
  if (prev?.call && prev.call !== next.call) {
    const end = byKey(prev.call)?.end;
    if (end) return Date.parse(end);
  }
  return nowMs;
}

/**
 * Sends the current state at once, then a tag at each squelch open, change (frequency, channel,
 * bank, talkgroup, label) and close, and the log whenever it changes. Returns the detach function.
 */
export function attachScannerFeed(
  source: TimelineSource,
  sink: TimelineSink,
  clock: Clock,
): () => void {
  let prev: TimelineState | null = null;
  let lastWall = -Infinity;
  const onChange = (): void => {
    const transmissions = source.transmissions();
    const next = timelineStateOf(source.status(), transmissions);
    if (prev && sameTimelineState(prev, next)) return;
    const now = clock.now();
    // Tags go in wall-time order; a reported time is never later than now.
    const wall = Math.max(lastWall, Math.min(now, changedAt(prev, next, transmissions, now)));
    prev = next;
    lastWall = wall;
    sink.setScannerState(scannerTag(next), wall);
  };
  const offStatus = source.onStatus(onChange);
  const offTransmissions = source.onTransmissions((list) => {
    sink.setTransmissions(list);
    onChange();
  });
  sink.setTransmissions(source.transmissions());
  onChange();
  return () => {
    offStatus();
    offTransmissions();
  };
}
