// src/metrics/health.ts: evaluateHealth, the pure rule behind GET /healthz.
import type { StreamStatus } from '../stream-status.js';

/** A publisher that sends but gets no segment published for this many target durations is stalled. */
export const STALL_TARGET_DURATIONS = 3;

/** What /healthz knows about the scanner (null without --scanner). */
export interface ScannerHealth {
  connected: boolean;
  link: string;
  squelchOpen: boolean;
  reason: string | null;
}

/** The body of GET /healthz; healthy false means HTTP 503. */
export interface Health {
  healthy: boolean;
  /** ok: publishing; idle: no publisher (still serving the last playlist); stalled: see reasons. */
  state: 'ok' | 'idle' | 'stalled';
  reasons: string[];
  ingest: { connected: boolean; remote: string | null; since: string | null };
  lastSegmentAt: string | null;
  lastSegmentAgeSec: number | null;
  /** Seconds after which a connected publisher without a new segment counts as stalled. */
  stallAfterSec: number;
  segmentsPublished: number;
  scanner: ScannerHealth | null;
}

/**
 * Unhealthy only when a publisher is connected and no segment has been published for
 * STALL_TARGET_DURATIONS × target duration (counted from the later of the last segment and the
 * connection). No publisher is "idle", not unhealthy: restarting us would not bring the encoder
 * back. A disconnected scanner is reported but never unhealthy: the service keeps reopening it.
 */
export function evaluateHealth(
  nowMs: number,
  status: StreamStatus,
  scanner: ScannerHealth | null,
): Health {
  const stallAfterSec = STALL_TARGET_DURATIONS * status.targetDurationSec;
  const lastMs = status.lastSegmentAt ? Date.parse(status.lastSegmentAt) : null;
  const lastSegmentAgeSec = lastMs === null ? null : Math.max(0, (nowMs - lastMs) / 1000);
  const reasons: string[] = [];
  let state: Health['state'] = status.ingest.connected ? 'ok' : 'idle';
  if (status.ingest.connected) {
    const sinceMs = status.ingest.since ? Date.parse(status.ingest.since) : nowMs;
    const quietSec = (nowMs - Math.max(lastMs ?? -Infinity, sinceMs)) / 1000;
    if (quietSec > stallAfterSec) {
      state = 'stalled';
      reasons.push(
        `publisher connected but no segment published for ${quietSec.toFixed(1)} s (limit ${stallAfterSec} s)`,
      );
    }
  } else reasons.push('no publisher connected');
  if (scanner && !scanner.connected)
    reasons.push(`scanner not connected: ${scanner.reason ?? scanner.link}`);
  return {
    healthy: state !== 'stalled',
    state,
    reasons,
    ingest: { ...status.ingest },
    lastSegmentAt: status.lastSegmentAt,
    lastSegmentAgeSec: lastSegmentAgeSec === null ? null : Math.round(lastSegmentAgeSec * 10) / 10,
    stallAfterSec,
    segmentsPublished: status.segmentsPublished,
    scanner,
  };
}
