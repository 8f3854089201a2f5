import assert from "node:assert/strict";
import { parseDeclarations } from "../../../../models/cef/pattern/declarations.ts";

Deno.test("extras and exclusive groups are read in any order, comments allowed", () => {
  const declarations = parseDeclarations(`
# rings
+(DistanceBetweenPredicate(-4.47530,48.38273,5.0,6.0), IsEventTypePredicate(RESET))
~(IsEventTypePredicate(A),IsEventTypePredicate(B)) // one type per event
+(GT(speed,1.0))
`);
  assert.deepEqual(
    declarations.extras.map((c) => [c.name, c.line, c.column]),
    [["DistanceBetweenPredicate", 3, 3], ["IsEventTypePredicate", 3, 56], ["GT", 5, 3]],
  );
  assert.deepEqual(declarations.exclusive.map((g) => g.map((c) => c.args[0].value)), [["A", "B"]]);
  assert.deepEqual(parseDeclarations("# nothing\n"), { extras: [], exclusive: [] });
});

Deno.test("declaration errors point at the problem", () => {
  assert.throws(() => parseDeclarations("+(GT(x,1.0))\n*(GT(x,1.0))"), {
    message: "line 2, column 1: expected '+(', '~(' or end of input but found '*'",
  });
  assert.throws(() => parseDeclarations("~(GT(x,1.0))"), {
    message: "line 1, column 1: an exclusive group ~(...) needs at least two predicates",
  });
  assert.throws(() => parseDeclarations("+(GT(x,1.0) LT(x,1.0))"), {
    message: "line 1, column 13: expected ',' or ')' but found 'LT'",
  });
  assert.throws(() => parseDeclarations("+(-GT(x,1.0))"), {
    message: "line 1, column 3: expected a predicate name but found '-'",
  });
});

Deno.test("groups are separated by commas as in Wayeb; a trailing comma is refused", () => {
  const declarations = parseDeclarations("~(A,B),\n~(C,D),\n+(C)");
  assert.deepEqual(declarations.exclusive.map((g) => g.map((c) => c.name)), [["A", "B"], [
    "C",
    "D",
  ]]);
  assert.deepEqual(declarations.extras.map((c) => c.name), ["C"]);
  assert.throws(() => parseDeclarations("~(A,B),\n"), {
    message: "line 2, column 1: expected '+(' or '~(' but found end of input",
  });
  assert.throws(() => parseDeclarations(",~(A,B)"), {
    message: "line 1, column 1: expected '+(', '~(' or end of input but found ','",
  });
});
