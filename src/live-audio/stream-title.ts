// src/live-audio/stream-title.ts: the stream title (ICY StreamTitle, the relay's metadata) from the scanner service: label, else channel or frequency; null while quiet.
import type { Labelled } from '../scanner/scanner-service.js';
import type { ScannerStatus } from '../scanner/scanner-status.js';
import { formatMHz } from '../timeline/scanner-tags.js';
import type { TitleSource } from './audio-feed-types.js';

/** The part of ScannerService a title needs. */
export interface TitleStatusSource {
  status(): Labelled<ScannerStatus>;
  onStatus(fn: (s: Labelled<ScannerStatus>) => void): () => void;
}

/**
 * What is on the air as one line: null while the squelch is closed or the scanner is not
 * connected; else the label (--labels), else "<frequency> MHz" (as the stream's ID3 TIT2 says it),
 * else "Channel N", else null.
 */
export function titleOf(
  s: Pick<
    Labelled<ScannerStatus>,
    'connected' | 'squelchOpen' | 'label' | 'frequencyMHz' | 'channel'
  >,
): string | null {
  if (!s.connected || !s.squelchOpen) return null;
  if (s.label !== null && s.label.trim() !== '') return s.label.trim();
  if (s.frequencyMHz !== null) return `${formatMHz(s.frequencyMHz)} MHz`;
  if (s.channel !== null) return `Channel ${s.channel}`;
  return null;
}

/** A TitleSource over the scanner service, or one that is always null without a scanner. */
export function createStreamTitle(scanner: TitleStatusSource | null): TitleSource & {
  close(): void;
} {
  if (!scanner) {
    return { current: () => null, onChange: () => () => undefined, close: () => undefined };
  }
  let title = titleOf(scanner.status());
  const listeners = new Set<(t: string | null) => void>();
  const off = scanner.onStatus((s) => {
    const next = titleOf(s);
    if (next === title) return;
    title = next;
    for (const fn of [...listeners]) fn(next);
  });
  return {
    current: () => title,
    onChange(fn) {
      listeners.add(fn);
      return () => {
        listeners.delete(fn);
      };
    },
    close() {
      off();
      listeners.clear();
    },
  };
}
