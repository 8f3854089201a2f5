import assert from "node:assert/strict";
import { lastGrowth } from "../../../scripts/chaos/topic_progress.ts";
import type { OffsetSample } from "../../../scripts/chaos/observations.ts";

function sample(at: number, offsets: Record<string, number>): OffsetSample {
  return { at, offsets, partitions: {} };
}

Deno.test("lastGrowth: the sample in which a topic last grew over the one before", () => {
  const samples = [
    sample(1_000, { factoryCommands: 1, factoryReports: 0 }),
    sample(2_000, { factoryCommands: 2, factoryReports: 1 }),
    sample(3_000, { factoryCommands: 3, factoryReports: 1 }),
    sample(4_000, { factoryCommands: 3, factoryReports: 1 }),
  ];
  assert.equal(lastGrowth(samples, "factoryCommands"), 3_000);
  assert.equal(lastGrowth(samples, "factoryReports"), 2_000);
  assert.equal(lastGrowth(samples, "input"), undefined, "a topic that never grew");
  assert.equal(lastGrowth(samples.slice(0, 1), "factoryCommands"), undefined, "one sample");
});
