import assert from "node:assert/strict";
import {
  BayesianOptimiser,
  type BayesianOptimiserConfig,
} from "../../../policies/search/bayesian_optimiser.ts";
import { type Point, RTCEF_SPACE, SearchSpace } from "../../../policies/search/space.ts";
import { bayesianConfig } from "../../fixtures/config_sections.ts";

/** An MCC-like objective over RTCEF's space, best at order 3, threshold 0.6, pMin 1e-3. */
function mccLike({ order, threshold, pMin, gamma }: Point): number {
  return 0.8 - 0.05 * (order - 3) ** 2 - (threshold - 0.6) ** 2 -
    0.02 * Math.log10(pMin / 0.001) ** 2 - 0.01 * Math.log10(gamma / 0.0003) ** 2;
}

function run(config: Parameters<typeof bayesianConfig>[0], evaluations: number): Point[] {
  const optimiser = new BayesianOptimiser(bayesianConfig(config));
  return Array.from({ length: evaluations }, () => {
    const point = optimiser.ask();
    optimiser.tell(point, mccLike(point));
    return point;
  });
}

Deno.test("seeded runs are reproducible: same seed, same asks", () => {
  const config = { space: RTCEF_SPACE, budget: 14, initialPoints: 5 };
  const first = run({ ...config, seed: 11 }, 14);
  assert.deepEqual(run({ ...config, seed: 11 }, 14), first);
  assert.notDeepEqual(run({ ...config, seed: 12 }, 14), first);
});

Deno.test("integer dimensions are only ever asked as integers inside their bounds", () => {
  const points = run({ space: RTCEF_SPACE, budget: 18, initialPoints: 6, seed: 2 }, 18);
  for (const point of points) {
    assert.ok(
      Number.isInteger(point.order) && point.order >= 1 && point.order <= 5,
      `${point.order}`,
    );
    RTCEF_SPACE.validate(point);
  }
  assert.ok(new Set(points.map((p) => p.order)).size > 1, "the model moves across orders");
});

Deno.test("reused samples are told first and count toward the budget (RTCEF: 5 of 20 reused)", () => {
  const previous = run({ space: RTCEF_SPACE, budget: 20, initialPoints: 10, seed: 5 }, 20).map(
    (point) => ({ point, value: mccLike(point) }),
  );
  const bestFive = [...previous].sort((a, b) => b.value - a.value).slice(0, 5);
  const optimiser = new BayesianOptimiser(bayesianConfig({
    space: RTCEF_SPACE,
    budget: 20,
    initialPoints: 10,
    seed: 6,
    reuse: { samples: previous, count: 5 },
  }));
  assert.deepEqual(optimiser.history, bestFive);
  for (let i = 0; i < 15; i++) {
    const point = optimiser.ask();
    optimiser.tell(point, mccLike(point));
  }
  assert.throws(
    () => optimiser.ask(),
    /budget of 20 evaluations is spent \(20 told, 0 outstanding\)/,
  );
  assert.equal(optimiser.history.length, 20);
  assert.ok(optimiser.best()!.value >= bestFive[0].value);
});

Deno.test("outstanding asks are never repeated, and a used-up space is reported", () => {
  const optimiser = new BayesianOptimiser(bayesianConfig({
    space: new SearchSpace([{ name: "m", kind: "integer", low: 1, high: 4 }]),
    budget: 6,
    initialPoints: 2,
    seed: 1,
  }));
  const first = [optimiser.ask(), optimiser.ask()];
  for (const point of first) optimiser.tell(point, point.m);
  // Two asks in flight at once, as the optimiser actor does with concurrency 2.
  const inFlight = [optimiser.ask(), optimiser.ask()];
  assert.deepEqual([...first, ...inFlight].map((p) => p.m).sort(), [1, 2, 3, 4]);
  assert.throws(() => optimiser.ask(), /search space exhausted/);
});

Deno.test("asks made before any tell spread out instead of repeating the model's favourite", () => {
  const optimiser = new BayesianOptimiser(bayesianConfig({
    space: RTCEF_SPACE,
    budget: 12,
    initialPoints: 4,
    seed: 3,
    acquisition: "ei",
  }));
  for (let i = 0; i < 4; i++) {
    const point = optimiser.ask();
    optimiser.tell(point, mccLike(point));
  }
  const batch = Array.from({ length: 4 }, () => optimiser.ask());
  const keys = batch.map((p) => JSON.stringify(p));
  assert.equal(new Set(keys).size, 4);
  const units = batch.map((p) => RTCEF_SPACE.toUnit(p));
  for (let i = 0; i < units.length; i++) {
    for (let j = 0; j < i; j++) {
      const distance = Math.hypot(...units[i].map((u, k) => u - units[j][k]));
      assert.ok(distance > 1e-3, `asks ${i} and ${j} nearly coincide`);
    }
  }
});

Deno.test("minimising keeps the lowest value as the best", () => {
  const space = new SearchSpace([{ name: "x", kind: "real", low: -2, high: 2 }]);
  const optimiser = new BayesianOptimiser(bayesianConfig({
    space,
    budget: 12,
    initialPoints: 4,
    seed: 4,
    direction: "minimise",
    acquisition: "lcb",
  }));
  for (let i = 0; i < 12; i++) {
    const point = optimiser.ask();
    optimiser.tell(point, (point.x - 0.7) ** 2);
  }
  const best = optimiser.best()!;
  assert.equal(best.value, Math.min(...optimiser.history.map((s) => s.value)));
  assert.ok(Math.abs(best.point.x - 0.7) < 0.05, `best x ${best.point.x}`);
});

Deno.test("every acquisition improves on the initial design of a simple maximisation", () => {
  for (const acquisition of ["ei", "pi", "lcb", "hedge"] as const) {
    const optimiser = new BayesianOptimiser(bayesianConfig({
      space: RTCEF_SPACE,
      budget: 16,
      initialPoints: 6,
      seed: 8,
      acquisition,
    }));
    for (let i = 0; i < 16; i++) {
      const point = optimiser.ask();
      optimiser.tell(point, mccLike(point));
    }
    const initialBest = Math.max(...optimiser.history.slice(0, 6).map((s) => s.value));
    assert.ok(optimiser.best()!.value > initialBest, `${acquisition} did not improve`);
  }
});

Deno.test("bad configuration is rejected naming the parameter and its value", () => {
  const base = { space: RTCEF_SPACE, budget: 20 };
  const cases: [Partial<BayesianOptimiserConfig>, RegExp][] = [
    [{ budget: 0 }, /budget must be a positive integer: current value is 0/],
    [{ initialPoints: 21 }, /initialPoints must be <= budget \(20\): current value is 21/],
    [{ initialPoints: -1 }, /initialPoints must be a non-negative integer: current value is -1/],
    [
      { acquisition: "ucb" as "ei" },
      /acquisition must be ei, pi, lcb or hedge: current value is 'ucb'/,
    ],
    [{ xi: -0.1 }, /xi must be finite and >= 0: current value is -0.1/],
    [{ kappa: Infinity }, /kappa must be finite and >= 0: current value is Infinity/],
    [{ nu: 0.5 as 1.5 }, /nu must be 1.5 or 2.5: current value is 0.5/],
    [{ gpRestarts: -1 }, /gpRestarts must be an integer >= 0: current value is -1/],
    [{ gpIterations: 0 }, /gpIterations must be an integer >= 1: current value is 0/],
    [{ hedgeEta: 0 }, /eta must be finite and > 0: current value is 0/],
    [
      { targetWarp: "sqrt" as "log" },
      /targetWarp must be auto, log, tail or none: current value is 'sqrt'/,
    ],
    [{ seed: 0.5 }, /seed must be a safe integer: current value is 0.5/],
    [{ reuse: { samples: [], count: 20 } }, /reuse.count must be < budget \(20\)/],
  ];
  for (const [override, message] of cases) {
    assert.throws(() => new BayesianOptimiser(bayesianConfig({ ...base, ...override })), message);
  }
  const optimiser = new BayesianOptimiser(bayesianConfig(base));
  assert.throws(
    () => optimiser.tell({ order: 9, threshold: 0, pMin: 0.001, gamma: 0.001 }, 1),
    /order must be in \[1, 5\]/,
  );
});

Deno.test("xi is in objective units: scaling the objective and xi together keeps the asks", () => {
  const asks = (scale: number): Point[] => {
    const optimiser = new BayesianOptimiser(bayesianConfig({
      space: RTCEF_SPACE,
      budget: 10,
      initialPoints: 5,
      seed: 3,
      acquisition: "ei",
      xi: 0.05 * scale,
    }));
    return Array.from({ length: 10 }, () => {
      const point = optimiser.ask();
      optimiser.tell(point, scale * mccLike(point));
      return point;
    });
  };
  // Equal up to rounding, which the kernel fit may amplify a little over the asks.
  const unscaled = asks(1).map((point) => RTCEF_SPACE.toUnit(point));
  asks(1000).forEach((point, i) => {
    RTCEF_SPACE.toUnit(point).forEach((unit, d) => {
      assert.ok(Math.abs(unit - unscaled[i][d]) < 1e-3, `ask ${i}: ${unit} vs ${unscaled[i][d]}`);
    });
  });
});
