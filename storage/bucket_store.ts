/**
 * Where the collector keeps the stream in buckets until the factory assembles datasets from
 * them. A bucket is identified by a non-negative integer and holds stream events in arrival
 * order; it is open (taking appends) until closed, then read-only until deleted.
 *
 * @module
 */

import type { StreamEvent } from "../core/events.ts";

/** Bucket storage: filesystem (`filesystem_bucket_store.ts`) or in-process (`memory_bucket_store.ts`). */
export interface BucketStore {
  /**
   * Appends events to bucket `id`, opening it when it is new; rejects a closed bucket. `encoded`,
   * when given, is the Avro `StreamEventBatch` of exactly these events (an input record's value),
   * which a store that writes that format keeps as it is instead of encoding the events again.
   */
  append(id: number, events: readonly StreamEvent[], encoded?: Uint8Array): Promise<void>;
  /** Closes bucket `id` so its events are complete and readable by anyone; idempotent. */
  close(id: number): Promise<void>;
  /** Every event of bucket `id`, in arrival order. */
  read(id: number): Promise<StreamEvent[]>;
  /** The events of bucket `id` one by one, in arrival order, without holding them all. */
  stream(id: number): AsyncIterable<StreamEvent>;
  /** Ids of the stored buckets, open and closed, ascending. */
  list(): Promise<number[]>;
  /** Deletes bucket `id`, open or closed; deleting a missing bucket does nothing. */
  delete(id: number): Promise<void>;
  /** Deletes every bucket. */
  deleteAll(): Promise<void>;
}

/** Rejects anything but a non-negative safe integer as a bucket id. */
export function checkBucketId(id: number): void {
  if (!Number.isSafeInteger(id) || id < 0) {
    throw new RangeError(`bucket id must be a non-negative integer: current value is ${id}`);
  }
}

/** The error for a bucket that does not exist. */
export function missingBucket(id: number): Deno.errors.NotFound {
  return new Deno.errors.NotFound(`bucket ${id} does not exist`);
}

/** The error for an append to a closed bucket. */
export function closedBucket(id: number): Error {
  return new Error(`bucket ${id} is closed: it takes no more events`);
}
