import assert from "node:assert/strict";
import { instructionOf, type JudgedReport } from "../../../actors/observer/instruction.ts";

/** A judged report of model `modelVersion` with batch MCC `mcc`. */
function judged(reportId: number, streamTimeStart: number, modelVersion = 3, mcc = 0.061) {
  const batch = { mcc } as JudgedReport["batch"];
  return { reportId, streamTimeStart, modelVersion, batch };
}

Deno.test("an optimisation is asked to test on the data since the fall began or the window that fell; a retrain is not", () => {
  assert.deepEqual(
    instructionOf(
      { action: "optimise", reason: "batch MCC 0.061 < minScore 0.2" },
      judged(6, 3_628_800_000),
    ),
    {
      action: "optimise",
      reason: "batch MCC 0.061 < minScore 0.2",
      reportId: 6,
      since: 3_628_800_000,
      liveVersion: 3,
      liveMcc: 0.061,
    },
  );
  assert.deepEqual(
    instructionOf({ action: "optimise", reason: "fell", since: 1_000 }, judged(8, 3_000)).since,
    1_000,
    "a decision dated from an earlier fall is tested from there",
  );
  assert.deepEqual(
    instructionOf({ action: "train", reason: "declined", since: 0 }, judged(4, 1_000, 2, 0.4)),
    { action: "train", reason: "declined", reportId: 4, liveVersion: 2, liveMcc: 0.4 },
  );
});

Deno.test("a report before any model served carries no live score", () => {
  const instruction = instructionOf({ action: "train", reason: "r" }, judged(0, 0, -1, 0));
  assert.equal(instruction.liveVersion, undefined);
  assert.equal(instruction.liveMcc, undefined);
});
