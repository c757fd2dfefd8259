// test/helpers/rdio-receiver.ts: a local rdio-scanner POST /api/call-upload that parses each field as rdio-scanner's parsers.go does and answers as its api.go and call.go IsValid do (417, then 401, then 200).
import { MultipartReceiver, type ReceivedForm } from './multipart-receiver.js';

/** A call rdio-scanner would have imported, with the values its parser kept. */
export interface RdioCall {
  form: ReceivedForm;
  audio: Buffer;
  audioName: string;
  audioType: string;
  /** dateTime: digits are Unix seconds (time.Unix(i, 0)), else RFC 3339; ms. */
  dateTimeMs: number;
  /** timestamp (v7: Unix ms), else null. */
  timestampMs: number | null;
  system: number;
  talkgroup: number;
  /** strconv.Atoi of frequency, else null (a float or text is dropped silently by parsers.go). */
  frequency: number | null;
  talkgroupLabel: string | null;
  talkgroupTag: string | null;
  systemLabel: string | null;
}

/** strconv.Atoi: optional sign and decimal digits only. */
function atoi(v: string | undefined): number | null {
  return v !== undefined && /^[+-]?\d+$/.test(v) ? Number(v) : null;
}

/** The receiver: key and system are what its API key grants. */
export class RdioReceiver extends MultipartReceiver {
  readonly calls: RdioCall[] = [];
  /** Replies given, in order: status and body. */
  readonly replies: { status: number; body: string }[] = [];

  constructor(
    public key: string,
    public system = 11,
  ) {
    super((form) => {
      const r = this.answer(form);
      this.replies.push(r);
      return r;
    });
  }

  get endpoint(): string {
    return `${this.url}/api/call-upload`;
  }

  private answer(form: ReceivedForm): { status: number; body: string } {
    if (form.path.split('?')[0] !== '/api/call-upload') return { status: 404, body: 'not found\n' };
    const f = (n: string): string | undefined => form.fields.get(n);
    const file = form.files.get('audio');
    const audio = file?.data ?? Buffer.alloc(0);
    const dt = f('dateTime');
    let dateTimeMs = 0;
    if (dt !== undefined)
      dateTimeMs = /^[0-9]+$/.test(dt) ? Number(dt) * 1000 : Date.parse(dt) || 0;
    const ts = atoi(f('timestamp'));
    const system = atoi(f('system')) ?? 0;
    const talkgroup = atoi(f('talkgroup')) ?? 0;
    // call.go IsValid: every check runs and the last failing one is reported.
    let err: string | null = null;
    if (audio.length <= 44) err = 'no audio';
    if (dateTimeMs === 0 && ts === null) err = 'no datetime';
    if (system < 1) err = 'no system';
    if (talkgroup < 1) err = 'no talkgroup';
    if (err !== null) return { status: 417, body: `Incomplete call data: ${err}\n` };
    if (f('key') !== this.key || system !== this.system)
      return {
        status: 401,
        body: `Invalid API key for system ${system} talkgroup ${talkgroup}.\n`,
      };
    this.calls.push({
      form,
      audio,
      audioName: f('audioName') ?? file?.filename ?? '',
      audioType: f('audioType') ?? file?.type ?? '',
      dateTimeMs,
      timestampMs: ts,
      system,
      talkgroup,
      frequency: atoi(f('frequency')),
      talkgroupLabel: f('talkgroupLabel') ?? null,
      talkgroupTag: f('talkgroupTag') ?? null,
      systemLabel: f('systemLabel') ?? null,
    });
    return { status: 200, body: 'Call imported successfully.\n' };
  }
}
