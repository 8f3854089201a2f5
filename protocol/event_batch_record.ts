/**
 * The input topic's records: a `StreamEventBatch` of events that all land on the record's
 * partition, keyed by the first event's key, with headers that summarise the batch (its event
 * count, its first and its greatest stream time). A reader that needs only those (the collector,
 * filling buckets) can then skip decoding the record; a record without them, from a foreign
 * producer, is decoded instead.
 *
 * @module
 */

import { encodeData } from "./codec.ts";
import type { StreamEvent } from "../core/events.ts";

/** An input record as any transport carries it: keyed bytes with string headers. */
export interface EventBatchRecord {
  key: string;
  value: Uint8Array;
  headers: Record<string, string>;
}

/** What the headers of an input record say about its events. */
export interface EventBatchSummary {
  events: number;
  /** Stream time of the first event, epoch ms. */
  firstTime: number;
  /** Greatest stream time of any event (events of different keys need not be in time order). */
  maxTime: number;
}

const HEADERS = {
  events: "retune.events",
  firstTime: "retune.first-time",
  maxTime: "retune.max-time",
} as const;

/** The input record for `events` (at least one, all landing on one partition). */
export function eventBatchRecord(events: StreamEvent[]): EventBatchRecord {
  if (events.length === 0) {
    throw new RangeError("events must hold at least one event: current value is []");
  }
  let maxTime = -Infinity;
  for (const event of events) if (event.timestamp > maxTime) maxTime = event.timestamp;
  return {
    key: events[0].key,
    value: encodeData("StreamEventBatch", { events }),
    headers: {
      [HEADERS.events]: String(events.length),
      [HEADERS.firstTime]: String(events[0].timestamp),
      [HEADERS.maxTime]: String(maxTime),
    },
  };
}

/** The summary an input record's headers carry; undefined when they are missing or malformed. */
export function eventBatchSummary(
  record: Pick<EventBatchRecord, "headers">,
): EventBatchSummary | undefined {
  const events = integerHeader(record, HEADERS.events);
  const firstTime = integerHeader(record, HEADERS.firstTime);
  const maxTime = integerHeader(record, HEADERS.maxTime);
  if (events === undefined || firstTime === undefined || maxTime === undefined) return undefined;
  if (events < 1 || maxTime < firstTime) return undefined;
  return { events, firstTime, maxTime };
}

function integerHeader(
  record: Pick<EventBatchRecord, "headers">,
  name: string,
): number | undefined {
  const text = record.headers[name];
  if (text === undefined || !/^-?\d{1,16}$/.test(text)) return undefined;
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : undefined;
}
