import assert from "node:assert/strict";
import { MinScorePolicy } from "../../../policies/retrain/min_score.ts";
import { decisions } from "./reports.ts";

Deno.test("fires below the floor, holds off on the same model, and re-arms on a new one", () => {
  const series = [
    0.5,
    0.15, // optimise
    0.1,
    0.1,
    0.1,
    0.1, // four reports held off
    0.1, // still the same weak model: ask again
    { swap: 1 },
    0.1, // a new model is judged on its own
    0.3,
  ];
  const policy = new MinScorePolicy({ minScore: 0.2, holdOff: 4 });
  assert.deepEqual(decisions(policy, series), [[1, "optimise"], [6, "optimise"], [7, "optimise"]]);
});

Deno.test("a score equal to the floor is fine and empty batches are no evidence", () => {
  const policy = new MinScorePolicy({ minScore: 0.25, holdOff: 0 });
  assert.deepEqual(decisions(policy, [0.25, null, null, 0.125, 0.125]), [[3, "optimise"], [
    4,
    "optimise",
  ]]);
});

Deno.test("minScore -1 never fires", () => {
  const policy = new MinScorePolicy({ minScore: -1, holdOff: 4 });
  assert.deepEqual(decisions(policy, [-1, -0.5, 0]), []);
});

Deno.test("reset ends the hold", () => {
  const policy = new MinScorePolicy({ minScore: 0.2, holdOff: 4 });
  assert.deepEqual(decisions(policy, [0.1]), [[0, "optimise"]]);
  policy.reset();
  assert.deepEqual(decisions(policy, [0.1]), [[0, "optimise"]]);
});
