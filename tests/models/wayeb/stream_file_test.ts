import assert from "node:assert/strict";
import { streamFormatFor, wayebDomain, wayebStream } from "../../../models/wayeb/stream_file.ts";
import type { StreamEvent } from "../../../core/events.ts";

const position: StreamEvent = {
  key: "227592820",
  timestamp: 1443677401_000,
  type: "",
  attributes: {
    mmsi: "227592820",
    lon: -4.489492,
    lat: 48.357178,
    speed: 16.79,
    heading: 176.98,
    cog: 178.6,
    annotation: "00100000",
  },
};

Deno.test("maritime events are written as Wayeb's AIS CSV with epoch seconds", () => {
  assert.equal(
    wayebStream([position], "maritime"),
    "1443677401,227592820,-4.489492,48.357178,16.79,176.98,178.6,00100000\n",
  );
});

Deno.test("a maritime event missing a position attribute is rejected by name", () => {
  const { lat: _, ...noLat } = position.attributes;
  assert.throws(
    () => wayebStream([position, { ...position, attributes: noLat }], "maritime"),
    /event 1 .* numeric 'lat' .* current value is undefined/,
  );
});

Deno.test("typed events use Wayeb's generic CSV; others JSON lines with a timestamp", () => {
  const a: StreamEvent = { key: "", timestamp: 7, type: "A", attributes: {} };
  assert.equal(wayebStream([a, { ...a, type: "B", timestamp: 8 }], "typed_csv"), "A,7\nB,8\n");
  assert.throws(() => wayebStream([{ ...a, type: "" }], "typed_csv"), /needs a type/);
  const card: StreamEvent = {
    key: "c1",
    timestamp: 1000,
    type: "tx",
    attributes: { amount: 12.5 },
  };
  assert.equal(wayebStream([card], "json"), '{"amount":12.5,"timestamp":1000}\n');
  assert.equal(wayebStream([], "json"), "");
});

Deno.test("each source domain maps to a Wayeb format and domain option", () => {
  assert.deepEqual(
    (["maritime", "demo_abc", "csv", "jsonl"] as const).map((d) => wayebDomain(streamFormatFor(d))),
    ["maritime", "", "json", "json"],
  );
});
