// src/http/playlist-waiters.ts: held LL-HLS requests (blocking playlist reloads, hinted-part GETs): woken once per publish, answered with one shared Buffer, 503 from one sweep timer.
import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import type { Clock } from '../clock.js';
import { isSatisfied } from '../hls/delivery-directives.js';
import type { LiveFeed, PartPosition, SkipRequest } from '../hls/live-feed.js';
import { PLAYLIST_TYPE, SEGMENT_TYPE } from '../hls/media-types.js';

/**
 * A cached live playlist freezes players: RFC 8216 §6.2.2 lets a live playlist change only by
 * gaining new segments and losing old ones, and a client that reloads it must see each change. A
 * listed segment's bytes never change (names are never reused), so segments may be cached for good.
 */
export const PLAYLIST_CACHE = 'no-cache';
export const SEGMENT_CACHE = 'public, max-age=31536000, immutable';

/**
 * hls.js fetches with XHR/fetch, so every HLS resource needs CORS; it reads the Age header to
 * estimate how old a cached playlist is. In every shared response, so a held request answered
 * outside Express (hls-routes.ts, HlsRouter.front) has them too.
 */
export const HLS_CORS: Readonly<Record<string, string>> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'Age, Content-Length, Date',
};

/** Bytes and headers of one response, built once and written to every request it answers. */
export interface SharedBody {
  body: Buffer;
  headers: OutgoingHttpHeaders;
}

interface Rendered {
  text: string;
  ended: boolean;
  plain: SharedBody;
  gzip: SharedBody | null;
}

function playlistBody(body: Buffer, gzip: boolean): SharedBody {
  const headers: OutgoingHttpHeaders = {
    ...HLS_CORS,
    'Content-Type': PLAYLIST_TYPE,
    'Cache-Control': PLAYLIST_CACHE,
    'Content-Length': body.length,
    // A strong validator per representation (gzip and identity differ), as Express would make it.
    ETag: `"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"`,
    // The same URL answers gzip or identity by the request's Accept-Encoding: caches must know.
    Vary: 'Accept-Encoding',
  };
  if (gzip) headers['Content-Encoding'] = 'gzip';
  return { body, headers };
}

/**
 * The playlist bytes per skip mode and encoding, made once per playlist text: LiveFeed.playlist()
 * is asked each time (it returns a stored string), and only a new text is encoded and gzipped
 * again. Apple's HLS authoring spec 10.1: "The server MUST deliver playlists using gzip
 * content-encoding"; gzip is made lazily, the first time a client accepts it.
 */
export class PlaylistBodies {
  private readonly rendered = new Map<SkipRequest, Rendered>();
  /** How many texts were encoded, and gzipped (tests check there is one per text, not per request). */
  readonly counts = { texts: 0, gzips: 0 };

  /** onText, if given, sees each new text once, when it is first encoded (hls-front.ts reads its newest segment ahead). */
  constructor(
    private readonly feed: LiveFeed,
    private readonly onText?: (skip: SkipRequest, text: string) => void,
  ) {}

  private current(skip: SkipRequest): Rendered | null {
    const text = this.feed.playlist(skip);
    if (text === null) return null;
    const had = this.rendered.get(skip);
    if (had && had.text === text) return had;
    const r: Rendered = {
      text,
      ended: text.includes('#EXT-X-ENDLIST'),
      plain: playlistBody(Buffer.from(text, 'utf8'), false),
      gzip: null,
    };
    this.counts.texts++;
    this.rendered.set(skip, r);
    this.onText?.(skip, text);
    return r;
  }

  /** The playlist now for skip, gzipped if asked; null before the first segment or part. */
  get(skip: SkipRequest, gzip: boolean): SharedBody | null {
    const r = this.current(skip);
    if (!r || !gzip) return r?.plain ?? null;
    if (!r.gzip) {
      r.gzip = playlistBody(gzipSync(r.plain.body), true);
      this.counts.gzips++;
    }
    return r.gzip;
  }

  /** The playlist has EXT-X-ENDLIST (every directive is then ignored, RFC 8216bis §6.2.5). */
  ended(): boolean {
    return this.current('no')?.ended ?? false;
  }
}

function textBody(text: string): SharedBody {
  const body = Buffer.from(text + '\n');
  return {
    body,
    headers: {
      ...HLS_CORS,
      'Content-Type': 'text/plain; charset=utf-8',
      'Cache-Control': PLAYLIST_CACHE,
      'Content-Length': body.length,
    },
  };
}

const UNAVAILABLE = textBody('not available within three target durations');
const NOT_FOUND = textBody('not found');

/** Shortest time between two sweeps, so expiries arriving together are answered together. */
const SWEEP_MIN_MS = 50;

/** Longest run of answers before the event loop gets a turn (a part target is ~200 ms). */
const WAKE_SLICE_MS = 10;

interface Held {
  res: ServerResponse;
  /** A HEAD request: headers only. */
  head: boolean;
  /** Clock time after which it gets 503. */
  deadline: number;
  done: boolean;
}

interface PlaylistGroup {
  target: PartPosition;
  waiters: Set<HeldPlaylist>;
}

interface HeldPlaylist extends Held {
  kind: 'playlist';
  skip: SkipRequest;
  gzip: boolean;
  group: PlaylistGroup;
}

interface HeldPart extends Held {
  kind: 'part';
  uri: string;
  group: Set<HeldPart>;
}

/** One wake after a publish (or several, if they came while it was answering), for metrics and the bench. */
export interface WakeStats {
  /** Playlist requests answered. */
  playlists: number;
  /** Hinted-part URIs whose waiters are now being answered (the file read follows). */
  partUris: number;
  /** Slices the answers took (each at most WAKE_SLICE_MS, then the event loop runs). */
  slices: number;
  /** From the start of the wake to the last playlist answer, ms. */
  ms: number;
}

export interface WaiterOptions {
  feed: LiveFeed;
  clock: Clock;
  bodies: PlaylistBodies;
  /** The served directory: the hinted part `uri` is the file `partPath(uri)`. */
  partPath: (uri: string) => string;
  onWake?: (s: WakeStats) => void;
  /** Longest run of answers before the event loop gets a turn; default WAKE_SLICE_MS (tests). */
  sliceMs?: number;
}

/**
 * Requests held until the packager publishes. Playlist waiters are grouped by the part they wait
 * for, so a publish looks at each distinct target once and answers a whole group with one shared
 * Buffer. Every held request is in one Set in arrival order; since the timeout (3 × target
 * duration) is the same for all, the oldest expires first, and one timer on the injected clock,
 * set for the oldest, answers the expired ones with 503 (RFC 8216bis §6.2.5.2: "A Server that
 * cannot provide the requested Playlist after blocking for more than three Target Durations SHOULD
 * return Service Unavailable, such as HTTP 503"). The publish callback only schedules the wake
 * (setImmediate), so the packager's own publish work never waits for thousands of socket writes;
 * the wake then answers in slices of WAKE_SLICE_MS with an event-loop turn between them. Measured
 * by bench:ll with 10,000 held on a 2-core VM: one loop kept the event loop 0.6–0.85 s (several
 * part targets, during which the packager could not cut or publish a part); in slices the
 * longest busy stretch was 30–150 ms, for about the same wake spread.
 */
export class PlaylistWaiters {
  private readonly held = new Set<HeldPlaylist | HeldPart>();
  private readonly groups = new Map<string, PlaylistGroup>();
  private readonly parts = new Map<string, Set<HeldPart>>();
  private wakePending = false;
  /** Waiters whose target is reached, answered in slices by drain(). */
  private readonly ready: HeldPlaylist[] = [];
  private readyAt = 0;
  private draining = false;
  private wakeStarted = 0;
  private wakeStats = { playlists: 0, partUris: 0, slices: 0 };
  private cancelSweep: (() => void) | null = null;
  private readonly unsubscribe: () => void;
  private closed = false;
  private heldParts = 0;
  private readonly sliceMs: number;

  constructor(private readonly opts: WaiterOptions) {
    this.sliceMs = opts.sliceMs ?? WAKE_SLICE_MS;
    this.unsubscribe = opts.feed.onPublish(() => this.scheduleWake());
  }

  /** How many requests are held now. */
  get size(): { playlists: number; parts: number } {
    return { playlists: this.held.size - this.heldParts, parts: this.heldParts };
  }

  /** Holds a playlist request until the newest part is at or past target, then answers playlist(skip). */
  holdPlaylist(
    res: ServerResponse,
    target: PartPosition,
    skip: SkipRequest,
    gzip: boolean,
    head: boolean,
  ): void {
    const key = `${target.msn}.${target.part}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { target, waiters: new Set() };
      this.groups.set(key, group);
    }
    const w: HeldPlaylist = {
      kind: 'playlist',
      res,
      head,
      deadline: this.deadline(),
      done: false,
      skip,
      gzip,
      group,
    };
    group.waiters.add(w);
    this.track(w);
  }

  /**
   * Holds a GET for the hinted part uri whose file is not there yet. RFC 8216bis §6.2.6: the
   * server "MUST refrain from transmitting any bytes belonging to a Partial Segment until all bytes
   * of that Partial Segment can be transmitted at the full speed of the link": once a publish
   * moves the hint on, the file (which appears whole, by rename) is read once and sent to every
   * waiter in one write; a hint withdrawn without its file gets 404 (§6.2.6: "SHOULD respond with
   * Not Found").
   */
  holdPart(res: ServerResponse, uri: string, head: boolean): void {
    // The hint moved while the caller looked for the file: the part is published (or withdrawn).
    if (this.opts.feed.preloadHint() !== uri) {
      const group = new Set<HeldPart>();
      group.add(this.newPart(res, uri, head, group));
      void this.servePart(uri, group);
      return;
    }
    let group = this.parts.get(uri);
    if (!group) {
      group = new Set();
      this.parts.set(uri, group);
    }
    group.add(this.newPart(res, uri, head, group));
  }

  /** Stops waking; answers every held request with 503 (server shutdown, tests). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe();
    this.cancelSweep?.();
    this.cancelSweep = null;
    this.ready.length = 0;
    this.readyAt = 0;
    for (const w of [...this.held]) this.finish(w, 503, UNAVAILABLE);
  }

  private newPart(res: ServerResponse, uri: string, head: boolean, group: Set<HeldPart>): HeldPart {
    const w: HeldPart = {
      kind: 'part',
      res,
      head,
      deadline: this.deadline(),
      done: false,
      uri,
      group,
    };
    this.track(w);
    return w;
  }

  private deadline(): number {
    // A hint or a blocking directive means LL is on; 1 s is only a guard against a feed that
    // dropped it in between.
    const td = this.opts.feed.lowLatency()?.targetDurationSec ?? 1;
    return this.opts.clock.now() + 3 * td * 1000;
  }

  private track(w: HeldPlaylist | HeldPart): void {
    if (this.closed) {
      this.finish(w, 503, UNAVAILABLE);
      return;
    }
    // Gone before it was held (while the hinted part's file was looked for): its 'close' is past.
    if (w.res.destroyed) {
      this.forget(w);
      return;
    }
    this.held.add(w);
    if (w.kind === 'part') this.heldParts++;
    // A client that goes away is forgotten at once (its socket, not a timer, tells us).
    w.res.once('close', () => {
      if (!w.done) this.forget(w);
    });
    this.armSweep();
  }

  /** Removes w from its group and the arrival order; it is answered by the caller or nobody. */
  private forget(w: HeldPlaylist | HeldPart): void {
    w.done = true;
    if (this.held.delete(w) && w.kind === 'part') this.heldParts--;
    if (w.kind === 'playlist') {
      const g = w.group;
      g.waiters.delete(w);
      if (g.waiters.size === 0) {
        const key = `${g.target.msn}.${g.target.part}`;
        if (this.groups.get(key) === g) this.groups.delete(key);
      }
    } else {
      w.group.delete(w);
      if (w.group.size === 0 && this.parts.get(w.uri) === w.group) this.parts.delete(w.uri);
    }
  }

  private finish(w: HeldPlaylist | HeldPart, status: number, shared: SharedBody): void {
    this.forget(w);
    const res = w.res;
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, shared.headers);
    if (w.head) res.end();
    else res.end(shared.body);
  }

  private armSweep(): void {
    if (this.cancelSweep || this.closed) return;
    const oldest = this.held.values().next();
    if (oldest.done) return;
    const delay = Math.max(oldest.value.deadline - this.opts.clock.now(), SWEEP_MIN_MS);
    this.cancelSweep = this.opts.clock.setTimer(() => {
      this.cancelSweep = null;
      this.sweep();
    }, delay);
  }

  private sweep(): void {
    const now = this.opts.clock.now();
    for (const w of this.held) {
      if (w.deadline > now) break;
      this.finish(w, 503, UNAVAILABLE);
    }
    this.armSweep();
  }

  private scheduleWake(): void {
    if (this.wakePending || this.closed) return;
    this.wakePending = true;
    setImmediate(() => {
      this.wakePending = false;
      if (!this.closed) this.wake();
    });
  }

  /** Queues every group whose target is reached and serves the parts whose hint has moved on. */
  private wake(): void {
    if (!this.draining) {
      this.wakeStarted = performance.now();
      this.wakeStats = { playlists: 0, partUris: 0, slices: 0 };
    }
    const { feed, bodies } = this.opts;
    // Directives are ignored once LL is off or the playlist has ended: everyone gets it now.
    const all = feed.lowLatency() === null || bodies.ended();
    const position = feed.position();
    for (const [key, group] of this.groups) {
      if (!all && !isSatisfied(group.target, position)) continue;
      this.groups.delete(key);
      for (const w of group.waiters) this.ready.push(w);
    }
    const hint = feed.preloadHint();
    for (const [uri, group] of this.parts) {
      if (uri === hint) continue;
      this.parts.delete(uri);
      this.wakeStats.partUris++;
      void this.servePart(uri, group);
    }
    if (!this.draining) this.drain();
  }

  /**
   * Answers the queued waiters (group by group, each in arrival order) WAKE_SLICE_MS at a time: a slice ends with a
   * setImmediate, so the packager's reads, timers and its next publish are never kept waiting
   * behind thousands of socket writes (bench:ll measures that lag).
   */
  private drain(): void {
    if (this.closed) return;
    const t0 = performance.now();
    const stats = this.wakeStats;
    stats.slices++;
    // Few skip/encoding variants are waiting: look each up once per slice (a publish, which
    // could change them, only happens between slices).
    const variants = new Map<string, SharedBody | null>();
    while (this.readyAt < this.ready.length) {
      const w = this.ready[this.readyAt++];
      if (!w || w.done) continue;
      const v = `${w.skip}${w.gzip ? '+gz' : ''}`;
      let body = variants.get(v);
      if (body === undefined) {
        body = this.opts.bodies.get(w.skip, w.gzip);
        variants.set(v, body);
      }
      // No playlist text yet (a feed publishing parts before any text): keep waiting.
      if (body === null) {
        this.regroup(w);
        continue;
      }
      this.finish(w, 200, body);
      stats.playlists++;
      if (this.readyAt < this.ready.length && performance.now() - t0 >= this.sliceMs) {
        this.draining = true;
        setImmediate(() => this.drain());
        return;
      }
    }
    this.ready.length = 0;
    this.readyAt = 0;
    this.draining = false;
    this.opts.onWake?.({ ...stats, ms: performance.now() - this.wakeStarted });
  }

  private regroup(w: HeldPlaylist): void {
    const key = `${w.group.target.msn}.${w.group.target.part}`;
    let group = this.groups.get(key);
    if (!group) {
      group = { target: w.group.target, waiters: new Set() };
      this.groups.set(key, group);
    }
    w.group = group;
    group.waiters.add(w);
  }

  /** Reads the part once and sends it whole to each waiter still there; 404 if it never came. */
  private async servePart(uri: string, group: Set<HeldPart>): Promise<void> {
    let shared: SharedBody = NOT_FOUND;
    let status = 404;
    try {
      const body = await readFile(this.opts.partPath(uri));
      status = 200;
      shared = {
        body,
        headers: {
          ...HLS_CORS,
          'Content-Type': SEGMENT_TYPE,
          'Cache-Control': SEGMENT_CACHE,
          'Content-Length': body.length,
        },
      };
    } catch {
      // Not there: the hint was withdrawn (RFC 8216bis §6.2.6 MAY "choose not to publish").
    }
    for (const w of [...group]) if (!w.done) this.finish(w, status, shared);
  }
}
