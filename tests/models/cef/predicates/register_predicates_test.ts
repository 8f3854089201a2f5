import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";
import { registerTestOf } from "../../../../models/cef/predicates/register_predicates.ts";

/** The call of a one-condition pattern that declares register x first. */
function callOf(condition: string) {
  const parsed = parsePattern(`;(TruePredicate["x"],${condition})`);
  if (parsed.regex.kind !== "sequence") throw new Error("not a sequence");
  const second = parsed.regex.parts[1];
  if (second.kind !== "condition" || second.condition.kind !== "predicate") {
    throw new Error("not a predicate");
  }
  return second.condition.call;
}

const event = (type: string, speed?: number): StreamEvent => ({
  key: "",
  timestamp: 1000,
  type,
  attributes: speed === undefined ? {} : { speed },
});

Deno.test("register predicates compare an attribute with the stored event's", () => {
  const gt = registerTestOf(callOf(`GTAttr(speed,"x")`));
  assert.equal(gt.register, "x");
  assert.equal(gt.test(event("A", 5), event("A", 3)), true);
  assert.equal(gt.test(event("A", 3), event("A", 3)), false);
  assert.equal(gt.test(event("A", 5), undefined), false);
  assert.equal(gt.test(event("A"), event("A", 3)), false);
  const sameType = registerTestOf(callOf(`EQAttrStr(EventType,"x")`)).test;
  assert.equal(sameType(event("B"), event("B")), true);
  assert.equal(sameType(event("B"), event("C")), false);
});

Deno.test("only the register predicates read registers, with an attribute and a register", () => {
  assert.throws(() => registerTestOf(callOf(`EQStr(speed,"x")`)), {
    message: "line 1, column 22: EQStr cannot read a register; the register predicates are " +
      "EQAttr, GTAttr, LTAttr, EQAttrStr",
  });
  assert.throws(() => registerTestOf(callOf(`EQAttr("x",speed)`)), {
    message:
      'line 1, column 22: EQAttr expects an attribute and a register, e.g. EQAttr(speed,"x")',
  });
});
