import assert from "node:assert/strict";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";

Deno.test("registers are declared once and read only once declared", () => {
  const parsed = parsePattern(`;(TruePredicate["x"],LTAttr(speed,"x"),GT(speed,1.0)["y"])`);
  assert.equal(parsed.regex.kind, "sequence");
  assert.throws(() => parsePattern(`;(TruePredicate["x"],EQAttrStr(EventType,"y"))`), {
    message: 'line 1, column 22: EQAttrStr reads register "y", which the pattern never declares ' +
      '(declare it after a condition: Cond["y"])',
  });
  assert.throws(() => parsePattern(`;(A["x"],B["x"])`), {
    message: 'line 1, column 12: register "x" is already declared at line 1, column 5',
  });
  // A register may be read before the condition that declares it, as in Wayeb.
  assert.ok(parsePattern(`+(EQAttr(speed,"x"),TruePredicate["x"])`));
});
