// src/call-upload/openmhz.ts: openMhzForm: a call as OpenMHz's POST /:shortName/upload form, and openMhzVerdict on its reply (pure).
import type { CallRow } from '../calls/call-format.js';
import { callNumber, type UploadForm, unixSeconds, type Verdict } from './call-fields.js';
import type { CallUploadSpec } from './upload-spec.js';
import { isPermanentStatus } from '../outbound/retry.js';

/**
 * The form, with trunk-recorder's openmhz_uploader fields: call (the file: uploads.js takes
 * only names ending .m4a or .mp3), freq (Hz), error_count, spike_count, start_time and
 * stop_time (Unix seconds, parseInt), call_length (seconds, parseFloat), talkgroup_num,
 * emergency, api_key, patch_list and source_list (JSON: uploads.js answers 500 when
 * source_list does not parse). Throws when the call has no number to file it under.
 */
export function openMhzForm(
  call: CallRow,
  spec: Pick<CallUploadSpec, 'key'>,
  audio: { ext: string; type: string },
): UploadForm {
  const tg = callNumber(call);
  if (tg === null)
    throw new Error('the call has no talkgroup, channel or frequency to file it under');
  const stop = call.stop_time ?? call.start_time;
  const fields: [string, string][] = [
    ['freq', String(call.freq ?? 0)],
    ['error_count', '0'],
    ['spike_count', '0'],
    ['start_time', unixSeconds(call.start_time)],
    ['stop_time', unixSeconds(stop)],
    ['call_length', String(call.call_length ?? Math.max(0, stop - call.start_time))],
    ['talkgroup_num', String(tg)],
    ['emergency', '0'],
    ['api_key', spec.key],
    ['patch_list', '[]'],
    ['source_list', '[]'],
  ];
  const filename = `${tg}-${unixSeconds(call.start_time)}_${call.freq ?? 0}-call.${audio.ext}`;
  return { fields, fileField: 'call', filename, type: audio.type };
}

/**
 * OpenMHz answers 200 on success and HTTP 500 with a text for every error (uploads.js): "API
 * Keys do not match!" and "ShortName does not exist" are the settings' fault (auth); "Error,
 * invalid filename" and "Error parsing sourcelist" are this call's (reject); "Talkgroup does not
 * exist, skipping." is the system's choice to ignore it (done: nothing to retry).
 */
export function openMhzVerdict(status: number, body: string): Verdict {
  if (status >= 200 && status < 300) return 'done';
  if (status === 401 || status === 403) return 'auth';
  if (/API Keys do not match|ShortName does not exist|invalid shortName/i.test(body)) return 'auth';
  if (/invalid filename|parsing sourcelist/i.test(body)) return 'reject';
  if (/Talkgroup does not exist/i.test(body)) return 'done';
  if (isPermanentStatus(status)) return 'reject';
  return 'retry';
}
