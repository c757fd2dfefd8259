// src/call-upload/call-fields.ts: what every receiver's upload is made of (text fields, one audio file), the call's number as a talkgroup, and how a reply is judged (pure).
import type { CallRow } from '../calls/call-format.js';

/** One upload's multipart form: text fields in order, then the audio part. */
export interface UploadForm {
  fields: [name: string, value: string][];
  /** The form field the audio goes in ('audio' for rdio-scanner, 'call' for OpenMHz). */
  fileField: string;
  filename: string;
  type: string;
}

/**
 * What the worker does after a reply: 'done' (accepted), 'auth' (a bad key or unknown system:
 * keep the job, say so once, retry slowly), 'reject' (the receiver refuses this call's data:
 * retrying cannot help, drop it with an error line), 'retry' (back off and try again).
 */
export type Verdict = 'done' | 'auth' | 'reject' | 'retry';

/**
 * The number a call goes under: its talkgroup when the scanner received a numeric one, else
 * its channel ("channels get assigned a virtual talkgroup number based upon their position in
 * the array", trunk-recorder CONFIGURE.md), else its frequency in kHz (rdio-scanner dirwatch's
 * #TGKHZ); null when it has none (rdio-scanner's parsers.go keeps only integers > 0).
 */
export function callNumber(call: CallRow): number | null {
  if (call.talkgroup !== null && /^\d{1,9}$/.test(call.talkgroup)) {
    const tg = Number(call.talkgroup);
    if (tg > 0) return tg;
  }
  if (call.channel !== null && call.channel > 0) return call.channel;
  if (call.freq !== null && call.freq >= 1000) return Math.round(call.freq / 1000);
  return null;
}

/** Unix seconds, whole (the receivers parse integers). */
export function unixSeconds(sec: number): string {
  return String(Math.floor(sec));
}
