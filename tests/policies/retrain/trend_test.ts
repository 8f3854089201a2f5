import assert from "node:assert/strict";
import { createRetrainPolicy } from "../../../config/build_policies.ts";
import { retrainSection } from "../../fixtures/config_sections.ts";
import { leastSquaresSlope, TrendPolicy } from "../../../policies/retrain/trend.ts";
import { decisions, detailed } from "./reports.ts";

const trend = () => createRetrainPolicy(retrainSection({ kind: "trend" }));

Deno.test("least-squares slope of evenly spaced scores", () => {
  assert.equal(leastSquaresSlope([1, 2, 3]), 1);
  assert.equal(leastSquaresSlope([0.5, 0.5, 0.5, 0.5]), 0);
  assert.ok(Math.abs(leastSquaresSlope([0.6, 0.4, 0.5]) - -0.05) < 1e-12);
  assert.throws(() => leastSquaresSlope([1]), /at least 2 values: current length is 1/);
});

Deno.test("a steady score asks for nothing", () => {
  assert.deepEqual(decisions(trend(), [0.6, 0.61, 0.59, 0.6, 0.6, 0.62, 0.6]), []);
});

Deno.test("a decline trains; a further decline inside the guard optimises; then train again", () => {
  const series = [
    0.7,
    0.65,
    0.6, // slope -0.05: train, window cleared, guard over the next 4 scored reports
    { swap: 1 },
    0.66,
    0.62,
    0.56, // 3rd report of the guard, slope -0.05: optimise, guard closed
    { swap: 2 },
    0.7,
    0.7,
    0.7,
    0.6, // slope -0.05 with the guard closed: train
  ];
  assert.deepEqual(decisions(trend(), series), [[2, "train"], [5, "optimise"], [9, "train"]]);
});

Deno.test("a decline after the guard ran out trains again", () => {
  const series = [0.7, 0.65, 0.6, { swap: 1 }, 0.6, 0.6, 0.6, 0.6, 0.5];
  assert.deepEqual(decisions(trend(), series), [[2, "train"], [7, "train"]]);
});

Deno.test("the line never spans a model swap", () => {
  assert.deepEqual(decisions(trend(), [0.7, 0.7, { swap: 1 }, 0.5, 0.5, 0.5]), []);
});

Deno.test("the window needs k reports after an instruction before it decides again", () => {
  // Without clearing, [0.6, 0.5, 0.4] would decline again at report 3 and 4.
  assert.deepEqual(decisions(trend(), [0.7, 0.65, 0.6, 0.5, 0.4]), [[2, "train"]]);
});

Deno.test("reports without resolved forecasts neither fill the window nor count for the guard", () => {
  assert.deepEqual(decisions(trend(), [0.7, null, 0.65, null, null, 0.6]), [[5, "train"]]);
  const series = [0.7, 0.65, 0.6, { swap: 1 }, null, null, null, null, null, 0.66, 0.62, 0.56];
  assert.deepEqual(decisions(trend(), series), [[2, "train"], [10, "optimise"]]);
});

Deno.test("a score below minScore optimises at once and resets the trend's guard", () => {
  const series = [0.6, 0.55, 0.1, { swap: 1 }, 0.6, 0.55, 0.5];
  const taken = detailed(trend(), series);
  assert.deepEqual(taken.map(([id, d]) => [id, d.action]), [[2, "optimise"], [5, "train"]]);
  assert.match(taken[0][1].reason, /batch MCC 0\.100 < minScore 0\.2/);
  assert.match(taken[1][1].reason, /slope -0\.050 of \(0\.600, 0\.550, 0\.500\) < -0\.025/);
});

Deno.test("parameters other than the defaults are honoured", () => {
  const policy = new TrendPolicy({ k: 4, slopeThreshold: -0.1, guard: 1 });
  // k = 4: [0.9, 0.8, 0.6, 0.5] has slope -0.14.
  const series = [0.9, 0.8, 0.6, 0.5, { swap: 1 }, 0.9, 0.8, 0.6, 0.5];
  assert.deepEqual(decisions(policy, series), [[3, "train"], [7, "train"]]);
});

Deno.test("reset forgets the window and the guard", () => {
  const policy = trend();
  assert.deepEqual(decisions(policy, [0.7, 0.65, 0.6]), [[2, "train"]]);
  policy.reset();
  assert.deepEqual(decisions(policy, [0.7, 0.65, 0.6]), [[2, "train"]]);
});
