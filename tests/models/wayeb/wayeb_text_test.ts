import assert from "node:assert/strict";
import { wayebDeclarations, wayebPattern } from "../../../models/wayeb/wayeb_text.ts";

Deno.test("a pattern in Wayeb's syntax: no comments, numbers with a dot, the order set", () => {
  const source = `// port entering
;(*(OutsideCirclePredicate(-4.4753,48.38273,5.0)),
  ^(GT(speed,0.0000001),-IsEventTypePredicate(RESET)),
  #(;(TruePredicate["x"],EQAttr(speed,"x")))) # suffixes follow
{order:0}{partitionBy:mmsi}{window:10}`;
  assert.equal(
    wayebPattern(source, 3),
    ";(*(OutsideCirclePredicate(-4.4753,48.38273,5.0)),^(GT(speed,0.0000001),-IsEventTypePredicate(RESET))," +
      '#(;(TruePredicate()["x"],EQAttr(speed,"x")))){order:3}{partitionBy:mmsi}{window:10}{windowType:count}\n',
  );
  assert.throws(() => wayebPattern("IsEventTypePredicate('B C')", 1), {
    message: "IsEventTypePredicate: Wayeb can only read a word as text: current value is 'B C'",
  });
});

Deno.test("declarations in Wayeb's syntax: groups separated by commas, comments dropped", () => {
  const source = `# rings
+(DistanceBetweenPredicate(-4.4753,48.38273,5.0,6.0), IsEventTypePredicate(RESET))
~(IsEventTypePredicate(A),IsEventTypePredicate(B)) // one type per event
~(GT(speed,1.0),LT(speed,1.0))`;
  assert.equal(
    wayebDeclarations(source),
    "+(DistanceBetweenPredicate(-4.4753,48.38273,5.0,6.0),IsEventTypePredicate(RESET)),\n" +
      "~(IsEventTypePredicate(A),IsEventTypePredicate(B)),\n~(GT(speed,1.0),LT(speed,1.0))\n",
  );
});
