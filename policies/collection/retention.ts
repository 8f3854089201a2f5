/**
 * Which buckets the collector may try to delete: all but the `keep` newest, except those a
 * dataset version still references. This only names candidates; the dataset ledger performs the
 * deletion and refuses while a pending, assembling or frozen dataset version uses the bucket.
 *
 * @module
 */

import { inTimeOrder } from "./time_order.ts";

/** Ids of buckets past the `keep` newest and not in `referenced`, oldest first. */
export function retentionCandidates(
  buckets: readonly { id: number }[],
  keep: number,
  referenced: Iterable<number>,
): number[] {
  if (!Number.isSafeInteger(keep) || keep < 1) {
    throw new RangeError(`keep must be an integer >= 1: current value is ${keep}`);
  }
  const inUse = new Set(referenced);
  return inTimeOrder(buckets)
    .slice(0, Math.max(0, buckets.length - keep))
    .map((bucket) => bucket.id)
    .filter((id) => !inUse.has(id));
}
