/**
 * RTCEF's `lastk` collection policy, the default: the dataset is the newest `k` buckets, whole.
 *
 * @module
 */

import type { BucketRef } from "../../core/versions.ts";
import { requireInteger } from "../params.ts";
import type { BucketMeta, CollectionPolicy } from "./collection_policy.ts";
import { inTimeOrder } from "./time_order.ts";

/** Parameters of the last-k policy. */
export interface LastKParams {
  /** Buckets in the dataset, >= 1. */
  k: number;
}

/** The newest `k` buckets, weight 1. */
export class LastKPolicy implements CollectionPolicy {
  readonly #k: number;

  /** A policy keeping `k` buckets, checked up front. */
  constructor(params: LastKParams) {
    requireInteger("last_k", "k", params.k, 1);
    this.#k = params.k;
  }

  /** The newest `k` buckets (fewer while fewer are closed), oldest first. */
  select(closed: readonly BucketMeta[]): BucketRef[] {
    return inTimeOrder(closed).slice(-this.#k).map((bucket) => ({ bucket: bucket.id, weight: 1 }));
  }
}
