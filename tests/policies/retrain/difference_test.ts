import assert from "node:assert/strict";
import { createRetrainPolicy } from "../../../config/build_policies.ts";
import { retrainSection } from "../../fixtures/config_sections.ts";
import { DifferencePolicy } from "../../../policies/retrain/difference.ts";
import { decisions, detailed } from "./reports.ts";

const difference = () => createRetrainPolicy(retrainSection({ kind: "difference" }));

Deno.test("drops between consecutive reports train or optimise by size", () => {
  const series = [
    0.6,
    0.58, // drop 0.02: nothing
    0.5, // drop 0.08: train, reference dropped
    0.45, // first report after the instruction: becomes the reference
    0.3, // drop 0.15: optimise
    0.3,
    { swap: 1 },
    0.5, // new model: new reference
    0.55,
    0.4, // drop 0.15: optimise
  ];
  assert.deepEqual(decisions(difference(), series), [[2, "train"], [4, "optimise"], [
    8,
    "optimise",
  ]]);
});

Deno.test("a drop of exactly trainDrop asks for nothing and exactly optimiseDrop trains", () => {
  // Dyadic values so the drops are exact.
  const policy = new DifferencePolicy({ trainDrop: 0.0625, optimiseDrop: 0.125 });
  const series = [0.5, 0.4375, 0.375, 0.25, 0.25, 0.09375];
  const taken = detailed(policy, series);
  assert.deepEqual(taken.map(([id, d]) => [id, d.action]), [[3, "train"], [5, "optimise"]]);
  assert.match(taken[0][1].reason, /dropped 0\.125 \(0\.375 -> 0\.250\), in \(0\.0625, 0\.125\]/);
  assert.match(taken[1][1].reason, /dropped 0\.156 \(0\.250 -> 0\.094\), > 0\.125/);
});

Deno.test("a drop across a model swap is no drop", () => {
  assert.deepEqual(decisions(difference(), [0.7, { swap: 1 }, 0.5, 0.5]), []);
});

Deno.test("reports without resolved forecasts are skipped, keeping the reference", () => {
  assert.deepEqual(decisions(difference(), [0.7, null, 0.5]), [[2, "optimise"]]);
});

Deno.test("the minimum-score rule comes with it", () => {
  assert.deepEqual(decisions(difference(), [0.25, 0.19]), [[1, "optimise"]]);
});

Deno.test("reset forgets the reference", () => {
  const policy = difference();
  assert.deepEqual(decisions(policy, [0.7]), []);
  policy.reset();
  assert.deepEqual(decisions(policy, [0.5]), []);
});
