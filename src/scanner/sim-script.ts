// src/scanner/sim-script.ts: scriptedAirAt (pure): which scripted transmission is on the air at a time, for a simulator that follows a looped clip.

/** One transmission of the clip, in ms from the start of a pass. */
export interface ScriptedTransmission {
  startMs: number;
  endMs: number;
  channel: number;
  frequencyMHz: number;
  /** Trunked talkgroup (decimal), or null for a conventional channel. */
  talkgroup: string | null;
}

/** A clip's transmissions played from epochMs, repeating every loopMs. */
export interface SimScript {
  epochMs: number;
  loopMs: number;
  transmissions: ScriptedTransmission[];
}

/** The transmission on the air at nowMs (null between them) and when that next changes (wall ms). */
export function scriptedAirAt(
  script: SimScript,
  nowMs: number,
): { current: ScriptedTransmission | null; endsAtMs: number; nextChangeMs: number } {
  const { epochMs, loopMs, transmissions } = script;
  const since = nowMs - epochMs;
  if (since < 0) {
    const first = transmissions[0];
    return { current: null, endsAtMs: epochMs, nextChangeMs: epochMs + (first?.startMs ?? 0) };
  }
  const pass = Math.floor(since / loopMs);
  const base = epochMs + pass * loopMs;
  const t = since - pass * loopMs;
  for (const tx of transmissions) {
    if (t < tx.startMs)
      return { current: null, endsAtMs: base + tx.startMs, nextChangeMs: base + tx.startMs };
    if (t < tx.endMs)
      return { current: tx, endsAtMs: base + tx.endMs, nextChangeMs: base + tx.endMs };
  }
  const next = base + loopMs + (transmissions[0]?.startMs ?? 0);
  return { current: null, endsAtMs: next, nextChangeMs: next };
}
