// src/timeline/scanner-tags.ts: the scanner's state as the stream carries it (pure): status + transmission log → TimelineState → ID3 frames and tag.
import { type Id3Frame, id3Tag } from '../id3/id3v2.js';
import type { ScannerStatus } from '../scanner/scanner-status.js';
import type { Transmission } from '../scanner/transmission-log.js';

/** What a listener is told the scanner is receiving (the contract with the page's cue reader). */
export interface TimelineState {
  frequencyMHz: number | null;
  channel: number | null;
  bank: number | null;
  talkgroup: string | null;
  label: string | null;
  squelchOpen: boolean;
  /** The transmission key (transmissionKey) while a transmission is on the air, else null. */
  call: string | null;
}

/**
 * The transmission key shared by the ID3 `call` field, the call log's id and the page's
 * `/#call=ID` links: the start time in ms since the epoch, as digits. The DATERANGE ID is
 * `call-<key>` (dateRangeId), since an ID names the range among all of a playlist's.
 */
export function transmissionKey(t: Pick<Transmission, 'start'>): string {
  return String(Date.parse(t.start));
}

/** EXT-X-DATERANGE ID of a transmission. */
export function dateRangeId(t: Pick<Transmission, 'start'>): string {
  return `call-${transmissionKey(t)}`;
}

/** The state to carry, from the labelled status and log (newest transmission first). */
export function timelineStateOf(
  status: Pick<ScannerStatus, 'frequencyMHz' | 'channel' | 'bank' | 'talkgroup' | 'squelchOpen'> & {
    label: string | null;
  },
  transmissions: readonly Pick<Transmission, 'start' | 'end'>[],
): TimelineState {
  const onAir = transmissions[0]?.end === null ? transmissions[0] : null;
  return {
    frequencyMHz: status.frequencyMHz,
    channel: status.channel,
    bank: status.bank,
    talkgroup: status.talkgroup,
    label: status.label,
    squelchOpen: status.squelchOpen,
    call: status.squelchOpen && onAir ? transmissionKey(onAir) : null,
  };
}

/** True when two states would give the same tag. */
export function sameTimelineState(a: TimelineState, b: TimelineState): boolean {
  return (
    a.frequencyMHz === b.frequencyMHz &&
    a.channel === b.channel &&
    a.bank === b.bank &&
    a.talkgroup === b.talkgroup &&
    a.label === b.label &&
    a.squelchOpen === b.squelchOpen &&
    a.call === b.call
  );
}

/** A frequency as the tag and the page write it: MHz with 4 decimals, e.g. "154.4150". */
export function formatMHz(mhz: number): string {
  return mhz.toFixed(4);
}

/**
 * The ID3 frames: TXXX `frequency`, `channel`, `bank`, `talkgroup`, `label` (each left out while
 * unknown), `squelch` ("open" or "closed"), `call` (the transmission key, "" when none is on the
 * air), and TIT2, which generic players show: the label, else "<frequency> MHz".
 */
export function scannerFrames(s: TimelineState): Id3Frame[] {
  const txxx = (description: string, value: string): Id3Frame => ({
    id: 'TXXX',
    description,
    value,
  });
  const frames: Id3Frame[] = [];
  if (s.frequencyMHz !== null) frames.push(txxx('frequency', formatMHz(s.frequencyMHz)));
  if (s.channel !== null) frames.push(txxx('channel', String(s.channel)));
  if (s.bank !== null) frames.push(txxx('bank', String(s.bank)));
  if (s.talkgroup !== null) frames.push(txxx('talkgroup', s.talkgroup));
  if (s.label !== null) frames.push(txxx('label', s.label));
  frames.push(txxx('squelch', s.squelchOpen ? 'open' : 'closed'));
  frames.push(txxx('call', s.squelchOpen && s.call !== null ? s.call : ''));
  const title = s.label ?? (s.frequencyMHz !== null ? `${formatMHz(s.frequencyMHz)} MHz` : null);
  if (title !== null) frames.push({ id: 'TIT2', text: title });
  return frames;
}

/** The whole ID3v2.4 tag for a state. */
export function scannerTag(s: TimelineState): Uint8Array {
  return id3Tag(scannerFrames(s));
}
