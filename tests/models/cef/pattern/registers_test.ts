import assert from "node:assert/strict";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";
import { registersOf } from "../../../../models/cef/pattern/registers.ts";

Deno.test("registers are declared once and read only once declared", () => {
  const parsed = parsePattern(`;(TruePredicate["x"],LTAttr(speed,"x"),GT(speed,1.0)["y"])`);
  assert.deepEqual(registersOf(parsed.regex).map((r) => [r.name, r.column]), [["x", 17], [
    "y",
    54,
  ]]);
  assert.throws(() => parsePattern(`;(TruePredicate["x"],EQAttrStr(EventType,"y"))`), {
    message: 'line 1, column 22: EQAttrStr reads register "y", which the pattern never declares ' +
      '(declare it after a condition: Cond["y"])',
  });
  assert.throws(() => parsePattern(`;(A["x"],B["x"])`), {
    message: 'line 1, column 12: register "x" is already declared at line 1, column 5',
  });
});
