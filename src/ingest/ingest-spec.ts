// src/ingest/ingest-spec.ts: parseIngestSpec (pure): the --ingest string → which source, with errors that say what is accepted.

/** One parsed --ingest value. */
export type IngestSpec =
  | { kind: 'tcp-listen'; host: string; port: number }
  | { kind: 'tcp-connect'; host: string; port: number }
  | { kind: 'udp'; host: string; port: number; multicast: boolean; localAddress: string | null }
  | { kind: 'file'; path: string; loop: boolean }
  | { kind: 'exec'; command: string };

/** The accepted forms, for error messages and --help. */
export const INGEST_FORMS =
  'tcp://HOST:PORT, tcp-connect://HOST:PORT, udp://HOST:PORT[?localaddr=IP], file:PATH[?loop] or exec:COMMAND';

function hostPort(s: string, form: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(s);
  if (!m) throw new Error(`must be ${form}, e.g. ${form.replace('HOST:PORT', '127.0.0.1:9999')}`);
  const port = Number(m[3]);
  if (port > 65535) throw new Error('port must be from 0 to 65535');
  return { host: m[1] ?? m[2] ?? '', port };
}

function isIpv4Multicast(host: string): boolean {
  const m = /^(\d{1,3})\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.exec(host);
  return m !== null && Number(m[1]) >= 224 && Number(m[1]) <= 239;
}

function parseUdp(rest: string): IngestSpec {
  const [addr = '', query] = rest.split('?', 2);
  const { host, port } = hostPort(addr, 'udp://HOST:PORT');
  if (port === 0) throw new Error('udp:// needs a fixed port (the encoder sends to it)');
  let localAddress: string | null = null;
  for (const part of (query ?? '').split('&').filter(Boolean)) {
    const [k, v = ''] = part.split('=', 2);
    if (k !== 'localaddr' || !/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) {
      throw new Error(
        `unknown udp:// option ${JSON.stringify(part)}; only localaddr=IPv4 is known`,
      );
    }
    localAddress = v;
  }
  const multicast = isIpv4Multicast(host);
  if (localAddress && !multicast) throw new Error('localaddr= applies to a multicast group only');
  return { kind: 'udp', host, port, multicast, localAddress };
}

/** Parses an --ingest value; throws Error(text naming the accepted forms) when it is none of them. */
export function parseIngestSpec(s: string): IngestSpec {
  if (s.startsWith('tcp://'))
    return { kind: 'tcp-listen', ...hostPort(s.slice(6), 'tcp://HOST:PORT') };
  if (s.startsWith('tcp-connect://')) {
    const hp = hostPort(s.slice(14), 'tcp-connect://HOST:PORT');
    if (hp.port === 0) throw new Error('tcp-connect:// needs the encoder’s port, not 0');
    return { kind: 'tcp-connect', ...hp };
  }
  if (s.startsWith('udp://')) return parseUdp(s.slice(6));
  if (s.startsWith('file:')) {
    const loop = s.endsWith('?loop');
    const path = loop ? s.slice(5, -5) : s.slice(5);
    if (!path) throw new Error('file: needs a path, e.g. file:recording.ts?loop');
    return { kind: 'file', path, loop };
  }
  if (s.startsWith('exec:')) {
    const command = s.slice(5).trim();
    if (!command) throw new Error('exec: needs a command whose stdout is MPEG-TS');
    return { kind: 'exec', command };
  }
  throw new Error(`must be one of ${INGEST_FORMS}`);
}
