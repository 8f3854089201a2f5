import assert from "node:assert/strict";
import { parseWayebLine, parseWayebStream } from "../../../models/sources/wayeb_stream.ts";

Deno.test("generic CSV: the type verbatim, built-in attributes, extra columns ignored", () => {
  assert.deepEqual(parseWayebStream(" A,5,x,y\nB,7\n", "csv"), [
    {
      kind: "event",
      event: {
        key: "",
        timestamp: 5000,
        type: " A",
        attributes: { Id: 1, EventType: " A", Timestamp: 5 },
      },
    },
    {
      kind: "event",
      event: {
        key: "",
        timestamp: 7000,
        type: "B",
        attributes: { Id: 2, EventType: "B", Timestamp: 7 },
      },
    },
  ]);
});

Deno.test("a timestamp of -1 is a RESET: none of its attributes in CSV, only mmsi in maritime", () => {
  assert.deepEqual(parseWayebLine("A,-1", 3, "csv"), { kind: "reset", attributes: {} });
  assert.deepEqual(parseWayebLine("-1,227,,,,,,", 4, "maritime"), {
    kind: "reset",
    attributes: { mmsi: "227" },
  });
});

Deno.test("maritime rows: numbers and strings by column, type SampledCritical", () => {
  const row = parseWayebLine("100,227,-4.5,48.3,12.5,90,91,00000000,200", 2, "maritime");
  assert.deepEqual(row, {
    kind: "event",
    event: {
      key: "",
      timestamp: 100_000,
      type: "SampledCritical",
      attributes: {
        mmsi: "227",
        annotation: "00000000",
        lon: -4.5,
        lat: 48.3,
        speed: 12.5,
        heading: 90,
        cog: 91,
        Id: 2,
        EventType: "SampledCritical",
        Timestamp: 100,
      },
    },
  });
});

Deno.test("lines Wayeb cannot read are refused with their line number", () => {
  assert.throws(() => parseWayebStream("type,timestamp\nA,1", "csv"), {
    message: 'line 1: timestamp must be an integer: current value is "type,timestamp"',
  });
  assert.throws(() => parseWayebStream("A,1\n\nB,2", "csv"), {
    message: 'line 2: expected type,timestamp: current value is ""',
  });
  assert.throws(() => parseWayebLine("A,1.5", 1, "csv"), {
    message: 'line 1: timestamp must be an integer: current value is "A,1.5"',
  });
  assert.throws(() => parseWayebLine("1,227,x,48.3,1,2,3,a", 5, "maritime"), {
    message: 'line 5: lon must be a number: current value is "1,227,x,48.3,1,2,3,a"',
  });
});
