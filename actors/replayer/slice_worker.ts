/**
 * Worker module producing the replayer's slices (`slices.ts`) off the roles' thread. It answers
 * `start` with slices as long as it has credit: each `more` from the replayer is worth one more,
 * so it reads ahead a few slices at most. Record values travel packed into one transferred buffer
 * per slice.
 *
 * @module
 */

/// <reference lib="deno.worker" />

import { replaySlices, type Slice, type SliceOptions } from "./slices.ts";
import type { PackedSlice, SliceRequest, SliceResponse } from "./slice_reader.ts";

let credit = 0;
let wake: (() => void) | null = null;

self.onmessage = (message: MessageEvent<SliceRequest>) => {
  const request = message.data;
  if (request.kind === "more") {
    credit++;
    wake?.();
    return;
  }
  credit += request.credit;
  produce(request.options).then(
    () => post({ kind: "end" }),
    (error) =>
      post({ kind: "error", message: error instanceof Error ? error.message : `${error}` }),
  );
};

async function produce(options: SliceOptions): Promise<void> {
  for await (const slice of replaySlices(options)) {
    while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
    wake = null;
    credit--;
    const packed = pack(slice);
    self.postMessage({ kind: "slice", slice: packed } satisfies SliceResponse, [packed.bytes]);
  }
}

/** The slice with its record values copied into one buffer, which is transferred, not cloned. */
function pack(slice: Slice): PackedSlice {
  const lengths = slice.records.map((record) => record.value.length);
  const bytes = new Uint8Array(lengths.reduce((sum, length) => sum + length, 0));
  let offset = 0;
  for (const record of slice.records) {
    bytes.set(record.value, offset);
    offset += record.value.length;
  }
  return {
    rejected: slice.rejected,
    keys: slice.records.map((record) => record.key),
    headers: slice.records.map((record) => record.headers ?? {}),
    lengths,
    bytes: bytes.buffer,
    events: slice.events,
    lastTime: slice.lastTime,
    total: slice.total,
  };
}

function post(response: SliceResponse): void {
  self.postMessage(response);
}
