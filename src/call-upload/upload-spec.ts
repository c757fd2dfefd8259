// src/call-upload/upload-spec.ts: parseCallUploadSpec: one --call-upload rdio-scanner:URL?key=…&system=… or openmhz:URL?key=…&system=… as a value.
import { createHash } from 'node:crypto';

export type CallUploadKind = 'rdio-scanner' | 'openmhz';

/** One call-upload target. */
export interface CallUploadSpec {
  kind: CallUploadKind;
  /**
   * Where each call is POSTed, without our own parameters: rdio-scanner's /api/call-upload
   * endpoint, or OpenMHz's {base}/{shortName}/upload.
   */
  url: string;
  key: string;
  /** rdio-scanner: the system ID (an integer > 0); OpenMHz: the system's short name. */
  system: string;
  /** rdio-scanner's systemLabel (optional `systemLabel=`), else null. */
  systemLabel: string | null;
  /** The spec as given, with the key masked (for logs and /api/status). */
  display: string;
  /** A short stable name for the target's queue directory (kind and URL without the key). */
  id: string;
}

const USAGE = 'must be rdio-scanner:URL?key=…&system=… or openmhz:URL?key=…&system=…';
const OURS = ['key', 'system', 'systemLabel'];

/** The spec with its key masked. */
export function maskKey(s: string): string {
  return s.replace(/key=[^&]*/g, 'key=***');
}

/**
 * Parses one --call-upload value; throws Error(one line naming what is wrong).
 *
 * rdio-scanner: URL is the server's base (http://host:3000) or its upload endpoint
 * (…/api/call-upload); a base gets /api/call-upload appended, as trunk-recorder's
 * rdioscanner_uploader does with its `server`. `system` is the system ID: rdio-scanner's
 * parsers.go takes it only as an integer > 0.
 *
 * openmhz: URL is the server's base (https://api.openmhz.com); `system` is the short name and
 * calls go to POST {base}/{shortName}/upload, as openmhz_uploader builds it.
 */
export function parseCallUploadSpec(s: string): CallUploadSpec {
  const m = /^(rdio-scanner|openmhz):(.+)$/.exec(s);
  if (!m) throw new Error(USAGE);
  const kind: CallUploadKind = m[1] === 'openmhz' ? 'openmhz' : 'rdio-scanner';
  let u: URL;
  try {
    u = new URL(m[2] ?? '');
  } catch {
    throw new Error(`${kind}: the URL is not valid`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new Error(`${kind}: the URL must be http:// or https://`);
  const key = u.searchParams.get('key') ?? '';
  const system = (u.searchParams.get('system') ?? '').trim();
  const systemLabel = u.searchParams.get('systemLabel');
  if (key === '') throw new Error(`${kind}: key= is required (the receiver's API key)`);
  if (system === '')
    throw new Error(
      kind === 'openmhz'
        ? 'openmhz: system= is required (the system short name)'
        : 'rdio-scanner: system= is required (the system ID)',
    );
  for (const p of OURS) u.searchParams.delete(p);
  const path = u.pathname.replace(/\/+$/, '');
  if (kind === 'rdio-scanner') {
    if (!/^[1-9]\d{0,9}$/.test(system))
      throw new Error(`rdio-scanner: system=${system} must be the system ID, an integer > 0`);
    if (!path.endsWith('/api/call-upload')) u.pathname = `${path}/api/call-upload`;
  } else {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(system))
      throw new Error(`openmhz: system=${system} must be a short name (letters, digits, - and _)`);
    u.pathname = `${path}/${system.toLowerCase()}/upload`;
  }
  const url = u.toString();
  const id = `${kind}-${createHash('sha256').update(url).digest('hex').slice(0, 10)}`;
  return { kind, url, key, system, systemLabel, display: maskKey(s), id };
}
