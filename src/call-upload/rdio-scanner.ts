// src/call-upload/rdio-scanner.ts: rdioScannerForm: a call as rdio-scanner's (and ThinLine's) POST /api/call-upload form, and rdioVerdict on its reply (pure).
import type { CallRow } from '../calls/call-format.js';
import { callNumber, type UploadForm, unixSeconds, type Verdict } from './call-fields.js';
import type { CallUploadSpec } from './upload-spec.js';

/**
 * The form, as SDRTrunk's "Rdio Scanner" broadcaster sends it: key, system, the audio with its
 * file name, dateTime (Unix seconds: parsers.go reads digits as seconds), talkgroup (the call's
 * number, see callNumber), frequency in Hz, and the labels. Throws when the call has no number
 * at all (rdio-scanner would answer 417 "Incomplete call data: no talkgroup").
 */
export function rdioScannerForm(
  call: CallRow,
  spec: Pick<CallUploadSpec, 'key' | 'system' | 'systemLabel'>,
  audio: { filename: string; type: string },
): UploadForm {
  const tg = callNumber(call);
  if (tg === null)
    throw new Error('the call has no talkgroup, channel or frequency to file it under');
  const fields: [string, string][] = [
    ['key', spec.key],
    ['system', spec.system],
    ['dateTime', unixSeconds(call.start_time)],
    // rdio-scanner v7 and ThinLine also read timestamp (Unix ms): "more precise and works better
    // with call duplicates detection" (docs/api.md); v6 ignores it.
    ['timestamp', String(call.id)],
    ['talkgroup', String(tg)],
    ['audioName', audio.filename],
    ['audioType', audio.type],
  ];
  if (call.freq !== null) fields.push(['frequency', String(call.freq)]);
  if (call.label !== null) fields.push(['talkgroupLabel', call.label]);
  if (call.talkgroup_tag !== null) fields.push(['talkgroupTag', call.talkgroup_tag]);
  if (spec.systemLabel !== null) fields.push(['systemLabel', spec.systemLabel]);
  return { fields, fileField: 'audio', filename: audio.filename, type: audio.type };
}

/**
 * rdio-scanner's replies (api.go): 200 "Call imported successfully.", 401 "Invalid API key…",
 * 417 "Incomplete call data: …". trunk-recorder's uploader treats 200 and 202 as success.
 */
export function rdioVerdict(status: number): Verdict {
  if (status === 200 || status === 202) return 'done';
  if (status === 401 || status === 403) return 'auth';
  if (status === 408 || status === 429) return 'retry';
  if (status >= 400 && status < 500) return 'reject';
  return 'retry';
}
