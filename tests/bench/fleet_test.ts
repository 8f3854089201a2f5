import assert from "node:assert/strict";
import { benchFleet } from "../../bench/fleet.ts";
import { setupLogging } from "../../logging/setup.ts";

setupLogging({ level: "error", format: "text" });

Deno.test({
  name: "the fleet bench runs one model and a fleet over the same events and retrains the fleet, " +
    "directly and by its schedule",
  permissions: { read: true, write: true, env: true },
  async fn() {
    const result = await benchFleet({
      models: 20,
      events: 4_000,
      workers: 1,
      rounds: 1,
      scheduled: 4,
    });
    assert.equal(result.one.models, 1);
    assert.equal(result.fleet.models, 20);
    for (const run of [result.one, result.fleet]) assert.ok(run.eventsPerSecond > 0);
    assert.equal(result.ratio, result.fleet.eventsPerSecond / result.one.eventsPerSecond);
    assert.equal(result.retrain.models, 20);
    assert.equal(result.retrain.eventsPerModel, 200);
    assert.equal(result.retrain.evaluation, "walk_forward, 5 splits");
    assert.ok(result.retrain.seconds > 0);
    assert.equal(result.scheduled.models, 4);
    assert.equal(result.scheduled.eventsPerModel, 200);
    assert.ok(result.scheduled.seconds > 0 && result.scheduled.initialSeconds > 0);
  },
});
