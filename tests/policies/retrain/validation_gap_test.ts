import assert from "node:assert/strict";
import { createRetrainPolicy } from "../../../config/build_policies.ts";
import { parseConfig } from "../../../config/load.ts";
import { ValidationGapPolicy } from "../../../policies/retrain/validation_gap.ts";
import type { RetrainPolicy } from "../../../policies/retrain/retrain_policy.ts";
import { report } from "./reports.ts";

/** The yaml package reads these two variables (debug switches) while parsing. */
const permissions = { env: ["LOG_TOKENS", "LOG_STREAM"] };

/** The observer's policy as the default configuration builds it (trend, minScore, validation gap). */
function defaultObserverPolicy(): RetrainPolicy {
  const text = "model: { pattern: p.pattern, source: { domain: maritime } }\n";
  const { observer } = parseConfig(text, "/retune/test.yaml", { env: {} });
  return createRetrainPolicy(observer.policy, observer.validationGap);
}

/** Feeds batch MCCs from one model version with validation MCC `validation`; the decisions. */
function feed(policy: RetrainPolicy, scores: number[], validation: number | null, version = 0) {
  return scores.map((mcc, i) => policy.observe(report(i, mcc, version, validation)));
}

Deno.test({
  name:
    "an observer fed a steady batch MCC of 0.40 from a model validated at 0.98 asks for a retrain, saying why",
  permissions,
  fn() {
    const decisions = feed(defaultObserverPolicy(), [0.4, 0.4, 0.4, 0.4], 0.98);
    assert.deepEqual(decisions.slice(0, 2), [null, null]);
    assert.equal(decisions[2]?.action, "train");
    assert.match(
      decisions[2]!.reason,
      /batch MCC stayed more than 0\.25 below model v0's validation MCC 0\.980: \(0\.400, 0\.400, 0\.400\)/,
    );
    assert.equal(decisions[3], null, "the streak starts afresh after the decision");
  },
});

Deno.test("without the validation-gap rule, the same steady score sets nothing off", () => {
  const text = "model: { pattern: p.pattern, source: { domain: maritime } }\n" +
    "observer: { validationGap: { margin: null } }\n";
  const { observer } = parseConfig(text, "/retune/test.yaml", { env: {} });
  const policy = createRetrainPolicy(observer.policy, observer.validationGap);
  assert.deepEqual(feed(policy, Array(8).fill(0.4), 0.98), Array(8).fill(null));
});

Deno.test("a gap that persists after the retrain, within the guard, asks for an optimisation", () => {
  const policy = new ValidationGapPolicy({
    margin: 0.2,
    reports: 2,
    optimisedReports: 2,
    guard: 4,
  });
  assert.deepEqual(feed(policy, [0.3, 0.3], 0.9).map((d) => d?.action ?? null), [null, "train"]);
  const after = feed(policy, [0.3, 0.3], 0.85, 1);
  assert.equal(after[1]?.action, "optimise");
  assert.match(after[1]!.reason, /again within the guard of 4 reports after a retrain/);
});

Deno.test("a model an optimisation made that stays below its validation MCC asks for an optimisation at once", () => {
  const policy = new ValidationGapPolicy({
    margin: 0.25,
    reports: 3,
    optimisedReports: 3,
    guard: 4,
  });
  const optimised = (i: number, mcc: number) => ({
    ...report(i, mcc, 2, 0.59),
    creationMethod: "optimise" as const,
  });
  const decisions = [0.21, 0.2, 0.21].map((mcc, i) => policy.observe(optimised(i, mcc)));
  assert.deepEqual(decisions.map((d) => d?.action ?? null), [null, null, "optimise"]);
  assert.match(
    decisions[2]!.reason,
    /below model v2's validation MCC 0\.590, a model an optimisation made: \(0\.210, 0\.200, 0\.210\)/,
  );
});

Deno.test({
  name:
    "by default a model an optimisation made asks for an optimisation on its first report with a gap, a retrained one only after three",
  permissions,
  fn() {
    const policy = defaultObserverPolicy();
    const optimised = { ...report(0, 0.21, 3, 0.59), creationMethod: "optimise" as const };
    const decision = policy.observe(optimised);
    assert.equal(decision?.action, "optimise");
    assert.match(decision!.reason, /a model an optimisation made: \(0\.210\)/);
    const fresh = defaultObserverPolicy();
    const retrained = { ...report(0, 0.21, 4, 0.59), creationMethod: "retrain" as const };
    assert.deepEqual(
      [0, 1, 2].map((i) => fresh.observe({ ...retrained, reportId: i })?.action ?? null),
      [null, null, "train"],
    );
  },
});

Deno.test("a score within the margin, an unscored report or an unknown validation score breaks no rule", () => {
  const policy = new ValidationGapPolicy({
    margin: 0.2,
    reports: 2,
    optimisedReports: 2,
    guard: 0,
  });
  assert.deepEqual(feed(policy, [0.75, 0.75, 0.75], 0.9), [null, null, null]);
  assert.deepEqual(feed(policy, [0.1, 0.1, 0.1], null), [null, null, null]);
  assert.equal(policy.observe(report(0, 0.1, 0, 0.9)), null);
  assert.equal(policy.observe(report(1, null, 0, 0.9)), null, "no forecast resolved: no evidence");
  assert.equal(policy.observe(report(2, 0.8, 0, 0.9)), null, "back within the margin");
  assert.equal(policy.observe(report(3, 0.1, 0, 0.9)), null, "the streak started again");
  assert.equal(policy.observe(report(4, 0.1, 0, 0.9))?.action, "train");
});

Deno.test("a streak never spans a model swap", () => {
  const policy = new ValidationGapPolicy({
    margin: 0.2,
    reports: 2,
    optimisedReports: 2,
    guard: 0,
  });
  assert.equal(policy.observe(report(0, 0.1, 0, 0.9)), null);
  assert.equal(policy.observe(report(1, 0.1, 1, 0.9)), null);
  assert.equal(policy.observe(report(2, 0.1, 1, 0.9))?.action, "train");
});

Deno.test("bad parameters and states are rejected naming them", () => {
  assert.throws(
    () => new ValidationGapPolicy({ margin: 0, reports: 2, optimisedReports: 2, guard: 0 }),
    /validation_gap policy: margin must be a number in \(0, 2\]: current value is 0/,
  );
  assert.throws(
    () => new ValidationGapPolicy({ margin: 0.2, reports: 0, optimisedReports: 0, guard: 0 }),
    /validation_gap policy: reports must be an integer >= 1: current value is 0/,
  );
  assert.throws(
    () => new ValidationGapPolicy({ margin: 0.2, reports: 2, optimisedReports: 0, guard: 0 }),
    /validation_gap policy: optimisedReports must be an integer >= 1: current value is 0/,
  );
  const policy = new ValidationGapPolicy({
    margin: 0.2,
    reports: 2,
    optimisedReports: 2,
    guard: 0,
  });
  policy.observe(report(0, 0.1, 0, 0.9));
  const state = policy.snapshot();
  const other = new ValidationGapPolicy({ margin: 0.2, reports: 2, optimisedReports: 2, guard: 0 });
  other.restore(state);
  assert.equal(other.observe(report(1, 0.1, 0, 0.9))?.action, "train");
  assert.throws(
    () => other.restore({ ...(state as object), streak: [0.1, 0.1] }),
    /validation_gap policy state rejected: streak: holds 2 scores/,
  );
});
