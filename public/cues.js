// public/cues.js: the scanner state carried by the stream's timed ID3 tags, read from a media element's metadata cues at a playback position.
// hls.js (1.7) adds one cue per ID3 frame to a hidden "metadata" track (a VTTCue with `value`); Safari's native HLS
// adds DataCues. Both give cue.value = {key, info, data} for TXXX frames, so the cue class and cue.type are ignored.

/** TXXX descriptions the packager writes, and the state field each fills. */
const FIELDS = {
  frequency: 'frequency',
  channel: 'channel',
  bank: 'bank',
  talkgroup: 'talkgroup',
  label: 'label',
  squelch: 'squelch',
  call: 'call',
};

/** Cues of one ID3 tag share one start time (the PES PTS); tags further apart than this are different tags. */
const SAME_TAG_SEC = 1e-6;

/** The {key, info, data} of a cue that came from an ID3 frame we read, or null (DATERANGE cues, other frames). */
function frameOf(cue) {
  const v = cue && typeof cue === 'object' ? cue.value : null;
  if (!v || typeof v !== 'object') return null;
  if (v.key === 'TIT2' && typeof v.data === 'string') return v;
  if (v.key === 'TXXX' && typeof v.info === 'string' && typeof v.data === 'string') {
    return Object.hasOwn(FIELDS, v.info) ? v : null;
  }
  return null;
}

/** Every metadata text track of a media element (hls.js's "id3" track, Safari's in-band track). */
function metadataTracks(media) {
  const out = [];
  for (const t of media.textTracks) if (t.kind === 'metadata' && t.cues) out.push(t);
  return out;
}

/** Index of the last cue that starts at or before t (cue lists are ordered by start time), or -1. */
function lastStartingBy(cues, t) {
  let lo = 0;
  let hi = cues.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cues[mid].startTime <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** The frames of the newest tag in one track that starts at or before t: {start, frames} or null. */
function tagAt(cues, t) {
  let i = lastStartingBy(cues, t);
  while (i >= 0 && frameOf(cues[i]) === null) i -= 1;
  if (i < 0) return null;
  const start = cues[i].startTime;
  const frames = [];
  for (; i >= 0 && start - cues[i].startTime < SAME_TAG_SEC; i -= 1) {
    const f = frameOf(cues[i]);
    if (f) frames.unshift(f);
  }
  return { start, frames };
}

/**
 * The scanner state heard at media time t: {start, frequencyMHz, channel, bank, talkgroup, label,
 * squelchOpen, call, title}, or null when no tag starts at or before t. The contract: "The current
 * state is repeated at the start of every part and segment", and "A TXXX with an unknown value is
 * omitted", so the newest tag alone is the whole state.
 */
export function heardStateAt(media, t) {
  let best = null;
  for (const track of metadataTracks(media)) {
    const tag = tagAt(track.cues, t);
    if (tag && (best === null || tag.start > best.start)) best = tag;
  }
  if (best === null) return null;
  const s = {
    start: best.start,
    frequencyMHz: null,
    channel: null,
    bank: null,
    talkgroup: null,
    label: null,
    squelchOpen: false,
    call: null,
    title: null,
  };
  for (const f of best.frames) {
    if (f.key === 'TIT2') {
      s.title = f.data || null;
      continue;
    }
    const v = f.data.trim();
    if (f.info === 'frequency') s.frequencyMHz = Number.isFinite(Number(v)) && v ? Number(v) : null;
    else if (f.info === 'channel' || f.info === 'bank')
      s[f.info] = /^\d+$/.test(v) ? Number(v) : null;
    else if (f.info === 'squelch') s.squelchOpen = v === 'open';
    else s[FIELDS[f.info]] = v || null;
  }
  return s;
}

/** True when the element has any ID3 cue we read (the stream carries timed metadata). */
export function hasId3Cues(media) {
  for (const track of metadataTracks(media)) {
    const cues = track.cues;
    for (let i = cues.length - 1; i >= 0 && i >= cues.length - 50; i -= 1) {
      if (frameOf(cues[i])) return true;
    }
  }
  return false;
}

/** Seconds of ID3 cues kept behind the playback position; older ones are removed. */
const KEEP_BEHIND_SEC = 60;

/**
 * Removes ID3 cues that ended well before t. The state is repeated in every part, so a long
 * session would otherwise gather hundreds of thousands of cues: hls.js does not remove TS ID3
 * cues when it trims the back buffer, and it walks every cue for each new frame. The newest tag
 * before t is kept whatever its age, so the state at t stays readable.
 */
export function pruneId3Cues(media, t) {
  for (const track of metadataTracks(media)) {
    const cues = track.cues;
    const keepFrom = tagAt(cues, t)?.start ?? Infinity;
    const old = [];
    for (let i = 0; i < cues.length; i += 1) {
      const c = cues[i];
      if (c.startTime >= keepFrom || c.startTime >= t - KEEP_BEHIND_SEC) break;
      if (frameOf(c) && c.endTime < t - KEEP_BEHIND_SEC) old.push(c);
    }
    for (const c of old) {
      try {
        track.removeCue(c);
      } catch {
        // already removed (hls.js flushed it)
      }
    }
  }
}
