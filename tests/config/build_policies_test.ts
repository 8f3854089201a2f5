import assert from "node:assert/strict";
import {
  createCollectionPolicy,
  createObserverPolicy,
  createRetrainPolicy,
  createStrategy,
} from "../../config/build_policies.ts";
import { parseConfig } from "../../config/load.ts";
import type { CollectionPolicyConfig, RetrainPolicyConfig } from "../../config/schema.ts";
import { BayesianOptimiser } from "../../policies/search/bayesian_optimiser.ts";
import { RandomSearch } from "../../policies/search/random_search.ts";
import { RTCEF_SPACE } from "../../policies/search/space.ts";
import {
  collectionSection,
  optimiserSection,
  retrainSection,
} from "../fixtures/config_sections.ts";
import { buckets } from "../policies/collection/buckets.ts";
import { decisions } from "../policies/retrain/reports.ts";

/** The yaml package reads these two variables (debug switches) while parsing. */
const yamlEnv = ["LOG_TOKENS", "LOG_STREAM"];

/** The configuration `yaml` (beside a pattern and source) describes, validated. */
function configured(yaml: string) {
  const text = `model:\n  pattern: p.pattern\n  source: { domain: maritime }\n${yaml}`;
  return parseConfig(text, "/retune/test.yaml", { env: {} });
}

Deno.test("bad retrain parameters are rejected up front, naming the policy, parameter and value", () => {
  const bad: [RetrainPolicyConfig, RegExp][] = [
    [
      retrainSection({ kind: "trend", k: 1 }),
      /trend policy: k must be an integer >= 2: current value is 1/,
    ],
    [retrainSection({ kind: "trend", k: 2.5 }), /k must be an integer >= 2: current value is 2\.5/],
    [
      retrainSection({ kind: "trend", slopeThreshold: 0.01 }),
      /slopeThreshold must be a number in \(-Infinity, 0\): current value is 0\.01/,
    ],
    [
      retrainSection({ kind: "trend", guard: -1 }),
      /guard must be an integer >= 0: current value is -1/,
    ],
    [
      retrainSection({ kind: "trend", minScore: 1.5 }),
      /min_score policy: minScore must be a number in \[-1, 1\]: current value is 1\.5/,
    ],
    [
      retrainSection({ kind: "trend", minScoreHoldOff: 1.5 }),
      /min_score policy: holdOff must be an integer >= 0: current value is 1\.5/,
    ],
    [
      retrainSection({ kind: "difference", trainDrop: 0 }),
      /difference policy: trainDrop must be a number in \(0, 2\]: current value is 0/,
    ],
    [
      retrainSection({ kind: "difference", trainDrop: 0.2, optimiseDrop: 0.1 }),
      /optimiseDrop must be a number in \(0\.2, 2\]: current value is 0\.1/,
    ],
    [
      retrainSection({ kind: "page_hinkley", delta: -0.1 }),
      /page_hinkley policy: delta must be a number in \[0, 2\]: current value is -0\.1/,
    ],
    [
      retrainSection({ kind: "page_hinkley", lambda: 0 }),
      /lambda must be a number in \(0, Infinity\): current value is 0/,
    ],
    [
      retrainSection({ kind: "page_hinkley", alpha: 0 }),
      /alpha must be a number in \(0, 1\]: current value is 0/,
    ],
    [
      retrainSection({ kind: "page_hinkley", lambda: NaN }),
      /lambda must be a number in \(0, Infinity\): current value is NaN/,
    ],
    [
      { kind: "regression" } as unknown as RetrainPolicyConfig,
      /kind must be one of trend, difference, page_hinkley: current value is regression/,
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

Deno.test({
  name: "the default retrain policy is the reference system's trend with the minimum-score rule",
  permissions: { env: yamlEnv },
  fn() {
    // k 3, slope -0.025, guard 4, minScore 0.2.
    const defaults = createRetrainPolicy(configured("").observer.policy);
    const spelled = createRetrainPolicy(
      configured(`observer:
  policy: { kind: trend, k: 3, slopeThreshold: -0.025, guard: 4, minScore: 0.2 }
`).observer.policy,
    );
    const series = [0.7, 0.68, 0.64, { swap: 1 }, 0.6, 0.55, 0.52, 0.3, 0.19];
    const expected = [[2, "train"], [5, "optimise"], [7, "optimise"]];
    assert.deepEqual(decisions(defaults, series), expected);
    assert.deepEqual(decisions(spelled, series), expected);
  },
});

Deno.test({
  name:
    "by default the observer optimises rather than retrains at a fall of more than 0.25 below the level; fall.margin null turns that off",
  permissions: { env: yamlEnv },
  fn() {
    // The trend's first decline (0.769, 0.717, 0.422) is a fall from the level 0.717.
    const series = [0.756, 0.805, 0.73, 0.814, 0.742, 0.769, 0.717, 0.422];
    const observer = createObserverPolicy(configured("").observer);
    assert.deepEqual(decisions(observer, series), [[7, "optimise"]]);
    const off = createObserverPolicy(configured("observer: { fall: { margin: null } }\n").observer);
    assert.deepEqual(decisions(off, series), [[7, "train"]]);
  },
});

Deno.test({
  name: "Page-Hinkley's alpha and guard and the minimum-score hold-off are settable",
  permissions: { env: yamlEnv },
  fn() {
    const { policy } = configured(`observer:
  policy: { kind: page_hinkley, alpha: 0.5, guard: 2, minScoreHoldOff: 1 }
`).observer;
    assert.equal(policy.kind, "page_hinkley");
    assert.deepEqual(
      [policy.kind === "page_hinkley" && policy.alpha, policy.guard, policy.minScoreHoldOff],
      [0.5, 2, 1],
    );
    // The rule fires at 0.1, holds off one report, then asks again.
    assert.deepEqual(decisions(createRetrainPolicy(policy), [0.1, 0.1, 0.1]), [
      [0, "optimise"],
      [2, "optimise"],
    ]);
  },
});

Deno.test("the collection builder rejects an unknown kind and bad parameters, naming them", () => {
  assert.throws(
    () => createCollectionPolicy({ kind: "lastk" } as unknown as CollectionPolicyConfig),
    /kind must be one of last_k, exponential_decay, score_based: current value is lastk/,
  );
  assert.throws(
    () => createCollectionPolicy(collectionSection({ kind: "last_k", k: 1.5 })),
    /last_k policy: k must be an integer >= 1: current value is 1\.5/,
  );
  assert.throws(
    () => createCollectionPolicy(collectionSection({ kind: "exponential_decay", lambda: 2 })),
    /lambda must be a number in \(0, 1\): current value is 2/,
  );
  assert.throws(
    () => createCollectionPolicy(collectionSection({ kind: "exponential_decay", floor: 0 })),
    /floor must be a number in \(0, 1\]: current value is 0/,
  );
});

Deno.test({
  name: "a validated collection section builds its policy",
  permissions: { env: yamlEnv },
  fn() {
    const section = configured("collector:\n  policy: { kind: score_based, k: 2 }\n").collector
      .policy;
    assert.deepEqual(createCollectionPolicy(section).select(buckets({ 0: 0.9, 1: 0.1, 2: 0.5 })), [
      { bucket: 0, weight: 1 },
      { bucket: 2, weight: 1 },
    ]);
  },
});

Deno.test("the strategy builder builds the strategy the optimiser section names", () => {
  const run = { space: RTCEF_SPACE, seed: 0 };
  assert.ok(
    createStrategy(optimiserSection({ strategy: "bayesian" }), run) instanceof BayesianOptimiser,
  );
  assert.ok(createStrategy(optimiserSection({ strategy: "random" }), run) instanceof RandomSearch);
  assert.throws(
    () =>
      createStrategy(
        optimiserSection({ strategy: "grid" as unknown as "random" }),
        run,
      ),
    /strategy must be 'bayesian' or 'random': current value is 'grid'/,
  );
});

Deno.test("without initialPoints the initial design is the dimensions + 1, one per stratum", () => {
  // RTCEF's space has 4 dimensions: 5 design points, whose threshold (a real dimension) falls
  // once into each fifth of its range.
  const asked = (initialPoints?: number) => {
    const strategy = createStrategy(optimiserSection({ initialPoints, evaluations: 20 }), {
      space: RTCEF_SPACE,
      seed: 3,
    });
    return Array.from({ length: 5 }, () => {
      const point = strategy.ask();
      strategy.tell(point, point.threshold);
      return point;
    });
  };
  const design = asked();
  const strata = design.map(({ threshold }) => Math.floor(threshold * 5)).sort();
  assert.deepEqual(strata, [0, 1, 2, 3, 4]);
  assert.deepEqual(asked(5), design);
  assert.notDeepEqual(asked(10), design);
});

Deno.test("both strategies answer ask/tell/best/history alike", () => {
  for (const strategy of ["bayesian", "random"] as const) {
    const built = createStrategy(optimiserSection({ strategy, evaluations: 3, reuse: 0 }), {
      space: RTCEF_SPACE,
      seed: 1,
    });
    assert.equal(built.best(), null);
    const point = built.ask();
    built.tell(point, 0.25);
    assert.deepEqual(built.best(), { point, value: 0.25 });
    assert.deepEqual(built.history, [{ point, value: 0.25 }]);
  }
});
