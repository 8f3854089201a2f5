import assert from "node:assert/strict";
import type { StreamEvent } from "../../../../core/events.ts";
import { determinize } from "../../../../models/cef/automaton/determinize.ts";
import { minimise } from "../../../../models/cef/automaton/minimise.ts";
import { buildPatternNfa } from "../../../../models/cef/compile.ts";
import { parsePattern } from "../../../../models/cef/pattern/parser.ts";
import { NfaRuns } from "../../../../models/cef/recognition/nfa_runs.ts";

/** Runs per start of `pattern` (its window included). */
function runsOf(pattern: string): NfaRuns {
  const parsed = parsePattern(pattern);
  const { alphabet, nfa, body } = buildPatternNfa(parsed);
  const dfa = minimise(determinize(nfa, body.start, body.end, alphabet.symbolCount, {
    window: null,
    loopState: null,
    restartOnMatch: false,
    maxStates: 1000,
  }));
  return new NfaRuns(alphabet, dfa, parsed.window);
}

/** Events `A@1 B@2 ...` (type at seconds). */
function events(spec: string): StreamEvent[] {
  return spec.split(" ").map((item) => {
    const [type, seconds] = item.split("@");
    return { key: "", timestamp: Number(seconds) * 1000, type, attributes: {} };
  });
}

const A_STAR_B = ";(IsEventTypePredicate(A),*(IsEventTypePredicate(C)),IsEventTypePredicate(B))";

Deno.test("every start is its own run; a run goes on after it matched", () => {
  const runs = runsOf(";(IsEventTypePredicate(A),*(IsEventTypePredicate(B)))");
  assert.deepEqual(events("A@1 A@2 B@3 B@4 C@5").map((e) => runs.step(e, "")), [1, 1, 1, 1, 0]);
});

Deno.test("a count window of N keeps matches of at most N events, first and last included", () => {
  const runs = runsOf(`${A_STAR_B}{window:3}`);
  assert.deepEqual(events("A@1 C@2 B@3 A@4 C@5 C@6 B@7").map((e) => runs.step(e, "")), [
    0,
    0,
    1,
    0,
    0,
    0,
    0,
  ]);
});

Deno.test("a time window of N seconds keeps last - first < N", () => {
  const runs = runsOf(`${A_STAR_B}{window:5}{windowType:time}`);
  assert.deepEqual(events("A@1 B@5 A@10 B@15").map((e) => runs.step(e, "")), [0, 1, 0, 0]);
});

Deno.test("partitions run apart and a reset drops only its own runs", () => {
  const runs = runsOf(A_STAR_B);
  const [a, b] = events("A@1 B@2");
  runs.step(a, "x");
  runs.step(a, "y");
  runs.reset("x");
  assert.equal(runs.step(b, "x"), 0);
  assert.equal(runs.step(b, "y"), 1);
});
