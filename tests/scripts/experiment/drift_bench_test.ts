/** The drift bench's report cadence: reports per week, with the policies kept in weeks. */

import assert from "node:assert/strict";
import { loadConfig } from "../../../config/load.ts";
import { benchConfig, benchPolicies } from "../../../scripts/experiment/drift_bench.ts";
import { WEEK_MS } from "../../../scripts/experiment/weekly_mcc.ts";
import { DRIFT_CONFIG } from "../../fixtures/drift_input.ts";
import { ROOT } from "../../fixtures/tasks.ts";

Deno.test("twice-weekly reports double the policies' report counts and halve the trend's slope", () => {
  const [trend, pageHinkley] = benchPolicies({ quick: false, reportsPerWeek: 2 });
  assert.ok(trend.kind === "trend" && pageHinkley.kind === "page_hinkley");
  const defaults = benchPolicies({ quick: false });
  assert.ok(defaults[0].kind === "trend" && defaults[1].kind === "page_hinkley");
  assert.deepEqual(
    [trend.k, trend.guard, trend.slopeThreshold],
    [defaults[0].k * 2, defaults[0].guard * 2, defaults[0].slopeThreshold / 2],
  );
  assert.equal(pageHinkley.guard, defaults[1].guard * 2);
  assert.equal(pageHinkley.lambda, defaults[1].lambda);
  assert.throws(
    () => benchPolicies({ quick: false, reportsPerWeek: 0 }),
    /reportsPerWeek must be an integer >= 1: current value is 0/,
  );
});

Deno.test("the engine reports on the stream-time grid the cadence asks for", async () => {
  const base = await loadConfig(DRIFT_CONFIG, { env: {} });
  const [policy] = benchPolicies({ quick: true });
  assert.deepEqual(benchConfig(base, policy, "both").engine.report, { everyStreamMs: WEEK_MS });
  assert.deepEqual(benchConfig(base, policy, "both", 2).engine.report, {
    everyStreamMs: WEEK_MS / 2,
  });
});

Deno.test({
  name:
    "experiment --bench refuses a bad --seeds or --reports-per-week in one line, running nothing",
  permissions: { run: [Deno.execPath()], read: true },
  async fn() {
    const cases = [
      [
        "--seeds=1,1",
        'experiment: seeds: expected distinct non-negative integers separated by commas (e.g. 1234,1,2): current value is "1,1"',
      ],
      [
        "--reports-per-week=0.5",
        'experiment: --reports-per-week: expected an integer >= 1, got "0.5"',
      ],
    ];
    for (const [argument, message] of cases) {
      const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
        args: ["task", "--quiet", "experiment", "--bench", argument],
        cwd: ROOT,
        stdin: "null",
        env: { NO_COLOR: "1" },
      }).output();
      assert.equal(code, 2, argument);
      assert.equal(new TextDecoder().decode(stdout), "", argument);
      assert.equal(new TextDecoder().decode(stderr).trim(), message);
    }
  },
});
