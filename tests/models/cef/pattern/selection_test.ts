import assert from "node:assert/strict";
import type { Regex } from "../../../../models/cef/pattern/ast.ts";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";
import { expandSelections } from "../../../../models/cef/pattern/selection.ts";

/** A compact spelling of a regex: conditions by predicate name, TRUE for TruePredicate. */
function show(regex: Regex): string {
  switch (regex.kind) {
    case "condition":
      return regex.condition.kind === "predicate"
        ? regex.condition.call.name.replace("TruePredicate", "TRUE")
        : "?";
    case "empty":
      return "ε";
    case "sequence":
      return `;(${regex.parts.map(show).join(",")})`;
    case "choice":
      return `+(${regex.parts.map(show).join(",")})`;
    case "star":
      return `*(${show(regex.body)})`;
    case "complement":
      return `!(${show(regex.body)})`;
    default:
      return `${regex.kind}(${show(regex.body)})`;
  }
}

const expand = (source: string) => show(expandSelections(parsePattern(source).regex));

Deno.test("skip-till-any lets any events come between the parts of its operand", () => {
  assert.equal(expand("#(;(A,B,C))"), ";(A,*(TRUE),B,*(TRUE),C)");
  assert.equal(expand("#(*(A))"), "+(ε,;(A,*(;(*(TRUE),A))))");
  // Deeper sub-expressions stay strict; a choice is unaffected.
  assert.equal(expand("#(;(A,;(B,C)))"), ";(A,*(TRUE),;(B,C))");
  assert.equal(expand("#(+(A,B))"), "+(A,B)");
});

Deno.test("skip-till-next makes each part the first occurrence after the previous one", () => {
  assert.equal(expand("@(;(A,B))"), ";(A,!(;(*(TRUE),B,*(TRUE))),B)");
  assert.equal(expand(";(C,@(;(A,B)))"), ";(C,;(A,!(;(*(TRUE),B,*(TRUE))),B))");
});
