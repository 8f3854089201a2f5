/**
 * Parses a declarations file: `+(p,q,...)` lists extra predicates that refine the alphabet,
 * `~(p,q,...)` lists a group of mutually exclusive predicates. Any number of both, in any order,
 * separated by commas as in Wayeb (`+(A,B),~(C,D)`). Two Retune extensions: groups may also be
 * separated by whitespace alone, and comments (`#` or `//` to the end of the line) are allowed.
 * A trailing comma is refused.
 *
 * @module
 */

import type { Declarations, PredicateCall } from "./ast.ts";
import { TokenCursor } from "./cursor.ts";
import { tokenize } from "./lexer.ts";
import { PatternError } from "./pattern_error.ts";
import { readPredicateCall } from "./parser.ts";

/** Parses declarations text; throws `PatternError` pointing at the problem. */
export function parseDeclarations(source: string): Declarations {
  const cursor = new TokenCursor(tokenize(source));
  const extras: PredicateCall[] = [];
  const exclusive: PredicateCall[][] = [];
  while (cursor.peek().kind !== "end") {
    if ((extras.length > 0 || exclusive.length > 0) && cursor.accept(",")) {
      if (cursor.peek().kind === "end") cursor.fail(["'+('", "'~('"]);
    }
    const at = cursor.peek();
    if (cursor.accept("+")) {
      extras.push(...readCalls(cursor));
    } else if (cursor.accept("~")) {
      const group = readCalls(cursor);
      if (group.length < 2) {
        throw new PatternError(at, "an exclusive group ~(...) needs at least two predicates");
      }
      exclusive.push(group);
    } else {
      cursor.fail(["'+('", "'~('", "end of input"]);
    }
  }
  return { extras, exclusive };
}

function readCalls(cursor: TokenCursor): PredicateCall[] {
  cursor.expect("(");
  const calls: PredicateCall[] = [];
  do calls.push(readPredicateCall(cursor)); while (cursor.accept(","));
  if (!cursor.accept(")")) cursor.fail(["','", "')'"]);
  return calls;
}
