/**
 * Buckets as objects under `<prefix>buckets/`, so the collector and the factory share them from
 * any machine. Objects cannot be appended to, so an open bucket is a series of segment objects
 * `<id>.open/<n>` (n = 0, 1, ... zero-padded), each holding the blocks (`bucket_blocks.ts`) of
 * the appends buffered since the last; closing writes their concatenation as one object
 * `<id>.bucket` in a single request, then deletes the segments, so a closed bucket appears whole
 * to every reader. Appends are buffered per bucket and written once the buffer is large; an open
 * bucket's last events may live only in this store's buffer until it is read or closed.
 *
 * Every deletion that removes an object is also appended to the deleting process's audit log
 * (`deletion_log.ts`), as with buckets in files.
 *
 * @module
 */

import { SerialQueues } from "./serial_queues.ts";
import type { StreamEvent } from "../core/events.ts";
import { type BucketStore, checkBucketId, closedBucket, missingBucket } from "./bucket_store.ts";
import { concatBytes, decodeBlocks, frameBlock } from "./bucket_blocks.ts";
import { recordDeletion } from "./deletion_log.ts";
import { type S3Location, S3Objects } from "./s3_objects.ts";

/** Buffered blocks are written as a segment once they hold this many bytes. */
const SEGMENT_BYTES = 1024 * 1024;
const SEGMENT_DIGITS = 10;
/** A bucket's closed object or one of its segments, relative to `buckets/`. */
const BUCKET_KEY = /^(0|[1-9]\d*)(\.bucket|\.open\/\d{10})$/;
const SEGMENT_KEY = /^\d{10}$/;

/** Blocks not yet written, their size, and the number of the segment they will be. */
interface Pending {
  blocks: Uint8Array[];
  bytes: number;
  segment: number;
}

/** A bucket store in an S3 bucket. */
export class S3BucketStore implements BucketStore {
  readonly #objects: S3Objects;
  /** The local bucket folder whose audit log records this process's deletions. */
  readonly #deletionLogDir: string;
  /** Unwritten blocks of the open buckets this store appends to. */
  readonly #buffers = new Map<number, Pending>();
  /** Each bucket's operations, run one after another. */
  readonly #queues = new SerialQueues<number>();

  /**
   * Stores buckets under `location`'s prefix, recording deletions in the audit log of the local
   * folder `deletionLogDir` (`<storage.dir>/buckets`, created only for the log).
   */
  constructor(location: S3Location, deletionLogDir: string) {
    this.#objects = new S3Objects(location);
    this.#deletionLogDir = deletionLogDir;
  }

  /** Buffers the events as one block (`encoded` when given), writing a segment once it is large. */
  append(id: number, events: readonly StreamEvent[], encoded?: Uint8Array): Promise<void> {
    return this.#serially(id, async () => {
      if (events.length === 0) return;
      let pending = this.#buffers.get(id);
      if (pending === undefined) {
        if (await this.#objects.has(closedKey(id))) throw closedBucket(id);
        // A bucket an earlier run left open goes on after its last segment.
        const segments = await this.#segments(id);
        const next = segments.length === 0
          ? 0
          : Number(segments.at(-1)!.slice(-SEGMENT_DIGITS)) + 1;
        pending = { blocks: [], bytes: 0, segment: next };
        this.#buffers.set(id, pending);
      }
      for (const part of frameBlock(events, encoded)) {
        pending.blocks.push(part);
        pending.bytes += part.length;
      }
      if (pending.bytes >= SEGMENT_BYTES) await this.#flush(id);
    });
  }

  /** Writes out the buffer, then the segments as one closed object, then drops the segments. */
  close(id: number): Promise<void> {
    return this.#serially(id, async () => {
      if (this.#buffers.has(id)) {
        await this.#flush(id);
        this.#buffers.delete(id);
      } else if (await this.#objects.has(closedKey(id))) {
        return;
      }
      const segments = await this.#segments(id);
      if (segments.length === 0) {
        // Another store may have closed it since.
        if (await this.#objects.has(closedKey(id))) return;
        throw missingBucket(id);
      }
      const parts = await this.#read(segments);
      if (parts === undefined) {
        if (await this.#objects.has(closedKey(id))) return;
        throw missingBucket(id);
      }
      await this.#objects.put(closedKey(id), concatBytes(parts));
      await Promise.all(segments.map((key) => this.#objects.delete(key)));
    });
  }

  /** Every event of bucket `id`, in arrival order. */
  async read(id: number): Promise<StreamEvent[]> {
    const events: StreamEvent[] = [];
    for await (const block of this.#blocks(id)) {
      for (const event of block) events.push(event);
    }
    return events;
  }

  /** The events of bucket `id` block by block, after writing out its buffer. */
  async *stream(id: number): AsyncIterable<StreamEvent> {
    for await (const block of this.#blocks(id)) yield* block;
  }

  /** Ids of the buckets buffered here or stored as objects, open or closed, ascending. */
  async list(): Promise<number[]> {
    const ids = new Set(this.#buffers.keys());
    for (const key of await this.#objects.list("buckets/")) {
      const match = key.match(BUCKET_KEY);
      if (match !== null) ids.add(Number(match[1]));
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Drops the buffer and deletes the bucket's objects, recording the removal in the audit log. */
  delete(id: number): Promise<void> {
    return this.#serially(id, async () => {
      const buffered = this.#buffers.delete(id);
      const [closed, segments] = await Promise.all([
        this.#objects.has(closedKey(id)),
        this.#segments(id),
      ]);
      await Promise.all(
        [...segments, ...(closed ? [closedKey(id)] : [])].map((key) => this.#objects.delete(key)),
      );
      if (buffered || closed || segments.length > 0) {
        await recordDeletion(this.#deletionLogDir, id, !closed);
      }
    });
  }

  /** Deletes every bucket `list` names; other objects under the prefix stay. */
  async deleteAll(): Promise<void> {
    await Promise.all((await this.list()).map((id) => this.delete(id)));
  }

  /**
   * The decoded blocks of bucket `id`: the closed object as it arrives, or else every segment of the
   * open bucket, fetched before any is decoded (a close elsewhere may delete them meanwhile, and
   * then the closed object is read instead).
   */
  async *#blocks(id: number): AsyncGenerator<StreamEvent[]> {
    await this.#serially(id, () => this.#flush(id));
    for (let attempt = 0; attempt < 2; attempt++) {
      const closed = await this.#objects.stream(closedKey(id));
      if (closed !== undefined) {
        yield* decodeBlocks(id, closed);
        return;
      }
      const segments = await this.#segments(id);
      if (segments.length === 0) continue;
      const parts = await this.#read(segments);
      if (parts === undefined) continue;
      yield* decodeBlocks(id, once(concatBytes(parts)));
      return;
    }
    throw missingBucket(id);
  }

  /** The bytes of every key, in order; undefined when one is missing. */
  async #read(keys: readonly string[]): Promise<Uint8Array[] | undefined> {
    const parts = await Promise.all(keys.map((key) => this.#objects.get(key)));
    return parts.every((part) => part !== undefined) ? parts : undefined;
  }

  /** Keys of the segments of open bucket `id`, in order. */
  async #segments(id: number): Promise<string[]> {
    const prefix = openPrefix(id);
    const keys = await this.#objects.list(prefix);
    return keys.filter((key) => SEGMENT_KEY.test(key)).map((key) => `${prefix}${key}`);
  }

  /** Runs `operation` after every earlier operation on bucket `id` has settled. */
  #serially<T>(id: number, operation: () => Promise<T>): Promise<T> {
    return Promise.try(() => {
      checkBucketId(id);
      return this.#queues.run(id, operation);
    });
  }

  /** Writes the buffered blocks of bucket `id` as its next segment, if this store holds it open. */
  async #flush(id: number): Promise<void> {
    const pending = this.#buffers.get(id);
    if (pending === undefined || pending.bytes === 0) return;
    const key = `${openPrefix(id)}${String(pending.segment).padStart(SEGMENT_DIGITS, "0")}`;
    await this.#objects.put(key, concatBytes(pending.blocks));
    this.#buffers.set(id, { blocks: [], bytes: 0, segment: pending.segment + 1 });
  }
}

function closedKey(id: number): string {
  return `buckets/${id}.bucket`;
}

function openPrefix(id: number): string {
  return `buckets/${id}.open/`;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
