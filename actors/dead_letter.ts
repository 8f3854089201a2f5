/**
 * Dead letters: consumed records that could not be decoded, validated or handled, kept with the
 * reason so they can be inspected or replayed instead of blocking their partition.
 *
 * @module
 */

import type { DeadLetter } from "../protocol/messages.ts";
import type { ConsumedRecord } from "../transport/transport.ts";

/**
 * The dead letter for a consumed record that failed for `reason`, stamped with the current time.
 * When one item of a batched record failed, `item` gives its key and its own encoding, so the
 * letter keeps that item alone while naming the record it came in.
 */
export function deadLetterOf(
  record: ConsumedRecord,
  reason: string,
  item?: { key: string; value: Uint8Array },
): DeadLetter {
  return {
    sourceTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: item?.key ?? record.key,
    reason,
    original: item?.value ?? record.value,
    failedAt: Date.now(),
  };
}
