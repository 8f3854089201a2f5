import assert from "node:assert/strict";
import { WaitingTimes } from "../../../../models/cef/forecast/waiting_time.ts";
import { learnMarkov } from "../../../../models/cef/markov/learn.ts";
import { learnPst } from "../../../../models/cef/pst/learn.ts";
import { PredictionSuffixTree } from "../../../../models/cef/pst/tree.ts";
import { A_DFA, AB_DFA, order2Sequences, simulateWaitingTimes } from "./fixtures.ts";

const PST_PARAMS = { order: 3, pMin: 0.001, gamma: 0.01, alpha: 0, r: 1.05 };

Deno.test("i.i.d. symbols give the geometric distribution", () => {
  // Root only, P(A) = 0.3; the pattern "A" matches on every A.
  const tree = new PredictionSuffixTree(2, 1, 0, [{ context: [], counts: [3, 7] }]);
  const waiting = new WaitingTimes(tree, A_DFA, { horizon: 40, cutoff: 0 });
  const distribution = waiting.distribution(0, 0);
  distribution.forEach((p, i) => {
    assert.ok(Math.abs(p - 0.3 * 0.7 ** i) < 1e-12, `n = ${i + 1}: ${p}`);
  });
});

Deno.test("distributions agree with a Monte-Carlo simulation of the learned PST", () => {
  const tree = learnPst(order2Sequences(21, 2, 15_000), 3, PST_PARAMS);
  assert.ok(tree.contextCount > 4, "the tree has contexts beyond the root");
  const horizon = 25;
  const runs = 20_000;
  const waiting = new WaitingTimes(tree, AB_DFA, { horizon, cutoff: 0 });
  const starts = [
    { context: tree.start, state: 0 },
    { context: tree.contextOf(1, [0, 1]), state: 1 },
    { context: tree.contextOf(2, [1, 0, 2]), state: 2 },
  ];
  starts.forEach((from, i) => {
    const exact = waiting.distribution(from.context, from.state);
    const simulated = simulateWaitingTimes(tree, AB_DFA, from, horizon, runs, 100 + i);
    // Each simulated share has standard error sqrt(p (1 - p) / runs); allow 4.5 of them.
    exact.forEach((p, n) => {
      const tolerance = 4.5 * Math.sqrt((p * (1 - p)) / runs) + 1e-3;
      assert.ok(
        Math.abs(p - simulated[n]) <= tolerance,
        `start ${i}, n = ${n + 1}: computed ${p}, simulated ${simulated[n]}`,
      );
    });
  });
});

Deno.test("distributions agree with a Monte-Carlo simulation of a full-order Markov model", () => {
  const chain = learnMarkov(AB_DFA, order2Sequences(4, 1, 20_000), 2);
  const horizon = 20;
  const runs = 20_000;
  const exact = new WaitingTimes(chain, AB_DFA, { horizon, cutoff: 0 }).distribution(
    chain.contextOf(1, [0, 2]),
    1,
  );
  const simulated = simulateWaitingTimes(
    chain,
    AB_DFA,
    { context: chain.contextOf(1, [0, 2]), state: 1 },
    horizon,
    runs,
    7,
  );
  exact.forEach((p, n) => {
    assert.ok(Math.abs(p - simulated[n]) <= 4.5 * Math.sqrt((p * (1 - p)) / runs) + 1e-3);
  });
});

Deno.test("a cutoff only removes probability, and distributions never sum above 1", () => {
  const tree = learnPst(order2Sequences(8, 1, 10_000), 3, PST_PARAMS);
  const exact = new WaitingTimes(tree, AB_DFA, { horizon: 60, cutoff: 0 });
  const cut = new WaitingTimes(tree, AB_DFA, { horizon: 60, cutoff: 0.01 });
  let removed = 0;
  for (let context = 0; context < tree.contextCount; context++) {
    for (let state = 0; state < AB_DFA.stateCount; state++) {
      const full = exact.distribution(context, state);
      const pruned = cut.distribution(context, state);
      const sum = (d: Float64Array) => d.reduce((a, b) => a + b, 0);
      assert.ok(sum(full) <= 1 + 1e-12);
      assert.ok(sum(full) > 0.99, "a match within 60 events is near certain");
      pruned.forEach((p, n) => assert.ok(p <= full[n] + 1e-15));
      removed += sum(full) - sum(pruned);
    }
  }
  assert.ok(removed > 0, "the cutoff dropped some paths");
});

Deno.test("repeated calls give the same distribution (scratch space is cleared)", () => {
  const tree = learnPst(order2Sequences(8, 1, 5_000), 3, PST_PARAMS);
  const waiting = new WaitingTimes(tree, AB_DFA, { horizon: 30 });
  const first = waiting.distribution(1, 1);
  waiting.distribution(2, 0);
  assert.deepEqual(waiting.distribution(1, 1), first);
});

Deno.test("bad options and pairs are rejected", () => {
  const tree = new PredictionSuffixTree(2, 1, 0, [{ context: [], counts: [3, 7] }]);
  assert.throws(
    () => new WaitingTimes(tree, A_DFA, { horizon: 0 }),
    /horizon must be a positive integer/,
  );
  assert.throws(
    () => new WaitingTimes(tree, A_DFA, { horizon: 5, cutoff: 1 }),
    /cutoff must be in \[0, 1\)/,
  );
  assert.throws(() => new WaitingTimes(tree, AB_DFA, { horizon: 5 }), /share their symbols/);
  const waiting = new WaitingTimes(tree, A_DFA, { horizon: 5 });
  assert.throws(() => waiting.distribution(1, 0), /context must be an integer in \[0, 1\)/);
  assert.throws(() => waiting.distribution(0, 2), /state must be an integer in \[0, 2\)/);
});

Deno.test("unmerged paths: the exact distribution without a cutoff, less mass with one", () => {
  const tree = learnPst(order2Sequences(21, 2, 5_000), 3, PST_PARAMS);
  const horizon = 12;
  const from = { context: tree.contextOf(1, [0, 1]), state: 1 };
  const merged = new WaitingTimes(tree, AB_DFA, { horizon, cutoff: 0 });
  const unmerged = new WaitingTimes(tree, AB_DFA, { horizon, cutoff: 0, unmerged: true });
  const exact = merged.distribution(from.context, from.state);
  unmerged.distribution(from.context, from.state).forEach((p, n) => {
    assert.ok(Math.abs(p - exact[n]) < 1e-12, `n = ${n + 1}: ${p} vs ${exact[n]}`);
  });
  // Each path is cut on its own, so no more mass survives than when paths are merged first.
  const cut = new WaitingTimes(tree, AB_DFA, { horizon, cutoff: 0.01, unmerged: true })
    .distribution(from.context, from.state);
  const mergedCut = new WaitingTimes(tree, AB_DFA, { horizon, cutoff: 0.01 })
    .distribution(from.context, from.state);
  const sum = (d: Float64Array) => d.reduce((a, b) => a + b, 0);
  assert.ok(sum(cut) <= sum(mergedCut) + 1e-12 && sum(cut) < sum(exact));
});
