import assert from "node:assert/strict";
import { compilePattern, disambiguate } from "../../../../models/cef/compile.ts";
import { seededRandom } from "../../../fixtures/seeded_random.ts";

const PATTERN = ";(IsEventTypePredicate(A),*(IsEventTypePredicate(B)),IsEventTypePredicate(C))";
const DECLARATIONS = "~(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C))";

Deno.test("every disambiguated state knows the last m symbols and refines the original state", () => {
  const { dfa } = compilePattern(PATTERN, { declarations: DECLARATIONS });
  const rnd = seededRandom(11);
  for (const order of [1, 2, 3]) {
    const refined = disambiguate(dfa, order);
    assert.equal(refined.order, order);
    assert.ok(refined.stateCount > dfa.stateCount);
    const k = dfa.symbolCount;
    let original = dfa.start;
    let state = refined.start;
    const seen: number[] = [];
    for (let t = 0; t < 3000; t++) {
      const symbol = Math.floor(rnd() * k);
      seen.unshift(symbol);
      original = dfa.delta[original * k + symbol];
      state = refined.delta[state * k + symbol];
      assert.deepEqual(refined.histories[state], seen.slice(0, order));
      assert.equal(refined.origin[state], original);
      assert.equal(refined.accepting[state], dfa.accepting[original]);
    }
    // Histories are unique per state: no two states share (origin, history).
    const keys = new Set(refined.histories.map((h, s) => `${refined.origin[s]}|${h.join(",")}`));
    assert.equal(keys.size, refined.stateCount);
  }
});

Deno.test("order 0 keeps the automaton; bad orders are rejected", () => {
  const { dfa } = compilePattern(PATTERN, { declarations: DECLARATIONS });
  const same = disambiguate(dfa, 0);
  assert.equal(same.stateCount, dfa.stateCount);
  assert.deepEqual([...same.delta], [...dfa.delta]);
  assert.throws(
    () => disambiguate(dfa, 11),
    /order must be an integer in \[0, 10\]: current value is 11/,
  );
  assert.throws(() => disambiguate(dfa, 1.5), /current value is 1.5/);
  assert.throws(() => disambiguate(dfa, 3, 10), /more than maxStates states: current value is 10/);
});
