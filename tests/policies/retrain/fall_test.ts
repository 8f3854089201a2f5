import assert from "node:assert/strict";
import { FallPolicy } from "../../../policies/retrain/fall.ts";
import type { Decision, RetrainPolicy } from "../../../policies/retrain/retrain_policy.ts";
import type { MetricsReport } from "../../../core/metrics_report.ts";
import { report } from "./reports.ts";

/** An inner policy that asks for what `asks` holds for each report id, and nothing else. */
function scripted(asks: Record<number, Decision["action"]>): RetrainPolicy & { resets: number } {
  return {
    resets: 0,
    observe: (r: MetricsReport) => {
      const action = asks[r.reportId];
      return action === undefined ? null : { action, reason: `inner ${action}` };
    },
    reset() {
      this.resets++;
    },
    snapshot: () => ({}),
    restore: () => {},
  };
}

/** The decisions over batch MCCs, one report each (`[mcc, modelVersion]`). */
function feed(policy: RetrainPolicy, series: [number, number][]): (Decision | null)[] {
  return series.map(([mcc, version], i) => policy.observe(report(i, mcc, version)));
}

Deno.test("a retrain asked at a fall more than the margin below the level becomes an optimisation dated from the fall", () => {
  const policy = new FallPolicy(scripted({ 3: "train" }), { margin: 0.25, reports: 2 });
  const decisions = feed(policy, [[0.77, 0], [0.72, 0], [0.72, 0], [0.42, 0]]);
  assert.deepEqual(decisions.slice(0, 3), [null, null, null]);
  assert.deepEqual(decisions[3], {
    action: "optimise",
    reason:
      "batch MCC 0.420 fell more than 0.25 below the level 0.720 the score held (inner train)",
    since: 3_000,
  });
});

Deno.test("decisions on the fall's later reports are dated from its first; a retrain of the same model stays one", () => {
  const policy = new FallPolicy(scripted({ 2: "optimise", 3: "train", 4: "optimise" }), {
    margin: 0.25,
    reports: 2,
  });
  const decisions = feed(policy, [[0.8, 0], [0.4, 0], [0.1, 0], [0.3, 1], [0.2, 1]]);
  assert.equal(decisions[1], null, "a fall no rule decided on asks for nothing of its own");
  assert.deepEqual(decisions[2], { action: "optimise", reason: "inner optimise", since: 1_000 });
  assert.deepEqual(decisions[3], {
    action: "optimise",
    reason:
      "batch MCC 0.300 fell more than 0.25 below the level 0.800 the score held (inner train)",
    since: 1_000,
  });
  assert.deepEqual(decisions[4], { action: "optimise", reason: "inner optimise", since: 1_000 });
  const again = new FallPolicy(scripted({ 1: "train", 2: "train" }), { margin: 0.25, reports: 2 });
  const twice = feed(again, [[0.8, 0], [0.4, 0], [0.4, 0]]);
  assert.equal(twice[1]?.action, "optimise");
  assert.deepEqual(twice[2], { action: "train", reason: "inner train", since: 1_000 });
});

Deno.test("a decision on a dip within the margin keeps the level and is not dated; a recovery ends the fall", () => {
  const policy = new FallPolicy(scripted({ 2: "train", 5: "optimise" }), {
    margin: 0.25,
    reports: 2,
  });
  const decisions = feed(policy, [
    [0.85, 0],
    [0.86, 0],
    [0.76, 0], // a retrain on noise: the level stays 0.86
    [0.58, 1], // 0.28 below it: a fall, though only 0.18 below the report before
    [0.84, 2], // recovered: the level is 0.84
    [0.5, 2],
  ]);
  assert.deepEqual(decisions[2], { action: "train", reason: "inner train" });
  assert.equal(decisions[3], null, "a fall no rule decided on");
  assert.deepEqual(decisions[5], { action: "optimise", reason: "inner optimise", since: 5_000 });
  // Undecided, the same dip is the level: 0.58 is then no fall.
  const undecided = new FallPolicy(scripted({ 3: "train" }), { margin: 0.25, reports: 2 });
  const after = feed(undecided, [[0.85, 0], [0.86, 0], [0.76, 0], [0.58, 1]]);
  assert.deepEqual(after[3], { action: "train", reason: "inner train" });
});

Deno.test("a report with no forecast resolved changes nothing; reset resets the inner policy and the level", () => {
  const inner = scripted({ 2: "train" });
  const policy = new FallPolicy(inner, { margin: 0.25, reports: 2 });
  assert.equal(policy.observe(report(0, 0.8, 0)), null);
  assert.equal(policy.observe(report(1, null, 0)), null);
  assert.equal(policy.observe(report(2, 0.4, 0))?.action, "optimise");
  policy.reset();
  assert.equal(inner.resets, 1);
  assert.deepEqual(policy.snapshot(), {
    inner: {},
    level: null,
    since: null,
    fallen: [],
    askedFor: null,
  });
});

Deno.test("its state survives a snapshot; bad parameters and states are rejected naming them", () => {
  const policy = new FallPolicy(scripted({ 2: "train" }), { margin: 0.25, reports: 2 });
  feed(policy, [[0.8, 0], [0.4, 0]]);
  const other = new FallPolicy(scripted({ 2: "train" }), { margin: 0.25, reports: 2 });
  other.restore(JSON.parse(JSON.stringify(policy.snapshot())));
  assert.deepEqual(other.observe(report(2, 0.4, 0)), {
    action: "optimise",
    reason:
      "batch MCC 0.400 fell more than 0.25 below the level 0.800 the score held (inner train)",
    since: 1_000,
  });
  assert.throws(
    () => new FallPolicy(scripted({}), { margin: 0.25, reports: 0 }),
    /fall policy: reports must be an integer >= 1: current value is 0/,
  );
  assert.throws(
    () => new FallPolicy(scripted({}), { margin: 0, reports: 2 }),
    /fall policy: margin must be a number in \(0, 2\]: current value is 0/,
  );
  assert.throws(
    () => other.restore({ inner: {}, level: "high", since: null, fallen: [], askedFor: null }),
    /fall policy state rejected: level/,
  );
});

Deno.test("a fall no rule decides on asks for an optimisation after `reports` reports, once per model version", () => {
  const policy = new FallPolicy(scripted({ 1: "optimise" }), { margin: 0.25, reports: 2 });
  // The optimisation's model stays at 0.24, where no other rule looks (flat, above minScore).
  const decisions = feed(policy, [[0.78, 0], [0.45, 0], [0.24, 1], [0.23, 1], [0.24, 2]]);
  assert.deepEqual(decisions[1], { action: "optimise", reason: "inner optimise", since: 1_000 });
  assert.deepEqual(decisions[2], {
    action: "optimise",
    reason:
      "batch MCC stayed more than 0.25 below the level 0.780 the score held for 2 reports: (0.450, 0.240)",
    since: 1_000,
  });
  assert.equal(decisions[3], null, "asked already for this model version");
  assert.equal(decisions[4]?.action, "optimise", "the next model is judged again");
  const once = new FallPolicy(scripted({}), { margin: 0.25, reports: 2 });
  assert.deepEqual(feed(once, [[0.8, 0], [0.5, 1], [0.8, 1], [0.5, 1]]), [null, null, null, null]);
});
