// scripts/bench-latency-probe.mjs: bench:latency's in-page probe: wraps the page's window.Hls to watch every instance, samples Date.now() − hls.playingDate once a second after a warm-up.
// Loaded by scripts/bench-latency.ts with page.addInitScript before the page's own scripts; a plain
// browser script (no imports), so nothing in it is rewritten by tsx. Settings come from
// window.__benchLatencyConfig (set by an earlier init script); results are read from window.__benchLatency.
/* global window, document */
(() => {
  const settings = window.__benchLatencyConfig || {};
  const warmupMs = settings.warmupMs ?? 6000;
  const wanted = settings.samples ?? 30;
  const overrides = settings.overrides || {};
  const seekLiveAfterMs = settings.seekLiveAfterMs ?? null;
  /** --hls-debug: hls.js's debug log lines, each with its wall time (at most 50,000). */
  const log = settings.debugLog ? [] : null;
  const logger = log && {};
  if (logger) {
    for (const level of ['log', 'info', 'debug', 'warn', 'error', 'trace']) {
      logger[level] = (...args) => {
        if (log.length < 50000) log.push(`${Date.now()} ${level} ${args.map(String).join(' ')}`);
      };
    }
  }

  const bench = {
    hlsVersion: null,
    instances: 0,
    /** The effective hls.js settings that matter for latency, from the first instance. */
    config: null,
    errors: [],
    /** Times of the audio element's 'waiting' events after playback first started. */
    waiting: [],
    playStartedAt: null,
    samples: [],
    /** The one what-if seek to hls.liveSyncPosition (--seek-live-after), when made. */
    seeked: null,
    log,
    done: false,
  };
  window.__benchLatency = bench;

  let current = null;
  const watch = (hls, Hls) => {
    current = hls;
    bench.instances += 1;
    if (bench.config === null) {
      const c = hls.config;
      bench.config = {
        lowLatencyMode: c.lowLatencyMode,
        liveSyncDurationCount: c.liveSyncDurationCount,
        liveSyncDuration: c.liveSyncDuration ?? null,
        liveMaxLatencyDurationCount: c.liveMaxLatencyDurationCount,
        maxLiveSyncPlaybackRate: c.maxLiveSyncPlaybackRate,
        liveSyncOnStallIncrease: c.liveSyncOnStallIncrease ?? null,
        overrides,
      };
    }
    hls.on(Hls.Events.ERROR, (_e, d) => {
      bench.errors.push({
        at: Date.now(),
        type: String(d.type),
        details: String(d.details),
        fatal: Boolean(d.fatal),
        reason: d.reason ? String(d.reason) : d.error ? String(d.error.message || d.error) : '',
      });
    });
  };

  let Wrapped;
  Object.defineProperty(window, 'Hls', {
    configurable: true,
    get: () => Wrapped,
    set: (Orig) => {
      bench.hlsVersion = Orig && Orig.version ? String(Orig.version) : null;
      Wrapped = class extends Orig {
        constructor(config) {
          // --hls-config: a value replaces the page's, null removes the page's setting.
          const merged = { ...(config || {}) };
          for (const [k, v] of Object.entries(overrides)) {
            if (v === null) delete merged[k];
            else merged[k] = v;
          }
          if (logger) merged.debug = logger;
          super(merged);
          watch(this, Orig);
        }
      };
    },
  });

  /** The largest gap between buffered ranges, in seconds (0 with one range). */
  const largestHole = (media) => {
    const b = media.buffered;
    let hole = 0;
    for (let i = 1; i < b.length; i++) hole = Math.max(hole, b.start(i) - b.end(i - 1));
    return hole;
  };

  const bufferAhead = (media) => {
    const b = media.buffered;
    for (let i = 0; i < b.length; i++) {
      if (b.start(i) <= media.currentTime + 0.05 && media.currentTime < b.end(i)) {
        return b.end(i) - media.currentTime;
      }
    }
    return 0;
  };

  let counting = false;
  document.addEventListener(
    'waiting',
    () => {
      if (counting) bench.waiting.push(Date.now());
    },
    true,
  );

  const timer = setInterval(() => {
    const hls = current;
    const media = hls && hls.media;
    if (!hls || !media) return;
    const date = hls.playingDate;
    const now = Date.now();
    if (bench.playStartedAt === null) {
      if (date && media.currentTime > 0 && !media.paused) {
        bench.playStartedAt = now;
        counting = true;
      }
      return;
    }
    if (
      seekLiveAfterMs !== null &&
      bench.seeked === null &&
      now - bench.playStartedAt >= seekLiveAfterMs
    ) {
      const pos = hls.liveSyncPosition;
      bench.seeked = { at: now, from: media.currentTime, to: pos };
      if (pos !== null && pos > media.currentTime + 0.05) media.currentTime = pos;
    }
    if (now - bench.playStartedAt < warmupMs) return;
    if (!date || media.paused) {
      bench.samples.push({ at: now, latencySec: null });
    } else {
      bench.samples.push({
        at: now,
        latencySec: (now - date.getTime()) / 1000,
        hlsLatencySec: Number.isFinite(hls.latency) ? hls.latency : null,
        targetLatencySec: hls.targetLatency ?? null,
        bufferSec: bufferAhead(media),
        holeSec: largestHole(media),
        rate: media.playbackRate,
      });
    }
    if (bench.samples.length >= wanted) {
      bench.done = true;
      counting = false;
      clearInterval(timer);
    }
  }, 1000);
})();
