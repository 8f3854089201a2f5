/**
 * The replayer's side of `slice_worker.ts`: the worker's slices as an async iterable, read a few
 * slices ahead. Closing it (or leaving the loop early) terminates the worker.
 *
 * @module
 */

import type { RejectedLine } from "../../models/sources/read.ts";
import type { Slice, SliceOptions } from "./slices.ts";

/** What the replayer asks of the worker. */
export type SliceRequest =
  | { kind: "start"; options: SliceOptions; credit: number }
  | { kind: "more" };

/** A slice as it crosses to the replayer: record values packed into one buffer. */
export interface PackedSlice {
  rejected: RejectedLine[];
  keys: (string | null)[];
  headers: Record<string, string>[];
  /** Byte length of each record's value, in order, within `bytes`. */
  lengths: number[];
  bytes: ArrayBuffer;
  events: number;
  lastTime: number;
  total?: number;
}

/** What the worker answers. */
export type SliceResponse =
  | { kind: "slice"; slice: PackedSlice }
  | { kind: "end" }
  | { kind: "error"; message: string };

/** Reads the replay's slices from a worker. */
export async function* readSlices(options: SliceOptions): AsyncGenerator<Slice> {
  const worker = new Worker(new URL("./slice_worker.ts", import.meta.url).href, {
    type: "module",
  });
  const arrived: SliceResponse[] = [];
  let wake: (() => void) | null = null;
  const deliver = (response: SliceResponse) => {
    arrived.push(response);
    wake?.();
  };
  worker.onmessage = (message: MessageEvent<SliceResponse>) => deliver(message.data);
  worker.onerror = (event: ErrorEvent) => {
    event.preventDefault();
    deliver({ kind: "error", message: `replay worker failed: ${event.message}` });
  };
  try {
    worker.postMessage(
      { kind: "start", options, credit: options.readAhead } satisfies SliceRequest,
    );
    for (;;) {
      while (arrived.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      const response = arrived.shift()!;
      if (response.kind === "end") return;
      if (response.kind === "error") throw new Error(response.message);
      worker.postMessage({ kind: "more" } satisfies SliceRequest);
      yield unpack(response.slice);
    }
  } finally {
    worker.terminate();
  }
}

function unpack(packed: PackedSlice): Slice {
  let offset = 0;
  const records = packed.lengths.map((length, i) => {
    const value = new Uint8Array(packed.bytes, offset, length);
    offset += length;
    return { key: packed.keys[i], value, headers: packed.headers[i] };
  });
  return {
    rejected: packed.rejected,
    records,
    events: packed.events,
    lastTime: packed.lastTime,
    total: packed.total,
  };
}
