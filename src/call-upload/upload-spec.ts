// src/call-upload/upload-spec.ts: parseCallUploadSpec: one --call-upload rdio-scanner:URL?key=…&system=… or openmhz:URL?key=…&system=… as a value.

export type CallUploadKind = 'rdio-scanner' | 'openmhz';

/** One call-upload target. */
export interface CallUploadSpec {
  kind: CallUploadKind;
  /** The receiver's URL without our own parameters. */
  url: string;
  key: string;
  system: string;
  /** The spec as given, with the key masked (for logs and /api/status). */
  display: string;
}

/** Parses one --call-upload value; throws Error(one line naming what is wrong). */
export function parseCallUploadSpec(s: string): CallUploadSpec {
  const m = /^(rdio-scanner|openmhz):(.+)$/.exec(s);
  if (!m) throw new Error('must be rdio-scanner:URL?key=…&system=… or openmhz:URL?key=…&system=…');
  const kind = m[1] as CallUploadKind;
  let u: URL;
  try {
    u = new URL(m[2] ?? '');
  } catch {
    throw new Error(`${kind}: the URL is not valid`);
  }
  const key = u.searchParams.get('key') ?? '';
  const system = u.searchParams.get('system') ?? '';
  u.searchParams.delete('key');
  u.searchParams.delete('system');
  return { kind, url: u.toString(), key, system, display: s.replace(/key=[^&]*/, 'key=***') };
}
