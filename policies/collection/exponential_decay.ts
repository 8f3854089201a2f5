/**
 * Exponential-decay collection (planned in RTCEF, never built there): every recent bucket counts,
 * older ones less. With the buckets numbered by age, i = 0 for the newest:
 *
 *   weight_i = lambda^i,   0 < lambda < 1
 *
 * and a bucket is in the dataset while i < k and weight_i >= floor. A bucket's weight is the
 * share of its events the factory samples into the dataset (`sampleShare`), so the newest bucket
 * counts whole and a bucket i buckets older counts lambda^i as much.
 *
 * The sample is a set of contiguous slices of the bucket, not scattered events: the forecasting
 * model learns from each partition's sequence of events, and dropping single events would teach
 * it transitions that never happened. Cutting a bucket into `slices` slices (`factory.sampleSlices`)
 * leaves each partition at most that many seams.
 *
 * @module
 */

import type { BucketRef } from "../../core/versions.ts";
import { Random } from "../search/random.ts";
import { requireInteger, requireNumberIn } from "../params.ts";
import type { BucketMeta, CollectionPolicy } from "./collection_policy.ts";
import { inTimeOrder } from "./time_order.ts";

/** Parameters of the exponential-decay policy. */
export interface ExponentialDecayParams {
  /** Decay per bucket of age, in (0, 1). */
  lambda: number;
  /** Most buckets in the dataset, >= 1. */
  k: number;
  /** Smallest weight worth including, in (0, 1]. */
  floor: number;
}

/** The newest buckets with weights decaying by age. */
export class ExponentialDecayPolicy implements CollectionPolicy {
  readonly #params: ExponentialDecayParams;

  /** A policy with the given parameters, checked up front. */
  constructor(params: ExponentialDecayParams) {
    requireNumberIn("exponential_decay", "lambda", params.lambda, [0, 1], "()");
    requireInteger("exponential_decay", "k", params.k, 1);
    requireNumberIn("exponential_decay", "floor", params.floor, [0, 1], "(]");
    this.#params = { ...params };
  }

  /** The newest buckets whose weight lambda^age reaches the floor, at most k, oldest first. */
  select(closed: readonly BucketMeta[]): BucketRef[] {
    const { lambda, k, floor } = this.#params;
    const newestFirst = inTimeOrder(closed).reverse();
    const refs: BucketRef[] = [];
    for (const [age, bucket] of newestFirst.entries()) {
      const weight = lambda ** age;
      if (age >= k || weight < floor) break;
      refs.push({ bucket: bucket.id, weight });
    }
    return refs.reverse();
  }
}

/**
 * A deterministic sample of about `weight` of `events`: the events are cut into `slices` equal
 * contiguous slices (fewer for a short bucket), round(weight x slices) of them (at least
 * one) are chosen by a generator seeded with `seed`, and their events are returned in their
 * original order. Same events, weight and seed, same sample.
 */
export function sampleShare<T>(
  events: readonly T[],
  weight: number,
  seed: number,
  slices: number,
): T[] {
  requireNumberIn("exponential_decay", "weight", weight, [0, 1], "(]");
  requireInteger("exponential_decay", "slices", slices, 1);
  if (!Number.isSafeInteger(seed)) {
    throw new RangeError(`seed must be a safe integer: current value is ${seed}`);
  }
  if (weight === 1) return [...events];
  const cuts = Math.min(slices, events.length);
  const count = Math.max(1, Math.round(weight * cuts));
  const indices = Array.from({ length: cuts }, (_, i) => i);
  const chosen = new Random(seed).shuffle(indices).slice(0, count).sort((a, b) => a - b);
  return chosen.flatMap((slice) =>
    events.slice(
      Math.floor((slice * events.length) / cuts),
      Math.floor(((slice + 1) * events.length) / cuts),
    )
  );
}
