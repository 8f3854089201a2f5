import assert from "node:assert/strict";
import {
  mergeNeeds,
  needsCheck,
  unmetNeed,
} from "../../../../models/cef/predicates/attribute_need.ts";
import type { StreamEvent } from "../../../../core/events.ts";

function event(attributes: StreamEvent["attributes"]): StreamEvent {
  return { key: "k", timestamp: 0, type: "", attributes };
}

Deno.test("needs merge to one per attribute, and one attribute read as two types is refused", () => {
  assert.deepEqual(
    mergeNeeds([
      { name: "lon", type: "number" },
      { name: "flag", type: "string" },
      { name: "lon", type: "number" },
    ]),
    [{ name: "lon", type: "number" }, { name: "flag", type: "string" }],
  );
  assert.throws(
    () => mergeNeeds([{ name: "x", type: "number" }, { name: "x", type: "string" }]),
    /attribute 'x' is read both as a number and as a string/,
  );
});

Deno.test("an unmet need names the attribute, its type, the value found and what the event has", () => {
  const needs = [{ name: "speed", type: "number" }, { name: "flag", type: "string" }] as const;
  assert.equal(unmetNeed(event({ speed: 3, flag: "a" }), needs), undefined);
  assert.equal(
    unmetNeed(event({ lon: 1, flag: "a" }), needs),
    "event lacks the number attribute 'speed' the pattern reads: current value is undefined " +
      "(attributes: lon, flag)",
  );
  assert.equal(
    unmetNeed(event({ speed: "fast", flag: "a" }), needs),
    `event lacks the number attribute 'speed' the pattern reads: current value is "fast" ` +
      "(attributes: speed, flag)",
  );
  assert.match(unmetNeed(event({ speed: NaN, flag: "a" }), needs)!, /current value is null/);
  assert.match(unmetNeed(event({ speed: 1, flag: 2 }), needs)!, /string attribute 'flag'/);
  assert.match(unmetNeed(event({}), needs)!, /\(attributes: none\)$/);
  assert.equal(unmetNeed(event({}), []), undefined);
});

Deno.test("the hot-loop check agrees with the plain one on every case", () => {
  const needs = [{ name: "speed", type: "number" }, { name: "flag", type: "string" }] as const;
  const check = needsCheck(needs);
  const cases: StreamEvent["attributes"][] = [
    { speed: 3, flag: "a" },
    { lon: 1, flag: "a" },
    { speed: "fast", flag: "a" },
    { speed: NaN, flag: "a" },
    { speed: 1, flag: 2 },
    { speed: 0, flag: "" },
    {},
  ];
  for (const attributes of cases) {
    assert.equal(check(event(attributes)), unmetNeed(event(attributes), needs));
  }
  assert.equal(needsCheck([])(event({})), undefined);
});
