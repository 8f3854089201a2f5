/**
 * Buckets held in this process's memory, for one-process runs and tests. Events are copied in
 * and out, so callers cannot change what is stored.
 *
 * @module
 */

import type { StreamEvent } from "../core/events.ts";
import { type BucketStore, checkBucketId, closedBucket, missingBucket } from "./bucket_store.ts";

interface Bucket {
  events: StreamEvent[];
  closed: boolean;
}

/** A bucket store in memory. */
export class MemoryBucketStore implements BucketStore {
  readonly #buckets = new Map<number, Bucket>();

  /** Appends copies of the events to bucket `id`, opening it when it is new. */
  append(id: number, events: readonly StreamEvent[]): Promise<void> {
    return Promise.try(() => {
      checkBucketId(id);
      let bucket = this.#buckets.get(id);
      if (bucket?.closed) throw closedBucket(id);
      if (bucket === undefined) this.#buckets.set(id, bucket = { events: [], closed: false });
      for (const event of structuredClone(events)) bucket.events.push(event);
    });
  }

  /** Marks bucket `id` closed. */
  close(id: number): Promise<void> {
    return Promise.try(() => {
      this.#bucket(id).closed = true;
    });
  }

  /** Copies of bucket `id`'s events, in arrival order. */
  read(id: number): Promise<StreamEvent[]> {
    return Promise.try(() => structuredClone(this.#bucket(id).events));
  }

  /** Copies of bucket `id`'s events, one by one. */
  async *stream(id: number): AsyncIterable<StreamEvent> {
    yield* await this.read(id);
  }

  /** Ids of the stored buckets, ascending. */
  list(): Promise<number[]> {
    return Promise.resolve([...this.#buckets.keys()].sort((a, b) => a - b));
  }

  /** Forgets bucket `id`. */
  delete(id: number): Promise<void> {
    return Promise.try(() => {
      checkBucketId(id);
      this.#buckets.delete(id);
    });
  }

  /** Forgets every bucket. */
  deleteAll(): Promise<void> {
    this.#buckets.clear();
    return Promise.resolve();
  }

  #bucket(id: number): Bucket {
    checkBucketId(id);
    const bucket = this.#buckets.get(id);
    if (bucket === undefined) throw missingBucket(id);
    return bucket;
  }
}
