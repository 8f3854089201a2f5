/**
 * Slicing what one publish or transaction sends into produce requests a broker accepts. Both
 * Kafka clients put a request's records for one partition into one record batch, and the broker
 * refuses a batch over its `max.message.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE: an
 * engine catching up a backlog sent one and crash-looped on it. The Java producer bounds its
 * requests (`max.request.size`); this is the same bound for clients that have none.
 *
 * @module
 */

import type { OutgoingRecord, TopicRecords } from "./transport.ts";

/** Largest sum of record sizes one produce request carries, bytes: half Kafka's default limit. */
export const MAX_REQUEST_BYTES = 512 * 1024;

/** Bytes a record adds to a request, near enough: key, value and headers (framing left out). */
function sizeOf({ key, value, headers }: OutgoingRecord): number {
  let size = value.byteLength + (key === null ? 0 : key.length * 3);
  if (headers !== undefined) {
    for (const name in headers) size += (name.length + headers[name].length) * 3;
  }
  return size;
}

/**
 * `outputs` in consecutive slices whose records sum to at most `maxBytes`, in order; a record
 * larger than that alone is a slice of its own (the broker judges it). Empty outputs are dropped.
 */
export function requestSlices(
  outputs: readonly TopicRecords[],
  maxBytes: number = MAX_REQUEST_BYTES,
): TopicRecords[][] {
  if (!Number.isInteger(maxBytes) || maxBytes <= 0) {
    throw new RangeError(`maxBytes must be a positive integer: current value is ${maxBytes}`);
  }
  const slices: TopicRecords[][] = [];
  let slice: TopicRecords[] = [];
  let bytes = 0;
  for (const { topic, records } of outputs) {
    let from = 0;
    for (let i = 0; i < records.length; i++) {
      const size = sizeOf(records[i]);
      if (bytes > 0 && bytes + size > maxBytes) {
        if (i > from) slice.push({ topic, records: records.slice(from, i) });
        slices.push(slice);
        slice = [];
        bytes = 0;
        from = i;
      }
      bytes += size;
    }
    if (records.length > from) {
      slice.push({ topic, records: from === 0 ? records : records.slice(from) });
    }
  }
  if (slice.length > 0) slices.push(slice);
  return slices;
}
