// src/metrics/listeners.ts: ListenerTracker, a pure estimate of connected listeners from playlist requests.

/** Most distinct clients remembered; beyond it the oldest are forgotten (bounded memory). */
const MAX_CLIENTS = 100_000;
/** A client's time is refreshed at most this often (ms). */
const REFRESH_MS = 500;

/**
 * Counts distinct clients that requested the live playlist within a time window (about three
 * target durations: a playing client reloads at least once per target duration). Pure: the
 * caller passes the time.
 */
export class ListenerTracker {
  private readonly lastSeen = new Map<string, number>();

  constructor(private readonly windowMs: number) {}

  /** Records a playlist request by client at nowMs. */
  seen(client: string, nowMs: number): void {
    // A client seen within the last REFRESH_MS keeps its place: a player reloading several times a
    // second (LL-HLS) costs one Map lookup per request, and the window shrinks by at most that much.
    const last = this.lastSeen.get(client);
    if (last !== undefined && nowMs - last < REFRESH_MS) return;
    // Delete first so the Map's insertion order stays oldest-first.
    this.lastSeen.delete(client);
    this.lastSeen.set(client, nowMs);
    if (this.lastSeen.size > MAX_CLIENTS) this.prune(nowMs, true);
  }

  /** Distinct clients seen within the window ending at nowMs. */
  count(nowMs: number): number {
    this.prune(nowMs, false);
    return this.lastSeen.size;
  }

  private prune(nowMs: number, dropOne: boolean): void {
    let dropped = !dropOne;
    for (const [client, at] of this.lastSeen) {
      if (nowMs - at <= this.windowMs && dropped) break;
      this.lastSeen.delete(client);
      dropped = true;
    }
  }
}

/** The last key built for a connection, and what it was built from. */
interface SocketKey {
  forwardedFor: string | undefined;
  userAgent: string | undefined;
  key: string;
}

/**
 * clientKey for a request on a connection: kept per socket, so the requests of a kept-alive
 * connection with the same headers reuse one string (no regex, no concatenation, a cached hash).
 */
export class ClientKeys {
  private readonly bySocket = new WeakMap<object, SocketKey>();

  keyOf(
    socket: { readonly remoteAddress?: string | undefined },
    forwardedFor: string | undefined,
    userAgent: string | undefined,
  ): string {
    const k = this.bySocket.get(socket);
    if (k && k.forwardedFor === forwardedFor && k.userAgent === userAgent) return k.key;
    const key = clientKey(socket.remoteAddress, forwardedFor, userAgent);
    this.bySocket.set(socket, { forwardedFor, userAgent, key });
    return key;
  }
}

/** A client key for the estimate: the forwarded address behind a local proxy, plus the user agent. */
export function clientKey(
  remoteAddress: string | undefined,
  forwardedFor: string | undefined,
  userAgent: string | undefined,
): string {
  const local = !remoteAddress || /^(127\.|::1$|::ffff:127\.)/.test(remoteAddress);
  const fwd = local ? forwardedFor?.split(',')[0]?.trim() : undefined;
  return `${fwd || remoteAddress || '?'}|${userAgent ?? ''}`;
}
