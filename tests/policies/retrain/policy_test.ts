import assert from "node:assert/strict";
import { createRetrainPolicy, type RetrainPolicyConfig } from "../../../policies/retrain/policy.ts";
import type { RetrainPolicyConfig as ConfigFileSection } from "../../../config/schema.ts";
import { decisions } from "./reports.ts";

Deno.test("bad parameters are rejected up front, naming the policy, parameter and value", () => {
  const bad: [RetrainPolicyConfig, RegExp][] = [
    [{ kind: "trend", k: 1 }, /trend policy: k must be an integer >= 2: current value is 1/],
    [{ kind: "trend", k: 2.5 }, /k must be an integer >= 2: current value is 2\.5/],
    [
      { kind: "trend", slopeThreshold: 0.01 },
      /slopeThreshold must be a number in \(-Infinity, 0\): current value is 0\.01/,
    ],
    [{ kind: "trend", guard: -1 }, /guard must be an integer >= 0: current value is -1/],
    [
      { kind: "trend", minScore: 1.5 },
      /min_score policy: minScore must be a number in \[-1, 1\]: current value is 1\.5/,
    ],
    [
      { kind: "difference", trainDrop: 0 },
      /difference policy: trainDrop must be a number in \(0, 2\]: current value is 0/,
    ],
    [
      { kind: "difference", trainDrop: 0.2, optimiseDrop: 0.1 },
      /optimiseDrop must be a number in \(0\.2, 2\]: current value is 0\.1/,
    ],
    [
      { kind: "page_hinkley", delta: -0.1 },
      /page_hinkley policy: delta must be a number in \[0, 2\]: current value is -0\.1/,
    ],
    [
      { kind: "page_hinkley", lambda: 0 },
      /lambda must be a number in \(0, Infinity\): current value is 0/,
    ],
    [{ kind: "page_hinkley", alpha: 0 }, /alpha must be a number in \(0, 1\]: current value is 0/],
    [
      { kind: "page_hinkley", lambda: NaN },
      /lambda must be a number in \(0, Infinity\): current value is NaN/,
    ],
    [{ kind: "min_score", holdOff: 1.5 }, /holdOff must be an integer >= 0: current value is 1\.5/],
    [{ kind: "composite", policies: [] }, /composite policy: policies must not be empty/],
    [{ kind: "composite", policies: [{ kind: "trend", k: 0 }] }, /trend policy: k must be/],
    [
      { kind: "regression" } as unknown as RetrainPolicyConfig,
      /kind must be one of trend, difference, page_hinkley, min_score, composite: current value is regression/,
    ],
  ];
  for (const [config, message] of bad) {
    assert.throws(
      () => createRetrainPolicy(config),
      { name: "RangeError", message },
      JSON.stringify(config),
    );
  }
});

Deno.test("omitted parameters take the reference system's defaults", () => {
  // k 3, slope -0.025, guard 4, minScore 0.2.
  const defaults = createRetrainPolicy({ kind: "trend" });
  const spelled = createRetrainPolicy({
    kind: "trend",
    k: 3,
    slopeThreshold: -0.025,
    guard: 4,
    minScore: 0.2,
  });
  const series = [0.7, 0.68, 0.64, { swap: 1 }, 0.6, 0.55, 0.52, 0.3, 0.19];
  const expected = [[2, "train"], [5, "optimise"], [7, "optimise"]];
  assert.deepEqual(decisions(defaults, series), expected);
  assert.deepEqual(decisions(spelled, series), expected);
});

Deno.test("a validated configuration-file section is accepted as it is", () => {
  const section: ConfigFileSection = {
    kind: "difference",
    trainDrop: 0.025,
    optimiseDrop: 0.1,
    minScore: 0.2,
  };
  assert.deepEqual(decisions(createRetrainPolicy(section), [0.6, 0.5]), [[1, "train"]]);
});

Deno.test("a composite configuration combines its policies", () => {
  const policy = createRetrainPolicy({
    kind: "composite",
    policies: [{ kind: "page_hinkley", minScore: -1 }, { kind: "min_score", minScore: 0.25 }],
  });
  const series = [0.6, 0.6, 0.6, 0.6, 0.3, { swap: 1 }, 0.2];
  assert.deepEqual(decisions(policy, series), [[4, "train"], [5, "optimise"]]);
});
