/**
 * Dead letters: consumed records that could not be decoded, validated or handled, kept with the
 * reason so they can be inspected or replayed instead of blocking their partition. A letter must
 * itself fit through the broker, so an original above `maxOriginalBytes` is kept only in part,
 * with the whole original's size and SHA-256 to match it against the source.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { DeadLetter } from "../protocol/messages.ts";
import type { ConsumedRecord } from "../transport/transport.ts";

/**
 * Bytes of an original a letter keeps by default: far below Kafka's default 1 MiB record limit,
 * so a letter is never refused for its size, whatever it carries.
 */
export const DEFAULT_MAX_ORIGINAL_BYTES = 64 * 1024;

/** Where a failed value came from and why it failed; `size` when `original` is already cut. */
export interface Failure {
  sourceTopic: string;
  partition: number;
  offset: number;
  key: string | null;
  reason: string;
  original: Uint8Array;
  /** Size of the whole original when `original` holds only its start (a too-long line). */
  size?: number;
}

/** The dead letter for `failure`, stamped now, its original cut to `maxOriginalBytes`. */
export function deadLetter(
  failure: Failure,
  maxOriginalBytes: number = DEFAULT_MAX_ORIGINAL_BYTES,
): DeadLetter {
  if (!Number.isInteger(maxOriginalBytes) || maxOriginalBytes < 0) {
    throw new RangeError(
      `maxOriginalBytes must be a non-negative integer: current value is ${maxOriginalBytes}`,
    );
  }
  const { original, size, ...origin } = failure;
  const cutBefore = size !== undefined && size > original.length;
  const truncated = cutBefore || original.length > maxOriginalBytes;
  return {
    ...origin,
    original: original.length > maxOriginalBytes ? original.slice(0, maxOriginalBytes) : original,
    failedAt: Date.now(),
    originalSize: size ?? original.length,
    // A digest of a part would match nothing: only a whole original gets one.
    originalSha256: cutBefore ? "" : createHash("sha256").update(original).digest("hex"),
    truncated,
  };
}

/**
 * The dead letter for a consumed record that failed for `reason`, stamped with the current time.
 * When one item of a batched record failed, `item` gives its key and its own encoding, so the
 * letter keeps that item alone while naming the record it came in.
 */
export function deadLetterOf(
  record: ConsumedRecord,
  reason: string,
  item?: { key: string; value: Uint8Array },
  maxOriginalBytes: number = DEFAULT_MAX_ORIGINAL_BYTES,
): DeadLetter {
  return deadLetter({
    sourceTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: item?.key ?? record.key,
    reason,
    original: item?.value ?? record.value,
  }, maxOriginalBytes);
}
