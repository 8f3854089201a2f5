import assert from "node:assert/strict";
import { disambiguate } from "../../../../models/cef/compile.ts";
import { FullOrderMarkovChain } from "../../../../models/cef/markov/chain.ts";
import { countTransitions, learnMarkov } from "../../../../models/cef/markov/learn.ts";
import { AB_DFA, order2Next, order2Sequences } from "../forecast/fixtures.ts";

Deno.test("transition counts follow the DFA from its start in each partition", () => {
  // ;(A,B): states 0 start, 1 after A, 2 matched. A B C A A -> 0 -A-> 1 -B-> 2 -C-> 0 -A-> 1 -A-> 1.
  const counts = countTransitions(AB_DFA, [Int32Array.from([0, 1, 2, 0, 0]), Int32Array.from([1])]);
  assert.deepEqual(Array.from(counts), [2, 1, 0, 1, 1, 0, 0, 0, 1]);
  assert.throws(() => countTransitions(AB_DFA, [Int32Array.from([3])]), /current value is 3/);
});

Deno.test("maximum-likelihood rows sum to 1; states never seen are uniform", () => {
  const chain = learnMarkov(AB_DFA, [Int32Array.from([0, 1, 2, 0, 0, 2, 2])], 1);
  assert.equal(chain.order, 1);
  const k = 3;
  let unseen = 0;
  for (let state = 0; state < chain.contextCount; state++) {
    const row = Array.from(chain.probability.subarray(state * k, state * k + k));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-12);
    const seen = Array.from(chain.counts.subarray(state * k, state * k + k));
    const total = seen.reduce((a, b) => a + b, 0);
    if (total === 0) {
      unseen++;
      assert.deepEqual(row, [1 / 3, 1 / 3, 1 / 3]);
    } else assert.deepEqual(row, seen.map((c) => c / total));
  }
});

Deno.test("on an order-2 source, order-2 rows estimate the source's probabilities", () => {
  const chain = learnMarkov(AB_DFA, order2Sequences(5, 2, 50_000), 2);
  let checked = 0;
  for (let state = 0; state < chain.contextCount; state++) {
    const history = chain.dfa.histories[state];
    if (history.length < 2) continue;
    const expected = order2Next(history[0], history[1]);
    for (let x = 0; x < 3; x++) {
      const p = chain.probability[state * 3 + x];
      assert.ok(Math.abs(p - expected[x]) < 0.03, `state ${state} symbol ${x}: ${p}`);
    }
    checked++;
  }
  assert.ok(checked >= 9);
});

Deno.test("stored rows rebuild the same chain; a row of no state is rejected", () => {
  const chain = learnMarkov(AB_DFA, order2Sequences(9, 1, 2_000), 2);
  const copy = FullOrderMarkovChain.fromRows(disambiguate(AB_DFA, 2), chain.rows());
  assert.deepEqual(copy.probability, chain.probability);
  assert.throws(
    () =>
      FullOrderMarkovChain.fromRows(disambiguate(AB_DFA, 2), [
        { origin: 2, history: [2, 2], counts: [1, 0, 0] },
      ]),
    /row \(state 2, history \[2,2\]\) is not a state of the order-2 automaton/,
  );
});

Deno.test("a run's state is found from its DFA state and history, even a truncated one", () => {
  const chain = learnMarkov(AB_DFA, order2Sequences(9, 1, 2_000), 2);
  const { dfa } = chain;
  // After ... C A the DFA is in state 1 (after an A).
  const exact = chain.contextOf(1, [0, 2, 1]);
  assert.equal(dfa.origin[exact], 1);
  assert.deepEqual(dfa.histories[exact], [0, 2]);
  // A run carried over from an order-1 model knows only its last symbol.
  const truncated = chain.contextOf(1, [0]);
  assert.equal(dfa.origin[truncated], 1);
  assert.equal(dfa.histories[truncated][0], 0);
  assert.throws(() => chain.contextOf(7, []), /state must be a reachable DFA state/);
});
