/**
 * RTCEF's `scorebased` collection policy: the newest ceil(k/2) buckets, plus the floor(k/2)
 * older buckets on which the engine scored best, so that a regime the model once did well on can
 * come back into the training data. Older buckets rank by score, highest first; unscored ones rank
 * last; ties go to the newer bucket. (RTCEF took int(k/2) of each, k - 1 buckets for an odd k.)
 *
 * @module
 */

import type { BucketRef } from "../../core/versions.ts";
import { requireInteger } from "../params.ts";
import type { BucketMeta, CollectionPolicy } from "./collection_policy.ts";
import { inTimeOrder } from "./time_order.ts";

/** Parameters of the score-based policy. */
export interface ScoreBasedParams {
  /** Buckets in the dataset, >= 1. */
  k: number;
}

/** The newest half of k buckets plus the best-scoring older half. */
export class ScoreBasedPolicy implements CollectionPolicy {
  readonly #k: number;

  /** A policy choosing `k` buckets, checked up front. */
  constructor(params: ScoreBasedParams) {
    requireInteger("score_based", "k", params.k, 1);
    this.#k = params.k;
  }

  /** The newest ceil(k/2) and the best floor(k/2) older buckets, oldest first. */
  select(closed: readonly BucketMeta[]): BucketRef[] {
    const ordered = inTimeOrder(closed);
    const newestCount = Math.min(Math.ceil(this.#k / 2), ordered.length);
    const older = ordered.slice(0, ordered.length - newestCount);
    const newest = ordered.slice(ordered.length - newestCount);
    const best = older
      .toSorted((a, b) => rank(b) - rank(a) || b.id - a.id)
      .slice(0, Math.floor(this.#k / 2));
    return inTimeOrder([...best, ...newest]).map((bucket) => ({ bucket: bucket.id, weight: 1 }));
  }
}

/** A bucket's score for ranking; unscored buckets below every score (MCC >= -1). */
function rank(bucket: BucketMeta): number {
  return bucket.score ?? -Infinity;
}
