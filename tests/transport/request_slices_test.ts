import assert from "node:assert/strict";
import { MAX_REQUEST_BYTES, requestSlices } from "../../transport/request_slices.ts";
import type { TopicRecords } from "../../transport/transport.ts";

const ofSize = (bytes: number, key: string | null = null) => ({
  key,
  value: new Uint8Array(bytes),
});

Deno.test("request slices stay under the bound and keep every record in order", () => {
  const outputs: TopicRecords[] = [
    { topic: "a", records: Array.from({ length: 2_600 }, () => ofSize(1_024)) },
    { topic: "b", records: Array.from({ length: 10 }, () => ofSize(100_000)) },
  ];
  const slices = requestSlices(outputs);
  assert.ok(slices.length > 1);
  for (const slice of slices) {
    const bytes = slice.flatMap((s) => s.records).reduce((sum, r) => sum + r.value.byteLength, 0);
    assert.ok(bytes <= MAX_REQUEST_BYTES, `${bytes} bytes`);
  }
  // Put back together, topic by topic, they are the outputs.
  for (const { topic, records } of outputs) {
    const back = slices.flat().filter((s) => s.topic === topic).flatMap((s) => s.records);
    assert.equal(back.length, records.length, topic);
    assert.ok(back.every((record, i) => record === records[i]), topic);
  }
});

Deno.test("request slices: a small publish is one slice, as it was", () => {
  const records = [ofSize(10, "k"), ofSize(10, "k")];
  const slices = requestSlices([{ topic: "t", records }, { topic: "u", records: [] }]);
  assert.equal(slices.length, 1);
  assert.deepEqual(slices[0], [{ topic: "t", records }]);
});

Deno.test("request slices: a record over the bound goes alone; keys and headers count", () => {
  const big = ofSize(2_000);
  const alone = requestSlices([{ topic: "t", records: [ofSize(10), big, ofSize(10)] }], 1_000);
  assert.deepEqual(alone.map((slice) => slice[0].records.length), [1, 1, 1]);
  assert.equal(alone[1][0].records[0], big);
  const headed = { ...ofSize(10), headers: { h: "x".repeat(300) } };
  const byHeaders = requestSlices([{ topic: "t", records: [ofSize(500), headed] }], 1_000);
  assert.equal(byHeaders.length, 2);
  const byKey = requestSlices(
    [{ topic: "t", records: [ofSize(500), ofSize(10, "k".repeat(200))] }],
    1_000,
  );
  assert.equal(byKey.length, 2);
});

Deno.test("request slices: a bad bound is rejected, naming it", () => {
  assert.throws(() => requestSlices([], 0), {
    name: "RangeError",
    message: "maxBytes must be a positive integer: current value is 0",
  });
});
