/**
 * A factory that dies in the middle of an optimisation, in the embedded system: every role but
 * the factory runs under the system's supervisor, the factory under one of its own, which the
 * test stops part-way through the first optimisation. The optimiser must abandon the run within
 * its step deadlines, and the engine must go on forecasting the stream with the model it has.
 *
 * The test reads the configuration, pattern and stream, writes its temp folder, and the factory's
 * training workers inherit those permissions; the yaml package reads its settings from the
 * environment.
 */

import assert from "node:assert/strict";
import { tmpdir } from "node:os";
import { RetuneSystem } from "../../actors/system.ts";
import { SERVICE_ROLES } from "../../config/roles.ts";
import { Factory } from "../../actors/factory.ts";
import { Supervisor } from "../../actors/runtime/supervisor.ts";
import { loadConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import { DRIFT_CONFIG, DRIFT_EVENTS, writeDriftStream } from "../fixtures/drift_input.ts";
import { progressWhileAdapting, sampleProgress } from "../fixtures/engine_progress.ts";
import { eventually } from "../fixtures/eventually.ts";

/** Short deadlines, so the dead factory costs a few seconds; answered requests take far less. */
const DEADLINE_MS = 1_500;

/** Most events the engine may fall behind the replayer while the optimiser waits. */
const MAX_LAG = 1_000;

Deno.test({
  name:
    "a factory lost mid-optimisation: the run is abandoned after its step deadlines and the engine forecasts on with its model",
  permissions: { read: true, write: [tmpdir()], env: true },
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "retune-factory-loss-" });
    const input = `${dir}/drift.csv`;
    await writeDriftStream(input);
    const config = withDeadlines(await loadConfig(DRIFT_CONFIG), `${dir}/storage`);
    const system = await RetuneSystem.build({
      config,
      roles: SERVICE_ROLES,
      input,
      without: ["factory"],
    });
    let lost: Factory | undefined;
    const factory = new Supervisor({
      name: "factory",
      transport: system.transport,
      children: [{ name: "factory", create: () => (lost = new Factory(system.env)) }],
      maxRestarts: 0,
    });
    const engine = () => system.view("engine");
    const optimiser = () => system.view("optimiser");
    try {
      // The factory trains the initial model as it starts, before the system forecasts.
      await factory.start();
      await system.start();
      const samples = sampleProgress(system);

      await eventually(() => optimiser().busy && lost!.view().candidatesEvaluated >= 2, {
        what: "an optimisation has had two candidates evaluated",
        deadlineMs: 30_000,
      });
      const jobsBefore = optimiser().jobs.length;
      const paramsBefore = optimiser().currentParams;
      const model = engine().swaps.at(-1)!.modelVersion;
      const swapsBefore = engine().swaps.length;
      const reportsBefore = system.reports.length;
      const processedAtLoss = engine().eventsProcessed;
      await factory.stop();

      const { retries } = config.optimiser;
      await eventually(() => optimiser().jobs.length > jobsBefore, {
        what: "the optimiser gives the run up",
        deadlineMs: (retries + 2) * DEADLINE_MS + 5_000,
      });
      const job = optimiser().jobs[jobsBefore];
      assert.equal(job.action, "optimise");
      assert.equal(job.status, "abandoned");
      assert.match(
        job.reason,
        new RegExp(
          `^step \\d+: factory did not answer 'opt_step' within ${DEADLINE_MS} ms ` +
            `\\(after ${retries + 1} attempts\\)$`,
        ),
      );
      assert.equal(job.modelVersion, null);
      assert.equal(optimiser().currentParams, paramsBefore, "an abandoned run changes nothing");
      assert.ok(engine().eventsProcessed > processedAtLoss, "the engine forecast meanwhile");

      await system.waitForEndOfInput();
      const summary = system.summary();
      assert.equal(summary.events_in, DRIFT_EVENTS);
      assert.equal(summary.events_in, summary.events_processed + summary.dead_letters);
      assert.equal(engine().swaps.length, swapsBefore, "no model was swapped in after the loss");
      const after = system.reports.slice(reportsBefore);
      assert.ok(after.length >= 5, `reports went on: ${after.length}`);
      assert.deepEqual(
        [...new Set(after.map((report) => report.modelVersion))],
        [model],
        `every later report is of model v${model}`,
      );

      const progress = progressWhileAdapting(samples);
      assert.ok(progress.samples >= 3, JSON.stringify(progress));
      assert.equal(progress.stalledSpells, 0, JSON.stringify(progress));
      assert.ok(progress.maxLag <= MAX_LAG, `the engine kept up: ${JSON.stringify(progress)}`);
    } finally {
      await factory.stop();
      await system.stop();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

/**
 * The tuned drift configuration with a larger optimisation budget (the factory dies with most of
 * it left) and short deadlines.
 */
function withDeadlines(config: RetuneConfig, storage: string): RetuneConfig {
  return {
    ...config,
    storage: { ...config.storage, dir: storage },
    optimiser: {
      ...config.optimiser,
      evaluations: 20,
      initDeadlineMs: DEADLINE_MS,
      stepDeadlineMs: DEADLINE_MS,
      trainDeadlineMs: DEADLINE_MS,
      finaliseDeadlineMs: DEADLINE_MS,
    },
  };
}
