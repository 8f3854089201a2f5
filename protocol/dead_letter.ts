/**
 * Dead letters: consumed records that could not be decoded, validated or handled, kept with the
 * reason so they can be inspected or replayed instead of blocking their partition.
 *
 * @module
 */

import type { DeadLetter } from "./messages.ts";
import type { ConsumedRecord } from "./transport/transport.ts";

/** The dead letter for a consumed record that failed for `reason`, stamped with the current time. */
export function deadLetterOf(record: ConsumedRecord, reason: string): DeadLetter {
  return {
    sourceTopic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key,
    reason,
    original: record.value,
    failedAt: Date.now(),
  };
}
