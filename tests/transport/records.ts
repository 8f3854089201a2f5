/**
 * Text records for transport tests: what to publish, how to read one back, and a handler that
 * keeps what it was handed.
 *
 * @module
 */

import type { BatchHandler, ConsumedRecord, OutgoingRecord } from "../../transport/transport.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A record whose value is `text`. */
export function record(key: string | null, text: string): OutgoingRecord {
  return { key, value: encoder.encode(text) };
}

/** The text of a consumed record's value. */
export function text(consumed: ConsumedRecord): string {
  return decoder.decode(consumed.value);
}

/** A handler appending what `pick` takes from each record to `into`. */
export function collect<T>(into: T[], pick: (record: ConsumedRecord) => T): BatchHandler {
  return (records) => {
    into.push(...records.map(pick));
    return Promise.resolve();
  };
}
