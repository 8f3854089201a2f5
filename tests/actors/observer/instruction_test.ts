import assert from "node:assert/strict";
import { instructionOf } from "../../../actors/observer/instruction.ts";

Deno.test("an optimisation is asked to test on the data since the fall began or the window that fell; a retrain is not", () => {
  assert.deepEqual(
    instructionOf(
      { action: "optimise", reason: "batch MCC 0.061 < minScore 0.2" },
      6,
      3_628_800_000,
    ),
    {
      action: "optimise",
      reason: "batch MCC 0.061 < minScore 0.2",
      reportId: 6,
      since: 3_628_800_000,
    },
  );
  assert.deepEqual(
    instructionOf({ action: "optimise", reason: "fell", since: 1_000 }, 8, 3_000).since,
    1_000,
    "a decision dated from an earlier fall is tested from there",
  );
  assert.deepEqual(instructionOf({ action: "train", reason: "declined", since: 0 }, 4, 1_000), {
    action: "train",
    reason: "declined",
    reportId: 4,
  });
});
