/**
 * The assembled dataset as stored in the artifact store: JSON lines of stream events, one per
 * line, in stream-time order.
 *
 * @module
 */

import type { StreamEvent } from "../../protocol/messages.ts";

/** Serialises events as JSON lines. */
export function encodeDataset(events: readonly StreamEvent[]): Uint8Array {
  let text = "";
  for (const event of events) text += JSON.stringify(event) + "\n";
  return new TextEncoder().encode(text);
}

/** Parses JSON lines written by `encodeDataset`. */
export function decodeDataset(bytes: Uint8Array): StreamEvent[] {
  const text = new TextDecoder().decode(bytes);
  const events: StreamEvent[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    if (end > start) events.push(JSON.parse(text.slice(start, end)) as StreamEvent);
    start = end + 1;
  }
  return events;
}
