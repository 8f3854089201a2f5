/**
 * Buckets as files in a folder, one file per bucket: `<id>.open.bucket` while the bucket is
 * open, renamed to `<id>.bucket` when it closes, so a closed bucket appears whole to every
 * process sharing the folder. A file holds the bucket's blocks (`bucket_blocks.ts`), one per
 * append. Appends are buffered per bucket and written in chunks; an open bucket's last events may
 * live only in this store's buffer until it is read or closed.
 *
 * Every deletion that removes a file is also appended to the audit log beside the folder
 * (`deletion_log.ts`).
 *
 * @module
 */

import { SerialQueues } from "./serial_queues.ts";
import { join, resolve } from "node:path";
import type { StreamEvent } from "../core/events.ts";
import { type BucketStore, checkBucketId, closedBucket, missingBucket } from "./bucket_store.ts";
import { concatBytes, decodeBlocks, frameBlock } from "./bucket_blocks.ts";
import { recordDeletion } from "./deletion_log.ts";

/** Buffered blocks are written once they hold this many bytes. */
const BUFFER_BYTES = 256 * 1024;
/** Bytes read at a time when streaming a bucket. */
const READ_BYTES = 256 * 1024;
const FILE_NAME = /^(0|[1-9]\d*)(\.open)?\.bucket$/;

/** Blocks not yet written, and their size. */
interface Pending {
  blocks: Uint8Array[];
  bytes: number;
}

/** A bucket store in a folder (created on the first write). */
export class FilesystemBucketStore implements BucketStore {
  /** The folder, as an absolute path. */
  readonly dir: string;
  /** Unwritten blocks of the open buckets this store appends to. */
  readonly #buffers = new Map<number, Pending>();
  /** Each bucket's operations, run one after another. */
  readonly #queues = new SerialQueues<number>();

  /** Stores buckets in `dir` (relative to the working directory when not absolute). */
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Buffers the events as one block (`encoded` when given), writing out once the buffer is large. */
  append(id: number, events: readonly StreamEvent[], encoded?: Uint8Array): Promise<void> {
    return this.#serially(id, async () => {
      if (events.length === 0) return;
      let pending = this.#buffers.get(id);
      if (pending === undefined) {
        if (await exists(this.#closedPath(id))) throw closedBucket(id);
        pending = { blocks: [], bytes: 0 };
        this.#buffers.set(id, pending);
      }
      for (const part of frameBlock(events, encoded)) {
        pending.blocks.push(part);
        pending.bytes += part.length;
      }
      if (pending.bytes >= BUFFER_BYTES) await this.#flush(id);
    });
  }

  /** Writes out the buffer and renames the open file to its closed name. */
  close(id: number): Promise<void> {
    return this.#serially(id, async () => {
      if (this.#buffers.has(id)) {
        await this.#flush(id);
        this.#buffers.delete(id);
      } else if (await exists(this.#closedPath(id))) {
        return;
      }
      try {
        await Deno.rename(this.#openPath(id), this.#closedPath(id));
      } catch (error) {
        throw error instanceof Deno.errors.NotFound ? missingBucket(id) : error;
      }
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

  /** Ids of the buckets buffered here or found as files in the folder, ascending. */
  async list(): Promise<number[]> {
    const ids = new Set(this.#buffers.keys());
    try {
      for await (const entry of Deno.readDir(this.dir)) {
        const match = entry.isFile ? entry.name.match(FILE_NAME) : null;
        if (match !== null) ids.add(Number(match[1]));
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return [...ids].sort((a, b) => a - b);
  }

  /** Drops the buffer and removes the bucket's files, recording the removal in the audit log. */
  delete(id: number): Promise<void> {
    return this.#serially(id, async () => {
      const buffered = this.#buffers.delete(id);
      const open = await removeIfPresent(this.#openPath(id));
      const closed = await removeIfPresent(this.#closedPath(id));
      if (buffered || open || closed) await recordDeletion(this.dir, id, !closed);
    });
  }

  /** Deletes every bucket `list` names; other files in the folder stay. */
  async deleteAll(): Promise<void> {
    await Promise.all((await this.list()).map((id) => this.delete(id)));
  }

  /** The decoded blocks of bucket `id`, read a chunk of the file at a time. */
  async *#blocks(id: number): AsyncGenerator<StreamEvent[]> {
    await this.#serially(id, () => this.#flush(id));
    const file = await this.#openForReading(id);
    try {
      yield* decodeBlocks(id, chunksOf(file));
    } finally {
      file.close();
    }
  }

  /** Runs `operation` after every earlier operation on bucket `id` has settled. */
  #serially<T>(id: number, operation: () => Promise<T>): Promise<T> {
    return Promise.try(() => {
      checkBucketId(id);
      return this.#queues.run(id, operation);
    });
  }

  /** Writes the buffered blocks of bucket `id`, if this store holds the bucket open. */
  async #flush(id: number): Promise<void> {
    const pending = this.#buffers.get(id);
    if (pending === undefined || pending.bytes === 0) return;
    await Deno.mkdir(this.dir, { recursive: true });
    const bytes = concatBytes(pending.blocks);
    await Deno.writeFile(this.#openPath(id), bytes, { append: true });
    this.#buffers.set(id, { blocks: [], bytes: 0 });
  }

  async #openForReading(id: number): Promise<Deno.FsFile> {
    // A close in another process may rename the open file between two attempts.
    for (const path of [this.#closedPath(id), this.#openPath(id), this.#closedPath(id)]) {
      try {
        return await Deno.open(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    throw missingBucket(id);
  }

  #openPath(id: number): string {
    return join(this.dir, `${id}.open.bucket`);
  }

  #closedPath(id: number): string {
    return join(this.dir, `${id}.bucket`);
  }
}

/** The file's bytes, a read at a time. */
async function* chunksOf(file: Deno.FsFile): AsyncGenerator<Uint8Array> {
  const chunk = new Uint8Array(READ_BYTES);
  for (;;) {
    const read = await file.read(chunk);
    if (read === null) return;
    yield chunk.subarray(0, read);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Removes the file if it exists; whether it did. */
async function removeIfPresent(path: string): Promise<boolean> {
  try {
    await Deno.remove(path);
    return true;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    return false;
  }
}
