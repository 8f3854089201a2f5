/** The drift bench over seeds: parsing `--seeds`, averaging rows, and the printed table. */

import assert from "node:assert/strict";
import type { BenchRow } from "../../../scripts/experiment/drift_bench.ts";
import {
  acrossSeeds,
  formatSeededTable,
  parseSeeds,
} from "../../../scripts/experiment/seeded_bench.ts";

function row(stream: string, policy: string, adaptive: number, optimiseOnly = 0.7): BenchRow {
  return {
    stream,
    policy,
    initial: 0.3,
    retrainOnly: 0.25,
    optimiseOnly,
    adaptive,
    retrains: 1,
    optimisations: 2,
  };
}

Deno.test("parseSeeds reads distinct non-negative integers and names a bad value", () => {
  assert.deepEqual(parseSeeds("1234,1, 2"), [1234, 1, 2]);
  for (const text of ["", "1,,2", "1,x", "-1", "1.5", "3,3"]) {
    assert.throws(
      () => parseSeeds(text),
      new RegExp(`seeds: expected distinct non-negative integers .*${JSON.stringify(text)}`),
    );
  }
});

Deno.test("acrossSeeds averages each row over the seeds and keeps its worst seed", () => {
  const rows = acrossSeeds([
    [row("sudden", "trend", 0.8, 0.6), row("sudden", "page_hinkley", 0.7)],
    // Another seed's run may list the rows in another order.
    [row("sudden", "page_hinkley", 0.5), row("sudden", "trend", 0.6, 0.8)],
  ]);
  assert.deepEqual(rows.map((r) => [r.stream, r.policy]), [
    ["sudden", "trend"],
    ["sudden", "page_hinkley"],
  ]);
  assert.ok(Math.abs(rows[0].adaptive - 0.7) < 1e-12);
  assert.ok(Math.abs(rows[0].optimiseOnly - 0.7) < 1e-12);
  assert.deepEqual(rows[0].adaptiveBySeed, [0.8, 0.6]);
  assert.equal(rows[0].adaptiveMin, 0.6);
  assert.equal(rows[1].adaptiveMin, 0.5);
  assert.throws(() => acrossSeeds([[row("a", "trend", 1)], []]), /a seed has no row a \/ trend/);
  assert.throws(() => acrossSeeds([]), /at least one seed/);
});

Deno.test("the table over seeds shows means, the worst seed and how many rows reach the aim", () => {
  const rows = acrossSeeds([
    [row("sudden", "trend", 0.8), row("gradual", "trend", 0.6)],
    [row("sudden", "trend", 0.76), row("gradual", "trend", 0.7)],
  ]);
  const [title, header, first, second, summary] = formatSeededTable([1234, 1], rows).split("\n");
  assert.equal(title, "means over optimiser seeds 1234, 1");
  assert.match(
    header,
    /^stream\s+policy\s+initial\s+retrain only\s+optimise only\s+adaptive\s+min$/,
  );
  assert.match(first, /^sudden\s+trend\s+0\.300\s+0\.250\s+0\.700\s+0\.780\s+0\.760$/);
  assert.match(second, /^gradual\s+trend\s+0\.300\s+0\.250\s+0\.700\s+0\.650\s+0\.600$/);
  assert.equal(summary, "adaptive, mean of the rows: 0.715; rows whose mean reaches 0.75: 1 of 2");
});
