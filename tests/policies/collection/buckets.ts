/**
 * Hand-made closed buckets for the collection-policy tests.
 *
 * @module
 */

import type { BucketMeta } from "../../../policies/collection/collection_policy.ts";

/** Buckets with the given ids and scores, one per hour of stream time, 100 events each. */
export function buckets(scores: Record<number, number | null>): BucketMeta[] {
  return Object.entries(scores).map(([id, score]) => ({
    id: Number(id),
    streamTimeStart: Number(id) * 3_600_000,
    streamTimeEnd: Number(id) * 3_600_000 + 3_599_999,
    events: 100,
    score,
  }));
}
