/**
 * An input batch split by fleet model: each model's events in their order, as a record at the
 * batch's place that decodes to them; a model taking every event gets the record itself.
 */

import assert from "node:assert/strict";
import { InputSplit } from "../../../actors/fleet/input_split.ts";
import { decodeData, DecodeError, encodeData } from "../../../protocol/codec.ts";
import type { StreamEvent } from "../../../core/events.ts";
import type { ConsumedRecord } from "../../../transport/transport.ts";

function event(key: string, timestamp: number): StreamEvent {
  return { key, timestamp, type: "A", attributes: {} };
}

function record(events: StreamEvent[]): ConsumedRecord {
  return {
    topic: "input",
    partition: 2,
    offset: 7,
    key: null,
    value: encodeData("StreamEventBatch", { events }),
    headers: {},
    timestamp: 1,
  };
}

Deno.test("each model gets its events at the batch's place; overlapping selectors both do", () => {
  const split = new InputSplit([
    { name: "north", select: (key) => key === "n" },
    { name: "all_s", select: (key) => key.startsWith("s") },
    { name: "south", select: (key) => key === "s1" },
    { name: "none", select: () => false },
  ]);
  const events = [event("n", 1), event("s1", 2), event("s2", 3), event("n", 4), event("x", 5)];
  const whole = record(events);
  const parts = split.parts(whole);
  assert.deepEqual([...parts.keys()].sort(), ["all_s", "north", "south"]);
  const eventsOf = (model: string) =>
    decodeData("StreamEventBatch", parts.get(model)!.value).events;
  assert.deepEqual(eventsOf("north"), [events[0], events[3]]);
  assert.deepEqual(eventsOf("all_s"), [events[1], events[2]]);
  assert.deepEqual(eventsOf("south"), [events[1]]);
  for (const part of parts.values()) {
    assert.deepEqual({ ...part, value: null }, { ...whole, value: null }, "the batch's place");
  }
  assert.deepEqual(split.modelsOf("s1"), ["all_s", "south"]);
});

Deno.test("a model taking every event gets the record itself; bad input is refused", () => {
  const split = new InputSplit([{ name: "a", select: () => true }, {
    name: "b",
    select: () => false,
  }]);
  const whole = record([event("k", 1), event("j", 2)]);
  assert.equal(split.parts(whole).get("a"), whole);
  assert.throws(() => split.parts({ ...whole, value: new Uint8Array([255, 1]) }), DecodeError);
  assert.throws(() => new InputSplit([]), /models of an input split must not be empty/);
  assert.throws(
    () => new InputSplit([{ name: "a", select: () => true }, { name: "a", select: () => true }]),
    /distinct names: current value is a, a/,
  );
});
