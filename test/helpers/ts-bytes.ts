// test/helpers/ts-bytes.ts: small readers over real TS files for assertions (packets, PIDs, PES timestamps).
import { parsePesTime } from 'mux.js/cjs/m2ts/probe.js';
import { ccAt, PACKET_SIZE, pidAt, pusiAt } from '../../src/ts/packet.js';

/** Each 188-byte packet of an aligned TS buffer. */
export function packets(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off + PACKET_SIZE <= b.length; off += PACKET_SIZE)
    out.push(b.subarray(off, off + PACKET_SIZE));
  return out;
}

/** PIDs of the packets, in order. */
export function pids(b: Uint8Array): number[] {
  return packets(b).map((p) => pidAt(p, 0));
}

/** PTS of every PES start on pid. */
export function pesTimes(b: Uint8Array, pid: number): number[] {
  return packets(b)
    .filter((p) => pidAt(p, 0) === pid && pusiAt(p, 0))
    .map((p) => parsePesTime(p)?.pts ?? -1);
}

/** The audio/video PID: the first PID with a PES start that is not PSI. */
export function firstPesPid(b: Uint8Array): number {
  for (const p of packets(b)) {
    const pid = pidAt(p, 0);
    if (pid >= 0x20 && pid !== 0x1fff && pusiAt(p, 0) && parsePesTime(p)) return pid;
  }
  return -1;
}

/** Number of continuity-counter breaks on pid (payload packets only). */
export function ccBreaks(b: Uint8Array, pid: number): number {
  let last = -1;
  let breaks = 0;
  for (const p of packets(b)) {
    if (pidAt(p, 0) !== pid || (p[3] & 0x10) === 0) continue;
    const cc = ccAt(p, 0);
    if (last >= 0 && cc !== ((last + 1) & 15)) breaks++;
    last = cc;
  }
  return breaks;
}
