/**
 * The audit log of bucket deletions: every deletion that removes a stored bucket is appended, one
 * JSON line per bucket naming the time and the deleting process, to a file beside the bucket
 * folder of the deleting process (`<storage.dir>/buckets.deletions.jsonl`, whatever the store), so
 * a deletion can be checked afterwards against the dataset versions that referenced the bucket.
 *
 * @module
 */

import { dirname, resolve } from "node:path";

/** One line of the deletion audit log. */
export interface BucketDeletion {
  bucket: number;
  /** When the bucket was removed, epoch ms. */
  at: number;
  /** The deleting process. */
  pid: number;
  /** Whether the bucket was still open (taking appends). */
  open: boolean;
}

/** The deletion audit log of the bucket folder `dir`: a sibling file, outside the folder. */
export function deletionLogOf(dir: string): string {
  return `${resolve(dir)}.deletions.jsonl`;
}

/** Appends the deletion of `bucket` by this process to the audit log of bucket folder `dir`. */
export async function recordDeletion(dir: string, bucket: number, open: boolean): Promise<void> {
  const line: BucketDeletion = { bucket, at: Date.now(), pid: Deno.pid, open };
  // A store may never have written its folder; the log's folder must exist all the same.
  await Deno.mkdir(dirname(resolve(dir)), { recursive: true });
  // One short append per line: O_APPEND keeps lines of concurrent processes whole.
  await Deno.writeTextFile(deletionLogOf(dir), JSON.stringify(line) + "\n", { append: true });
}
