import assert from "node:assert/strict";
import type { CompileOptions } from "../../../../models/cef/compile.ts";
import { StreamRecognizer } from "../../../../models/cef/recognition/stream_recognizer.ts";
import { parseWayebStream } from "../../../../models/sources/wayeb_stream.ts";

/** Rows where the dsfa completes a match over `A,1 B,2 ...`-style streams. */
function completions(pattern: string, stream: string, compat?: CompileOptions["compat"]): number[] {
  const recognizer = new StreamRecognizer(pattern, { compat });
  const rows: number[] = [];
  parseWayebStream(stream.split(" ").join("\n"), "csv").forEach((row, i) => {
    if (row.kind === "event" && recognizer.step(row.event) > 0) rows.push(i);
  });
  return rows;
}

const NEG = ";(IsEventTypePredicate(A),!(IsEventTypePredicate(B)),IsEventTypePredicate(C))";

Deno.test("a complement in a sequence means what it says; Wayeb's reuse of its dead state on demand", () => {
  // A B C: B is exactly what !(B) excludes, so Retune does not match; Wayeb does.
  assert.deepEqual(completions(NEG, "A,1 B,2 C,3 A,4 C,5"), [4]);
  assert.deepEqual(completions(NEG, "A,1 B,2 C,3 A,4 C,5", "wayeb"), [2, 4]);
  // Last in the sequence, the complement has no follower: the same either way.
  const last = ";(IsEventTypePredicate(A),!(IsEventTypePredicate(B)))";
  assert.deepEqual(completions(last, "A,1 B,2", "wayeb"), completions(last, "A,1 B,2"));
});

Deno.test("the empty sequence and EpsilonPredicate (false under Wayeb compatibility)", () => {
  const epsilon = ";(IsEventTypePredicate(A),EpsilonPredicate(),IsEventTypePredicate(B))";
  assert.deepEqual(completions(epsilon, "A,1 X,2 B,3", "wayeb"), []);
  assert.throws(() => completions(epsilon, "A,1"), {
    message: /unknown predicate 'EpsilonPredicate'/,
  });
  assert.deepEqual(completions("#(*(IsEventTypePredicate(A)))", "B,1 A,2"), [0, 1]);
});
