// src/ingest/address-filter.ts: --ingest-allow: which source addresses may publish (CIDR list, IPv4 and IPv6).
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Clock } from '../clock.js';
import { LogThrottle } from '../log-throttle.js';
import type { Logger } from '../logger.js';

/** Decides whether a remote address may publish. */
export interface AddressFilter {
  /** True when address (as a socket reports it, e.g. ::ffff:10.0.0.5) may publish. */
  allows(address: string): boolean;
  /** The list as configured, for log lines. */
  readonly description: string;
}

/** Everyone may publish (the default). */
export const ALLOW_ALL: AddressFilter = { allows: () => true, description: 'any address' };

/** A socket's view of an IPv4 peer on a dual-stack listener: ::ffff:a.b.c.d → a.b.c.d. */
function unmap(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

/**
 * Parses "CIDR[,CIDR…]" (a bare address is a /32 or /128). Throws Error with the accepted form
 * when an entry is not an address or a prefix is out of range.
 */
export function parseAllowList(text: string): AddressFilter {
  const list = new BlockList();
  const entries = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (entries.length === 0) throw new Error('must list at least one CIDR, e.g. 192.168.1.0/24');
  for (const entry of entries) {
    const [addr, bits, extra] = entry.split('/');
    const family = isIPv4(addr) ? 'ipv4' : isIPv6(addr) ? 'ipv6' : null;
    const max = family === 'ipv4' ? 32 : 128;
    const prefix = bits === undefined ? max : Number(bits);
    if (!family || extra !== undefined || !/^\d{1,3}$/.test(bits ?? String(max)) || prefix > max)
      throw new Error(
        `${JSON.stringify(entry)} is not ADDRESS[/PREFIX] (e.g. 192.168.1.0/24, 10.0.0.7, fd00::/8)`,
      );
    list.addSubnet(addr, prefix, family);
  }
  return {
    description: entries.join(','),
    allows(address: string): boolean {
      const a = unmap(address);
      if (isIPv4(a)) return list.check(a, 'ipv4');
      if (isIPv6(a)) return list.check(a, 'ipv6');
      return false;
    },
  };
}

/**
 * --ingest-allow at a source: admits or refuses one publisher (a connection or a datagram),
 * counting every refusal for /metrics and logging at most one line per 10 s.
 */
export class PublisherGate {
  private readonly log = new LogThrottle(10_000);

  constructor(
    private readonly allow: AddressFilter,
    private readonly counters: { refused: number },
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** True when address may publish; else counts it and logs `${what} from ${who}: not in …`. */
  admit(address: string, who: string, what: string): boolean {
    if (this.allow.allows(address)) return true;
    this.counters.refused++;
    const line = this.log.pass(
      'refused',
      `${what} from ${who}: not in --ingest-allow ${this.allow.description}`,
      this.clock.now(),
    );
    if (line !== null) this.logger.warn(line);
    return false;
  }
}
