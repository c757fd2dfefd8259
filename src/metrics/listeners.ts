// src/metrics/listeners.ts: ListenerTracker, a pure estimate of connected listeners from playlist requests.

/** Most distinct clients remembered; beyond it the oldest are forgotten (bounded memory). */
const MAX_CLIENTS = 100_000;

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
