// src/storage/retention-plan.ts: planRetention: which retained segments to delete now, oldest first, bounded by age and by bytes, sparing leased ones (pure).

/** A segment kept beyond the live window. */
export interface RetainedSegment {
  uri: string;
  /** End of its media (PROGRAM-DATE-TIME + EXTINF), ms. */
  endMs: number;
  bytes: number;
}

/** The limits and what may not go. */
export interface RetentionLimits {
  nowMs: number;
  /** --retention: a segment whose media ended longer ago than this goes. */
  maxAgeMs: number;
  /** --retention-max-bytes: the oldest go until the rest fit; 0 = no limit. */
  maxBytes: number;
  /** True for a segment a replay playlist still lists (its lease has not run out). */
  leased: (uri: string) => boolean;
}

/** What to delete, and whether the oldest batch ran out before the limits were met. */
export interface RetentionPlan {
  remove: string[];
  /** Bytes that stay. */
  keptBytes: number;
  /** Every segment of the batch was looked at and more may be due: plan the next batch. */
  more: boolean;
}

/**
 * oldest is a prefix of the retained segments in time order; totalBytes is the size of all of
 * them. Walks from the oldest: a segment goes while it is older than maxAgeMs or the total is
 * over maxBytes, and stops at the first that is neither (everything after it is younger, and the
 * total only falls). A leased segment is skipped, never deleted: the rule that the reaper
 * "never [removes] a segment that a live or replay playlist still lists" (the live window's
 * segments are not retained until they leave it, so they are never here).
 */
export function planRetention(
  oldest: readonly RetainedSegment[],
  totalBytes: number,
  limits: RetentionLimits,
): RetentionPlan {
  const remove: string[] = [];
  let total = totalBytes;
  for (const s of oldest) {
    const tooOld = limits.nowMs - s.endMs > limits.maxAgeMs;
    const overQuota = limits.maxBytes > 0 && total > limits.maxBytes;
    if (!tooOld && !overQuota) return { remove, keptBytes: total, more: false };
    if (limits.leased(s.uri)) continue;
    remove.push(s.uri);
    total -= s.bytes;
  }
  return { remove, keptBytes: total, more: oldest.length > 0 && remove.length > 0 };
}
