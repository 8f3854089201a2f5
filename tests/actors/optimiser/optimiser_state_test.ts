import assert from "node:assert/strict";
import { OptimiserState } from "../../../actors/optimiser/optimiser_state.ts";
import { SnapshotError } from "../../../actors/role_snapshot.ts";

const params = { order: 2, threshold: 0.4, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 };

function optimising(): OptimiserState {
  const state = new OptimiserState();
  state.currentParams = params;
  state.previous = [{ point: { order: 2, threshold: 0.4 }, params, mcc: 0.61, scores: null }];
  state.jobs.push({
    action: "optimise",
    status: "completed",
    reason: "model v3",
    modelVersion: 3,
    wallMs: 1_200,
    evaluations: 4,
  });
  state.dropped = 1;
  state.busy = true;
  return state;
}

Deno.test("an optimiser snapshot survives JSON and restores parameters, told points and jobs", () => {
  const state = optimising();
  const restored = OptimiserState.restore(JSON.parse(JSON.stringify(state.snapshot())));
  assert.deepEqual(restored.snapshot(), state.snapshot());
  assert.deepEqual(restored.view().currentParams, params);
  assert.equal(restored.view().previous.length, 1);
  assert.equal(restored.view().busy, false, "no job runs in a restored optimiser");
});

Deno.test("a bad optimiser snapshot is rejected naming the field", () => {
  const good = optimising().snapshot();
  const bad: [unknown, RegExp][] = [
    [{ ...good, currentParams: { ...params, gamma: "high" } }, /currentParams\.gamma: /],
    [{ ...good, previous: [{ ...good.previous[0], mcc: null }] }, /previous\.0\.mcc: /],
    [{ ...good, jobs: [{ ...good.jobs[0], status: "lost" }] }, /jobs\.0\.status: /],
  ];
  for (const [snapshot, message] of bad) {
    assert.throws(() => OptimiserState.restore(snapshot), SnapshotError);
    assert.throws(() => OptimiserState.restore(snapshot), message);
  }
});
