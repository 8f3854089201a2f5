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
