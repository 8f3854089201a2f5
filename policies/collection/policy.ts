/**
 * Collection policies: which of the collector's closed buckets, and how much of each, form the
 * next dataset version the factory trains on.
 *
 * Every policy sees the closed buckets that still exist and returns `BucketRef`s (bucket id and
 * the share of its events to use, in (0, 1]) in time order, oldest first. Bucket ids increase
 * with stream time (the collector numbers buckets as it closes them), so time order is id order.
 *
 * @module
 */

import type { BucketRef } from "../../core/versions.ts";
import { EXPONENTIAL_DECAY_DEFAULTS, ExponentialDecayPolicy } from "./exponential_decay.ts";
import { LAST_K_DEFAULTS, LastKPolicy } from "./last_k.ts";
import { SCORE_BASED_DEFAULTS, ScoreBasedPolicy } from "./score_based.ts";

/** What the collector knows of a closed bucket. */
export interface BucketMeta {
  id: number;
  /** Stream time of its first and last event, epoch ms. */
  streamTimeStart: number;
  streamTimeEnd: number;
  events: number;
  /** The engine's batch MCC while the bucket was collected; null before any report covers it. */
  score: number | null;
}

/** Chooses the buckets of the next dataset version. */
export interface CollectionPolicy {
  /** The next dataset version's buckets, oldest first; empty only when `closed` is. */
  select(closed: readonly BucketMeta[]): BucketRef[];
}

/** A collection policy's configuration; omitted parameters take the defaults. */
export type CollectionPolicyConfig =
  | { kind: "last_k"; k?: number }
  | { kind: "exponential_decay"; lambda?: number; k?: number; floor?: number }
  | { kind: "score_based"; k?: number };

/** Builds the policy a configuration describes; bad parameters throw a RangeError naming them. */
export function createCollectionPolicy(config: CollectionPolicyConfig): CollectionPolicy {
  switch (config.kind) {
    case "last_k":
      return new LastKPolicy({ k: config.k ?? LAST_K_DEFAULTS.k });
    case "exponential_decay":
      return new ExponentialDecayPolicy({
        lambda: config.lambda ?? EXPONENTIAL_DECAY_DEFAULTS.lambda,
        k: config.k ?? EXPONENTIAL_DECAY_DEFAULTS.k,
        floor: config.floor ?? EXPONENTIAL_DECAY_DEFAULTS.floor,
      });
    case "score_based":
      return new ScoreBasedPolicy({ k: config.k ?? SCORE_BASED_DEFAULTS.k });
    default:
      throw new RangeError(
        "kind must be one of last_k, exponential_decay, score_based: " +
          `current value is ${(config as { kind: unknown }).kind}`,
      );
  }
}
