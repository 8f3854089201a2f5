import assert from "node:assert/strict";
import type { StreamEvent } from "../../../core/events.ts";
import { decodeDataset, encodeDataset } from "../../../actors/factory/dataset_file.ts";

/** Events with multi-byte text, about 100 bytes a line. */
function events(count: number): StreamEvent[] {
  return Array.from({ length: count }, (_, i) => ({
    key: `vessel-${i % 7}`,
    timestamp: 1_443_677_401_000 + i * 60_000,
    type: i % 5 === 0 ? "RESET" : "",
    attributes: { lon: -4.4753 + i * 1e-6, lat: 48.38273, port: "Brest–Île d’Ouessant" },
  }));
}

Deno.test("a dataset of many chunks round-trips, multi-byte text included", () => {
  // More than one chunk of events to encode and of bytes to decode (1 MiB).
  const dataset = events(15_000);
  const bytes = encodeDataset(dataset);
  assert.ok(bytes.length > 1 << 20, `${bytes.length} bytes span more than one decoded chunk`);
  assert.deepEqual(decodeDataset(bytes), dataset);
});

Deno.test("the encoded form is one JSON line per event", () => {
  const dataset = events(3);
  const lines = new TextDecoder().decode(encodeDataset(dataset)).split("\n");
  assert.deepEqual(lines, [...dataset.map((event) => JSON.stringify(event)), ""]);
});

Deno.test("a line longer than a decoded chunk is decoded whole", () => {
  const long: StreamEvent = {
    key: "k",
    timestamp: 0,
    type: "",
    attributes: { note: "é".repeat(700_000) },
  };
  const dataset = [...events(2), long, ...events(2)];
  assert.deepEqual(decodeDataset(encodeDataset(dataset)), dataset);
});

Deno.test("no events encode to no bytes, and back", () => {
  assert.equal(encodeDataset([]).length, 0);
  assert.deepEqual(decodeDataset(new Uint8Array()), []);
});

Deno.test("a last line without its line end and blank lines are read as written", () => {
  const [first, second] = events(2);
  const text = `${JSON.stringify(first)}\n\n${JSON.stringify(second)}`;
  assert.deepEqual(decodeDataset(new TextEncoder().encode(text)), [first, second]);
});
