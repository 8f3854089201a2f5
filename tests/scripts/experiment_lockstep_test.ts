/**
 * A lockstep experiment is reproducible: two runs of one configuration on one stream give the same
 * weekly series, decisions and model versions, whatever the machine's load (the engine waits for
 * every job at each report). The stream and configuration are the quick drift bench's.
 *
 * The test reads the configuration, pattern and stream, writes its temp folder, and the factory's
 * training workers inherit those permissions; the yaml package reads its settings from the
 * environment.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { loadConfig } from "../../config/load.ts";
import { generate } from "../../scripts/generate_drift.ts";
import {
  benchConfig,
  benchPolicies,
  benchStreams,
  formatBenchTable,
} from "../../scripts/experiment/drift_bench.ts";
import { runOnce, runReport } from "../../scripts/experiment/run_once.ts";
import { DRIFT_CONFIG } from "../fixtures/drift_input.ts";

Deno.test({
  name: "two runs of one lockstep experiment give identical weekly series and decisions",
  permissions: { read: true, write: [tmpdir()], env: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-lockstep-" });
    try {
      const [stream] = benchStreams({ quick: true });
      const input = `${dir}/stream.csv`;
      await generate({ out: input, format: "csv", options: stream.options });
      const base = await loadConfig(DRIFT_CONFIG, { env: {} });
      const config = benchConfig(
        { ...base, storage: { ...base.storage, dir: `${dir}/storage` } },
        benchPolicies({ quick: true })[0],
        "both",
      );
      // Side by side, so each run's jobs compete with the other's for the machine.
      const [first, second] = await Promise.all(
        [0, 1].map(async (i) => runReport(`run ${i}`, await runOnce(config, input, true))),
      );
      assert.ok(first.reports.length >= 8, `weekly reports: ${first.reports.length}`);
      assert.ok(first.adaptations.length > 0, "the run adapted");
      assert.deepEqual(
        second.reports.map((p) => [p.streamTime, p.batchMcc, p.modelVersion]),
        first.reports.map((p) => [p.streamTime, p.batchMcc, p.modelVersion]),
      );
      assert.deepEqual(second.decisions, first.decisions);
      for (const decision of first.decisions) assert.ok(decision.reason.length > 0);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("the bench table shows each stream and policy with the four figures", () => {
  const table = formatBenchTable([{
    stream: "sudden card-fraud-like",
    policy: "trend",
    initial: 0.308,
    retrainOnly: 0.281,
    optimiseOnly: 0.726,
    adaptive: 0.686,
    retrains: 2,
    optimisations: 4,
  }]);
  const [header, row] = table.split("\n");
  assert.match(
    header,
    /^stream\s+policy\s+initial\s+retrain only\s+optimise only\s+adaptive\s+jobs$/,
  );
  assert.match(row, /^sudden card-fraud-like\s+trend\s+0\.308\s+0\.281\s+0\.726\s+0\.686\s+2T 4O$/);
});

Deno.test("the bench runs only the stream and policy named, and refuses unknown ones", () => {
  const [stream, ...others] = benchStreams({ quick: false, stream: "sudden maritime-like" });
  assert.equal(stream.name, "sudden maritime-like");
  assert.equal(stream.options.keys, 2);
  assert.equal(others.length, 0);
  assert.deepEqual(
    benchPolicies({ quick: false, policy: "page_hinkley" }).map((p) => p.kind),
    ["page_hinkley"],
  );
  assert.throws(() => benchStreams({ quick: false, stream: "calm" }), /stream: no bench stream/);
  assert.throws(() => benchPolicies({ quick: false, policy: "never" }), /policy: expected one of/);
});
