import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import { buildPatternNfa, streamDfa } from "../../../../models/cef/compile.ts";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";
import { DfaRuns } from "../../../../models/cef/recognition/dfa_runs.ts";

const event = (type: string): StreamEvent => ({ key: "", timestamp: 0, type, attributes: {} });

function runsOf(restartOnMatch: boolean): DfaRuns {
  const pattern = buildPatternNfa(
    parsePattern(";(IsEventTypePredicate(A),IsEventTypePredicate(A))"),
  );
  const dfa = streamDfa(pattern, { window: null, restartOnMatch, maxStates: 1000 });
  return new DfaRuns(pattern.alphabet, dfa);
}

Deno.test("one state per partition, at most one match per event, reset to the start", () => {
  const overlap = runsOf(false);
  assert.deepEqual([..."AAAA"].map((t) => overlap.step(event(t), "p")), [0, 1, 1, 1]);
  const nonoverlap = runsOf(true);
  assert.deepEqual([..."AAAA"].map((t) => nonoverlap.step(event(t), "p")), [0, 1, 0, 1]);
  overlap.step(event("A"), "q");
  overlap.reset("q");
  assert.equal(overlap.step(event("A"), "q"), 0);
  assert.equal(overlap.step(event("A"), "p"), 1);
});
