import assert from "node:assert/strict";
import { learnPst } from "../../../../models/cef/pst/learn.ts";
import { PredictionSuffixTree, type PstNode } from "../../../../models/cef/pst/tree.ts";
import { order2Sequences } from "../forecast/fixtures.ts";

const counts = (...c: number[]) => c;

/** An uneven tree over 3 symbols: contexts (most recent first) [], [0], [1], [0,1], [0,1,2], [1,1]. */
const NODES: PstNode[] = [
  { context: [], counts: counts(5, 3, 2) },
  { context: [0], counts: counts(1, 1, 0) },
  { context: [1], counts: counts(0, 4, 1) },
  { context: [0, 1], counts: counts(2, 0, 0) },
  { context: [0, 1, 2], counts: counts(0, 0, 9) },
  { context: [1, 1], counts: counts(3, 3, 3) },
];

Deno.test("smoothed next-symbol distributions sum to 1 and never fall below gamma", () => {
  const learned = learnPst(order2Sequences(11, 2, 20_000), 3, {
    order: 3,
    pMin: 0.001,
    gamma: 0.01,
    alpha: 0,
    r: 1.05,
  });
  for (const tree of [learned, new PredictionSuffixTree(3, 3, 0.2, NODES)]) {
    for (let node = 0; node < tree.contextCount; node++) {
      const row = tree.probability.subarray(node * 3, node * 3 + 3);
      const sum = row.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(sum - 1) < 1e-12, `node ${node} sums to ${sum}`);
      assert.ok(row.every((p) => p >= tree.gamma - 1e-15));
    }
  }
});

Deno.test("smoothing is p * (1 - K * gamma) + gamma", () => {
  const tree = new PredictionSuffixTree(3, 3, 0.1, NODES);
  const state = tree.contextOf(0, [1]);
  assert.deepEqual(tree.nodes[tree.nodeOfContext[state]].context, [1]);
  const expected = [0, 0.8, 0.2].map((p) => p * 0.7 + 0.1);
  for (let x = 0; x < 3; x++) {
    assert.ok(Math.abs(tree.probability[state * 3 + x] - expected[x]) < 1e-12);
  }
});

/** The deepest of NODES matching `history` (most recent first), found by brute force. */
function deepestNode(history: number[]): number[] {
  return NODES.map((n) => n.context)
    .filter((c) => c.every((s, i) => history[i] === s))
    .reduce((a, b) => (b.length > a.length ? b : a));
}

Deno.test("the automaton state of a history predicts with the deepest node matching it", () => {
  const tree = new PredictionSuffixTree(3, 3, 0, NODES);
  const nodeOf = (recent: number[]) =>
    tree.nodes[tree.nodeOfContext[tree.contextOf(0, recent)]].context;
  for (const history of [[], [2, 0], [0, 1, 2, 2], [0, 1, 0], [1, 0], [1, 1, 1], [1, 2]]) {
    assert.deepEqual(nodeOf(history), deepestNode(history), `history ${history}`);
  }
});

Deno.test("moving the automaton symbol by symbol tracks the deepest node of the whole history", () => {
  const tree = new PredictionSuffixTree(3, 3, 0, NODES);
  // Every history of up to 6 symbols, fed oldest first from the empty state.
  const histories: number[][] = [[]];
  for (let i = 0; i < histories.length; i++) {
    if (histories[i].length < 6) {
      for (let s = 0; s < 3; s++) histories.push([s, ...histories[i]]);
    }
  }
  for (const history of histories) {
    let state = tree.start;
    for (let i = history.length - 1; i >= 0; i--) state = tree.next[state * 3 + history[i]];
    assert.deepEqual(
      tree.nodes[tree.nodeOfContext[state]].context,
      deepestNode(history),
      `history ${history}`,
    );
  }
  // Nodes [0] and [0,1,2] force a state [1,2] that no node has.
  assert.ok(tree.contexts.some((c) => c.join() === "1,2"));
});

Deno.test("a tree that is not a suffix-closed set of contexts is rejected", () => {
  const make = (nodes: PstNode[]) => () => new PredictionSuffixTree(3, 3, 0, nodes);
  assert.throws(
    make(NODES.filter((n) => n.context.length !== 2 || n.context[1] !== 1)),
    /suffix \[0,1\] is missing/,
  );
  assert.throws(make(NODES.slice(1)), /no root/);
  assert.throws(make([...NODES, NODES[2]]), /node \[1\]: context appears twice/);
  assert.throws(
    make([...NODES, { context: [0, 1, 2, 0], counts: counts(1, 1, 1) }]),
    /length must be at most 3/,
  );
  assert.throws(
    make([...NODES, { context: [5], counts: counts(1, 1, 1) }]),
    /symbols must be integers in \[0, 3\)/,
  );
  assert.throws(
    make([...NODES, { context: [2], counts: counts(1, 1) }]),
    /counts must be 3 non-negative integers/,
  );
  assert.throws(make([...NODES, { context: [2], counts: counts(0, 0, 0) }]), /positive total/);
  assert.throws(() => new PredictionSuffixTree(3, 3, 0.5, NODES), /gamma must be in \[0, 1\/K\]/);
});
