import assert from "node:assert/strict";
import { CompositePolicy } from "../../../policies/retrain/composite.ts";
import { DifferencePolicy } from "../../../policies/retrain/difference.ts";
import { TrendPolicy } from "../../../policies/retrain/trend.ts";
import { decisions, detailed } from "./reports.ts";

const DIFFERENCE = { trainDrop: 0.025, optimiseDrop: 0.1 };
const TREND = { k: 3, slopeThreshold: -0.025, guard: 4 };

const both = () =>
  new CompositePolicy([
    new DifferencePolicy(DIFFERENCE),
    new TrendPolicy(TREND),
  ]);

Deno.test("between equal actions the first member's decision wins", () => {
  // Report 2: the difference policy sees a drop of 0.05, the trend policy a slope of -0.05.
  const taken = detailed(both(), [0.7, 0.65, 0.6]);
  assert.equal(taken.length, 1);
  assert.equal(taken[0][1].action, "train");
  assert.match(taken[0][1].reason, /dropped/);
});

Deno.test("optimise beats train whatever the order", () => {
  // Report 2: difference sees a drop of 0.15 (optimise), trend a slope of -0.1 (train).
  const taken = detailed(
    new CompositePolicy([
      new TrendPolicy(TREND),
      new DifferencePolicy(DIFFERENCE),
    ]),
    [0.7, 0.7, 0.55],
  );
  assert.deepEqual(taken.map(([id, d]) => [id, d.action]), [[2, "optimise"]]);
  assert.match(taken[0][1].reason, /dropped 0\.150/);
});

Deno.test("a member that did not ask for the issued action is reset", () => {
  // Report 1: the difference policy trains (drop 0.05); the trend policy, whose window holds
  // [0.75, 0.7], is reset, so reports 2..3 cannot complete a declining line with 0.75 in it.
  const series = [0.75, 0.7, 0.68, 0.66];
  assert.deepEqual(decisions(both(), series), [[1, "train"]]);
  const trendAlone = new TrendPolicy(TREND);
  assert.deepEqual(decisions(trendAlone, series), [[2, "train"]]);
});

Deno.test("a composite needs members", () => {
  assert.throws(() => new CompositePolicy([]), /members must not be empty/);
});
