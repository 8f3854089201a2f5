/**
 * The byte format of a stored bucket, shared by every store that keeps buckets as bytes (files,
 * objects): a sequence of blocks, one per append, each a 4-byte little-endian length, then that
 * many bytes of an Avro `StreamEventBatch` (the input topic's own record format, so an input record
 * that fills a bucket unchanged is stored as it came, without re-encoding).
 *
 * @module
 */

import { decodePayload, encodePayload } from "../protocol/codec.ts";
import type { StreamEvent } from "../core/events.ts";

const LENGTH_BYTES = 4;

/** The block of `events`: its length prefix and `encoded` when given, else the events encoded. */
export function frameBlock(events: readonly StreamEvent[], encoded?: Uint8Array): Uint8Array[] {
  // Encoding only reads the events.
  const block = encoded ?? encodePayload("StreamEventBatch", { events: events as StreamEvent[] });
  const length = new Uint8Array(LENGTH_BYTES);
  new DataView(length.buffer).setUint32(0, block.length, true);
  return [length, block];
}

/** `parts` joined into one array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

/**
 * The decoded blocks of bucket `id` from its bytes, arriving in chunks of any size. Bytes that end
 * inside a block (a write cut short by a crash) or a block that does not decode are an error
 * naming the bucket and the block's position, never events made of garbage.
 */
export async function* decodeBlocks(
  id: number,
  chunks: AsyncIterable<Uint8Array>,
): AsyncGenerator<StreamEvent[]> {
  let data: Uint8Array = new Uint8Array(0);
  let position = 0;
  for await (const chunk of chunks) {
    data = data.length === 0 ? chunk.slice() : concatBytes([data, chunk]);
    let offset = 0;
    while (data.length - offset >= LENGTH_BYTES) {
      const length = new DataView(data.buffer, data.byteOffset + offset).getUint32(0, true);
      const end = offset + LENGTH_BYTES + length;
      if (end > data.length) break;
      yield decodeBlock(id, position + offset, data.subarray(offset + LENGTH_BYTES, end));
      offset = end;
    }
    data = data.slice(offset);
    position += offset;
  }
  if (data.length > 0) {
    throw new Error(
      `bucket ${id} ends inside a block: ${data.length} bytes at byte ${position} are the ` +
        "start of a block whose write did not finish",
    );
  }
}

function decodeBlock(id: number, at: number, bytes: Uint8Array): StreamEvent[] {
  try {
    return decodePayload("StreamEventBatch", bytes).events;
  } catch (error) {
    throw new Error(
      `bucket ${id} holds a block at byte ${at} that does not decode: ${
        error instanceof Error ? error.message : error
      }`,
    );
  }
}
