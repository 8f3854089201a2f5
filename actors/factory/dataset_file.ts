/**
 * The assembled dataset as stored in the artifact store: JSON lines of stream events, one per
 * line, in stream-time order. Both directions work a chunk at a time: the text of a large dataset
 * (a few million events) is longer than the longest string V8 allows (2^29 - 24 characters).
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";

/** Events encoded per chunk. */
const CHUNK_EVENTS = 4096;
/** Bytes decoded per chunk, cut at a line end. */
const CHUNK_BYTES = 1 << 20;
const NEWLINE = 0x0a;

/** Serialises events as JSON lines. */
export function encodeDataset(events: readonly StreamEvent[]): Uint8Array {
  const encoder = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (let start = 0; start < events.length; start += CHUNK_EVENTS) {
    let text = "";
    const end = Math.min(start + CHUNK_EVENTS, events.length);
    for (let i = start; i < end; i++) text += JSON.stringify(events[i]) + "\n";
    chunks.push(encoder.encode(text));
  }
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** Parses JSON lines written by `encodeDataset`. */
export function decodeDataset(bytes: Uint8Array): StreamEvent[] {
  const decoder = new TextDecoder();
  const events: StreamEvent[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = chunkEnd(bytes, start);
    const text = decoder.decode(bytes.subarray(start, end));
    let line = 0;
    while (line < text.length) {
      let next = text.indexOf("\n", line);
      if (next === -1) next = text.length;
      if (next > line) events.push(JSON.parse(text.slice(line, next)) as StreamEvent);
      line = next + 1;
    }
    start = end;
  }
  return events;
}

/** Where the chunk from `start` ends: just after the last line end within CHUNK_BYTES of it. */
function chunkEnd(bytes: Uint8Array, start: number): number {
  const limit = start + CHUNK_BYTES;
  if (limit >= bytes.length) return bytes.length;
  const last = bytes.lastIndexOf(NEWLINE, limit - 1);
  if (last >= start) return last + 1;
  // One line longer than a chunk: decode it whole.
  const next = bytes.indexOf(NEWLINE, limit);
  return next === -1 ? bytes.length : next + 1;
}
