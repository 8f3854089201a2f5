/**
 * The replayer's progress as the state store keeps it: its snapshot with the identity of the
 * file it was made on (size, modification time and a hash of its head), so a replayer started
 * on a file that changed since starts afresh, and says why, rather than skipping the wrong events.
 *
 * @module
 */

import { z } from "zod";
import { countSchema } from "../role_snapshot.ts";
import type { ReplayerState } from "./replayer_state.ts";
import type { StateKey } from "../../state/state_store.ts";

/** Where a deployment's replayer keeps its progress. */
export const PROGRESS_KEY: StateKey = { role: "replayer", name: "progress" };

/** Bytes of the file's head that are hashed. */
const HEAD_BYTES = 64 * 1024;

const fileIdentitySchema = z.strictObject({
  size: countSchema,
  mtimeMs: z.number().nullable(),
  headSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** What tells one file content from another without reading all of it. */
export type FileIdentity = z.infer<typeof fileIdentitySchema>;

/** The stored progress: the replayer's snapshot (checked when restored) and its file's identity. */
export const durableProgressSchema = z.strictObject({
  identity: fileIdentitySchema,
  progress: z.unknown(),
});

/** The replayer's progress as stored. */
export type DurableProgress = z.infer<typeof durableProgressSchema>;

/** The identity of the file at `path` as it is now. */
export async function fileIdentity(path: string): Promise<FileIdentity> {
  const file = await Deno.open(path);
  try {
    const info = await file.stat();
    const head = new Uint8Array(Math.min(HEAD_BYTES, info.size));
    let read = 0;
    while (read < head.length) {
      const n = await file.read(head.subarray(read));
      if (n === null) break;
      read += n;
    }
    const digest = await crypto.subtle.digest("SHA-256", head.subarray(0, read));
    return {
      size: info.size,
      mtimeMs: info.mtime?.getTime() ?? null,
      headSha256: Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(
        "",
      ),
    };
  } finally {
    file.close();
  }
}

/** Why `stored` progress does not apply to a replay of `fresh`'s file now at `identity`. */
export function whyNotResumed(
  stored: DurableProgress,
  progress: ReplayerState,
  fresh: ReplayerState,
  identity: FileIdentity,
): string | undefined {
  if (progress.file !== fresh.file) return `the stored progress is of ${progress.file}`;
  if (progress.rotateMonths !== fresh.rotateMonths) {
    return `the stored progress is of a replay rotated ${progress.rotateMonths} months`;
  }
  const was = stored.identity;
  if (was.size !== identity.size) return `its size changed from ${was.size} to ${identity.size}`;
  if (was.mtimeMs !== identity.mtimeMs) return "it was modified since";
  if (was.headSha256 !== identity.headSha256) return "its first bytes changed";
  return undefined;
}
