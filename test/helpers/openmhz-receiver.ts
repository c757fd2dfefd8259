// test/helpers/openmhz-receiver.ts: a local OpenMHz POST /:shortName/upload that reads each field as trunk-server's backend/controllers/uploads.js does and answers as it does (HTTP 500 with its texts, 200 with no body).
import { MultipartReceiver, type ReceivedForm } from './multipart-receiver.js';

/** A call OpenMHz would have stored, with the values uploads.js computes. */
export interface OpenMhzCall {
  form: ReceivedForm;
  shortName: string;
  audio: Buffer;
  filename: string;
  /** parseInt(talkgroup_num). */
  talkgroupNum: number;
  /** parseFloat(freq). */
  freq: number;
  /** new Date(parseInt(start_time) * 1000), ms. */
  timeMs: number;
  stopTimeMs: number;
  /** parseFloat(call_length) when given, else (stop − start) / 1000. */
  len: number;
  emergency: number;
  srcList: unknown;
}

/** JavaScript's parseInt/parseFloat as uploads.js calls them (NaN for a missing field). */
const int = (v: string | undefined): number => parseInt(v ?? '', 10);
const float = (v: string | undefined): number => parseFloat(v ?? '');

/** The receiver: systems maps each short name (lower case) to its key. */
export class OpenMhzReceiver extends MultipartReceiver {
  readonly calls: OpenMhzCall[] = [];
  readonly replies: { status: number; body: string }[] = [];

  constructor(public readonly systems: Map<string, string>) {
    super((form) => {
      const r = this.answer(form);
      this.replies.push(r);
      return r;
    });
  }

  private answer(form: ReceivedForm): { status: number; body: string } {
    const m = /^\/([^/?]+)\/upload(?:\?|$)/.exec(form.path);
    if (!m) return { status: 404, body: 'Cannot POST\n' };
    const f = (n: string): string | undefined => form.fields.get(n);
    const file = form.files.get('call');
    const ext = file ? /\.[^.]*$/.exec(file.filename)?.[0] : undefined;
    if (!file || (ext !== '.m4a' && ext !== '.mp3'))
      return { status: 500, body: 'Error, invalid filename:\n' };
    const shortName = decodeURIComponent(m[1] ?? '').toLowerCase();
    const timeMs = int(f('start_time')) * 1000;
    const stopTimeMs = f('stop_time') ? int(f('stop_time')) * 1000 : Date.now();
    let srcList: unknown;
    try {
      srcList = JSON.parse(f('source_list') ?? '');
    } catch (e) {
      return { status: 500, body: `Error parsing sourcelist ${String(e)}` };
    }
    const key = this.systems.get(shortName);
    if (key === undefined) return { status: 500, body: `ShortName does not exist: ${shortName}\n` };
    if (f('api_key') !== key) return { status: 500, body: 'API Keys do not match!\n' };
    this.calls.push({
      form,
      shortName,
      audio: file.data,
      filename: file.filename,
      talkgroupNum: int(f('talkgroup_num')),
      freq: float(f('freq')),
      timeMs,
      stopTimeMs,
      len: f('call_length') ? float(f('call_length')) : (stopTimeMs - timeMs) / 1000,
      emergency: int(f('emergency')),
      srcList,
    });
    return { status: 200, body: '' };
  }
}
