/**
 * Expands Wayeb's selection strategies into plain regular expressions, as Wayeb compiles them:
 * - skip-till-any `#(;(R1,...,Rn))` is `R1 · *(TRUE) · R2 · ... · *(TRUE) · Rn`, and `#(*(R))`
 *   is empty or `R · *(*(TRUE) · R)`: any events may come between the parts;
 * - skip-till-next `@(;(R1,...,Rn))` puts `!(*(TRUE) · Ri · *(TRUE))` before each later part, so
 *   each part is the first occurrence after the previous one (`@(*(R))` likewise between
 *   repetitions).
 * Only the top level of the operand is affected; deeper sub-expressions stay strict, and a
 * strategy over a choice, complement or condition changes nothing.
 *
 * @module
 */

import type { Position, Regex } from "./ast.ts";

/** `regex` with every `#(...)` and `@(...)` expanded. */
export function expandSelections(regex: Regex): Regex {
  switch (regex.kind) {
    case "condition":
    case "empty":
      return regex;
    case "sequence":
    case "choice":
      return { kind: regex.kind, parts: regex.parts.map(expandSelections) };
    case "star":
    case "complement":
      return { kind: regex.kind, body: expandSelections(regex.body) };
    case "skipTillAny":
      return relax(expandSelections(regex.body), () => trueStar());
    case "skipTillNext":
      return relax(expandSelections(regex.body), (next) => ({
        kind: "complement",
        body: { kind: "sequence", parts: [trueStar(), next, trueStar()] },
      }));
  }
}

/** Puts `gap(next)` before every part of a sequence or repetition after the first. */
function relax(body: Regex, gap: (next: Regex) => Regex): Regex {
  if (body.kind === "sequence") {
    const parts = body.parts.flatMap((part, i) => i === 0 ? [part] : [gap(part), part]);
    return { kind: "sequence", parts };
  }
  if (body.kind === "star") {
    const again: Regex = { kind: "sequence", parts: [gap(body.body), body.body] };
    return {
      kind: "choice",
      parts: [{ kind: "empty" }, {
        kind: "sequence",
        parts: [body.body, { kind: "star", body: again }],
      }],
    };
  }
  return body;
}

const NOWHERE: Position = { line: 0, column: 0 };

function trueStar(): Regex {
  return {
    kind: "star",
    body: {
      kind: "condition",
      condition: { kind: "predicate", call: { name: "TruePredicate", args: [], ...NOWHERE } },
    },
  };
}
