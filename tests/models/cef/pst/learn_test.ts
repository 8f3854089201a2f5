import assert from "node:assert/strict";
import { learnPst } from "../../../../models/cef/pst/learn.ts";
import { PST_DEFAULTS } from "../../../../models/cef/pst/params.ts";
import { order2Sequences } from "../forecast/fixtures.ts";

const PARAMS = { order: 4, pMin: 0.001, gamma: 0.001, ...PST_DEFAULTS };

function nodesByDepth(tree: ReturnType<typeof learnPst>): number[] {
  const byDepth = [0, 0, 0, 0, 0];
  for (const node of tree.nodes) byDepth[node.context.length]++;
  return byDepth;
}

Deno.test("on an order-2 source the tree holds exactly the order-2 contexts and their suffixes", () => {
  const data = order2Sequences(7, 4, 150_000);
  // A depth-4 context occurs ~7,400 times here, so each of its 243 ratio tests carries ~1.6%
  // sampling noise: r = 1.2 separates the true ratios (1.5 and 0.75) from that noise, while the
  // default 1.05 would admit a few deeper contexts that only fit the noise.
  assert.deepEqual(nodesByDepth(learnPst(data, 3, { ...PARAMS, r: 1.2 })), [1, 3, 9, 0, 0]);
  const byDefault = nodesByDepth(learnPst(data, 3, PARAMS));
  assert.deepEqual(byDefault.slice(0, 3), [1, 3, 9]);
});

Deno.test("a cycle 0 1 2 0 1 2 ... is learnt as order 1: each symbol fixes the next", () => {
  const cycle = [Int32Array.from({ length: 3_000 }, (_, i) => i % 3)];
  const tree = learnPst(cycle, 3, PARAMS);
  assert.deepEqual(nodesByDepth(tree), [1, 3, 0, 0, 0]);
  const after0 = tree.contextOf(0, [0]);
  assert.ok(tree.probability[after0 * 3 + 1] > 0.99);
  const unreachable = learnPst(cycle, 3, { ...PARAMS, r: 1e9 });
  assert.deepEqual(unreachable.nodes.map((n) => n.context), [[]], "no ratio reaches r");
});

Deno.test("contexts rarer than pMin are not grown", () => {
  const tree = learnPst(order2Sequences(7, 1, 20_000), 3, { ...PARAMS, pMin: 0.5 });
  assert.deepEqual(tree.nodes.map((n) => n.context), [[]]);
});

Deno.test("hyper-parameters are checked, naming the value", () => {
  const data = order2Sequences(1, 1, 100);
  assert.throws(
    () => learnPst(data, 3, { ...PARAMS, gamma: 0.4 }),
    /gamma \* symbolCount must be at most 1 .*current value is 0.4 \* 3 = 1.2/,
  );
  assert.throws(() => learnPst(data, 3, { ...PARAMS, order: 0 }), /order must be an integer/);
  assert.throws(() => learnPst(data, 3, { ...PARAMS, order: 2.5 }), /current value is 2.5/);
  assert.throws(() => learnPst(data, 3, { ...PARAMS, pMin: -1 }), /pMin must be in \[0, 1\]/);
  assert.throws(() => learnPst(data, 3, { ...PARAMS, alpha: -1 }), /alpha must be/);
  assert.throws(() => learnPst(data, 3, { ...PARAMS, r: 0.5 }), /r must be a finite number >= 1/);
  assert.throws(() => learnPst([], 3, PARAMS), /at least one symbol/);
});
