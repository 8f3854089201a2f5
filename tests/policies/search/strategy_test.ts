import assert from "node:assert/strict";
import { BayesianOptimiser } from "../../../policies/search/bayesian_optimiser.ts";
import { RandomSearch } from "../../../policies/search/random_search.ts";
import { RTCEF_SPACE } from "../../../policies/search/space.ts";
import { createStrategy, type StrategyConfig } from "../../../policies/search/strategy.ts";

Deno.test("the factory builds the strategy its kind names", () => {
  assert.ok(
    createStrategy({ kind: "bayesian", space: RTCEF_SPACE, budget: 20 }) instanceof
      BayesianOptimiser,
  );
  assert.ok(
    createStrategy({ kind: "random", space: RTCEF_SPACE, budget: 20 }) instanceof RandomSearch,
  );
});

Deno.test("an unknown kind is rejected", () => {
  assert.throws(
    () =>
      createStrategy({ kind: "grid", space: RTCEF_SPACE, budget: 20 } as unknown as StrategyConfig),
    /kind must be 'bayesian' or 'random': current value is 'grid'/,
  );
});

Deno.test("both strategies answer ask/tell/best/history alike", () => {
  for (const kind of ["bayesian", "random"] as const) {
    const strategy = createStrategy({ kind, space: RTCEF_SPACE, budget: 3, seed: 1 });
    assert.equal(strategy.best(), null);
    const point = strategy.ask();
    strategy.tell(point, 0.25);
    assert.deepEqual(strategy.best(), { point, value: 0.25 });
    assert.deepEqual(strategy.history, [{ point, value: 0.25 }]);
  }
});
