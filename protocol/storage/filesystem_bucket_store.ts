/**
 * Buckets as JSON-lines files in a folder, one event per line: `<id>.open.jsonl` while the
 * bucket is open, renamed to `<id>.jsonl` when it closes, so a closed bucket appears whole to
 * every process sharing the folder. Appends are buffered per bucket and written in chunks; an
 * open bucket's last events may live only in this store's buffer until it is read or closed.
 *
 * @module
 */

import { join, resolve } from "node:path";
import type { StreamEvent } from "../messages.ts";
import { type BucketStore, checkBucketId, closedBucket, missingBucket } from "./bucket_store.ts";

/** Buffered text written once it reaches this many UTF-16 units. */
const BUFFER_UNITS = 64 * 1024;
const FILE_NAME = /^(0|[1-9]\d*)(\.open)?\.jsonl$/;

/** A bucket store in a folder (created on the first write). */
export class FilesystemBucketStore implements BucketStore {
  /** The folder, as an absolute path. */
  readonly dir: string;
  /** Unwritten lines of the open buckets this store appends to. */
  readonly #buffers = new Map<number, string>();
  /** Per bucket, the end of the chain its operations run on one after another. */
  readonly #chains = new Map<number, Promise<void>>();

  /** Stores buckets in `dir` (relative to the working directory when not absolute). */
  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  /** Buffers the events as JSON lines, writing them out once the buffer is large. */
  append(id: number, events: readonly StreamEvent[]): Promise<void> {
    return this.#serially(id, async () => {
      let buffer = this.#buffers.get(id);
      if (buffer === undefined) {
        if (await exists(this.#closedPath(id))) throw closedBucket(id);
        buffer = "";
      }
      for (const event of events) buffer += JSON.stringify(event) + "\n";
      this.#buffers.set(id, buffer);
      if (buffer.length >= BUFFER_UNITS) await this.#flush(id);
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
  read(id: number): Promise<StreamEvent[]> {
    return Array.fromAsync(this.stream(id));
  }

  /** The events of bucket `id` line by line, after writing out its buffer. */
  async *stream(id: number): AsyncIterable<StreamEvent> {
    await this.#serially(id, () => this.#flush(id));
    const file = await this.#openForReading(id);
    const lines = file.readable.pipeThrough(new TextDecoderStream()).pipeThrough(splitLines());
    for await (const line of lines) yield JSON.parse(line) as StreamEvent;
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

  /** Drops the buffer and removes the bucket's files. */
  delete(id: number): Promise<void> {
    return this.#serially(id, async () => {
      this.#buffers.delete(id);
      await removeIfPresent(this.#openPath(id));
      await removeIfPresent(this.#closedPath(id));
    });
  }

  /** Deletes every bucket `list` names; other files in the folder stay. */
  async deleteAll(): Promise<void> {
    await Promise.all((await this.list()).map((id) => this.delete(id)));
  }

  /** Runs `operation` after every earlier operation on bucket `id` has settled. */
  #serially<T>(id: number, operation: () => Promise<T>): Promise<T> {
    return Promise.try(() => {
      checkBucketId(id);
      const result = (this.#chains.get(id) ?? Promise.resolve()).then(operation);
      const settled = result.then(() => {}, () => {});
      this.#chains.set(id, settled);
      settled.then(() => {
        if (this.#chains.get(id) === settled) this.#chains.delete(id);
      });
      return result;
    });
  }

  /** Writes the buffered lines of bucket `id`, if this store holds the bucket open. */
  async #flush(id: number): Promise<void> {
    const buffer = this.#buffers.get(id);
    if (buffer === undefined) return;
    await Deno.mkdir(this.dir, { recursive: true });
    await Deno.writeTextFile(this.#openPath(id), buffer, { append: true });
    this.#buffers.set(id, "");
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
    return join(this.dir, `${id}.open.jsonl`);
  }

  #closedPath(id: number): string {
    return join(this.dir, `${id}.jsonl`);
  }
}

/** Splits text into its non-empty lines. */
function splitLines(): TransformStream<string, string> {
  let partial = "";
  return new TransformStream({
    transform(chunk, controller) {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop()!;
      for (const line of lines) if (line !== "") controller.enqueue(line);
    },
    flush(controller) {
      if (partial !== "") controller.enqueue(partial);
    },
  });
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

async function removeIfPresent(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
}
