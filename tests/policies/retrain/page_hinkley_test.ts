import assert from "node:assert/strict";
import { PageHinkleyPolicy } from "../../../policies/retrain/page_hinkley.ts";
import { createRetrainPolicy } from "../../../config/build_policies.ts";
import { retrainSection } from "../../fixtures/config_sections.ts";
import { decisions, detailed } from "./reports.ts";

const pageHinkley = () => createRetrainPolicy(retrainSection({ kind: "page_hinkley" }));

Deno.test("a level drop trains; another inside the guard optimises; then train again", () => {
  const series = [
    0.6,
    0.6,
    0.6,
    0.6,
    0.3, // mean 0.54, statistic 0.23 > 0.2: train
    { swap: 1 },
    0.6,
    0.6,
    0.6,
    0.3, // 4th report of the guard, statistic 0.215: optimise
    { swap: 2 },
    0.6,
    0.6,
    0.6,
    0.6,
    0.3, // guard closed: train
  ];
  assert.deepEqual(decisions(pageHinkley(), series), [[4, "train"], [8, "optimise"], [
    13,
    "train",
  ]]);
});

Deno.test("a steady slide is detected once the cumulative decline exceeds lambda", () => {
  // Sums 0.01, -0.005, -0.045, -0.11, -0.2: the statistic reaches 0.21 at report 4.
  const taken = detailed(pageHinkley(), [0.6, 0.55, 0.5, 0.45, 0.4, 0.35]);
  assert.deepEqual(taken.map(([id, d]) => [id, d.action]), [[4, "train"]]);
  assert.match(
    taken[0][1].reason,
    /statistic 0\.210 > lambda 0\.2 \(batch MCC 0\.400, mean 0\.500\)/,
  );
});

Deno.test("alpha below 1 forgets old deviations and detects the same slide later", () => {
  const policy = new PageHinkleyPolicy({ delta: 0.01, lambda: 0.2, alpha: 0.5, guard: 4 });
  const series = [0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25];
  assert.deepEqual(decisions(policy, series), [[6, "train"]]);
});

Deno.test("noise within delta and rises are no decrease", () => {
  const series = [0.5, 0.51, 0.5, 0.49, 0.5, 0.6, 0.7, 0.65, 0.7, 0.66];
  assert.deepEqual(decisions(pageHinkley(), series), []);
});

Deno.test("the detector restarts on a model swap and skips empty batches", () => {
  // Without the restart, 0.3 after 0.6s would be detected at report 4.
  assert.deepEqual(decisions(pageHinkley(), [0.6, 0.6, 0.6, 0.6, { swap: 1 }, 0.3, 0.3]), []);
  assert.deepEqual(decisions(pageHinkley(), [0.6, 0.6, null, 0.6, 0.6, null, 0.3]), [[6, "train"]]);
});
