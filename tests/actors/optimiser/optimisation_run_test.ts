import assert from "node:assert/strict";
import type { FactoryCommand, FactoryReport } from "../../../protocol/messages.ts";
import type { HyperParameters } from "../../../core/hyper_parameters.ts";
import type { Scores } from "../../../core/scores.ts";
import { DeadlineError, FactoryClient } from "../../../actors/optimiser/factory_client.ts";
import {
  type AskTell,
  type Point,
  runOptimisation,
  type RunSettings,
} from "../../../actors/optimiser/optimisation_run.ts";

const settings: RunSettings = {
  evaluations: 6,
  concurrency: 2,
  initDeadlineMs: 200,
  stepDeadlineMs: 200,
  finaliseDeadlineMs: 200,
  retries: 1,
};

function scores(mcc: number): Scores {
  return { tp: 1, tn: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, specificity: 1, mcc };
}

function toParams(point: Point): HyperParameters {
  return {
    order: point.order,
    threshold: point.threshold,
    pMin: 0.001,
    gamma: 0.001,
    alpha: 0,
    r: 1.05,
  };
}

/** Asks a fixed list of points and records what it was told. */
class ScriptedStrategy implements AskTell {
  told: [Point, number][] = [];
  #next = 0;
  constructor(readonly points: Point[]) {}
  ask(): Point {
    return this.points[this.#next++ % this.points.length];
  }
  tell(point: Point, value: number): void {
    this.told.push([point, value]);
  }
}

/** A factory living in the test: answers each command through `answer`, or stays silent. */
function wire(answer: (command: FactoryCommand) => FactoryReport | null) {
  const commands: FactoryCommand[] = [];
  // deno-lint-ignore prefer-const -- assigned once, but the send callback closes over it first
  let client: FactoryClient;
  let inFlight = 0;
  let maxInFlight = 0;
  client = new FactoryClient((command) => {
    commands.push(command);
    const report = answer(command);
    if (report !== null) {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      setTimeout(() => {
        inFlight--;
        client.deliver(report);
      }, 5);
    }
    return Promise.resolve();
  });
  return { client, commands, maxInFlight: () => maxInFlight };
}

const points = [1, 2, 3, 4, 5, 2].map((order, i) => ({ order, threshold: i / 10 }));

function healthyFactory(command: FactoryCommand): FactoryReport | null {
  switch (command.kind) {
    case "opt_init":
      return {
        kind: "opt_ready",
        requestId: command.requestId,
        runId: command.runId,
        datasetVersion: 7,
      };
    case "opt_step":
      return {
        kind: "step_result",
        requestId: command.requestId,
        runId: command.runId,
        stepId: command.stepId,
        metrics: scores(command.params.order / 10),
      };
    case "opt_finalise":
      return {
        kind: "opt_done",
        requestId: command.requestId,
        runId: command.runId,
        modelVersion: 3,
        metrics: scores(0.5),
      };
    default:
      return null;
  }
}

Deno.test("a run initialises, evaluates the budget with bounded concurrency and finalises the best", async () => {
  const strategy = new ScriptedStrategy(points);
  const { client, commands, maxInFlight } = wire(healthyFactory);
  const outcome = await runOptimisation("run-1", client, () => strategy, toParams, settings);
  assert.equal(outcome.status, "completed");
  if (outcome.status !== "completed") return;
  assert.equal(outcome.datasetVersion, 7);
  assert.equal(outcome.evaluations.length, 6);
  assert.equal(strategy.told.length, 6);
  assert.equal(outcome.best.params.order, 5);
  assert.equal(outcome.modelVersion, 3);
  assert.deepEqual(commands.map((c) => c.kind), [
    "opt_init",
    ...Array(6).fill("opt_step"),
    "opt_finalise",
  ]);
  const finalise = commands.at(-1);
  assert.equal(finalise?.kind === "opt_finalise" && finalise.params.order, 5);
  assert.ok(maxInFlight() <= 2, `at most concurrency steps in flight, saw ${maxInFlight()}`);
  assert.ok(maxInFlight() >= 2, "steps overlap when concurrency is 2");
});

Deno.test("points of an earlier run are tested again first and start the strategy with their new scores", async () => {
  const strategy = new ScriptedStrategy(points);
  const { client, commands } = wire(healthyFactory);
  const rechecked: number[] = [];
  const earlier = [{ order: 5, threshold: 0.7 }, { order: 4, threshold: 0.6 }];
  const outcome = await runOptimisation(
    "run-5",
    client,
    (told) => {
      rechecked.push(...told.map((e) => e.mcc));
      return strategy;
    },
    toParams,
    { ...settings, evaluations: 3, recheck: earlier },
  );
  assert.equal(outcome.status, "completed");
  if (outcome.status !== "completed") return;
  assert.deepEqual(rechecked, [0.5, 0.4], "scored on this run's dataset, before the strategy");
  const steps = commands.filter((c) => c.kind === "opt_step");
  assert.deepEqual(
    steps.map((c) => c.kind === "opt_step" && [c.stepId, c.params.order]),
    [[0, 5], [1, 4], [2, 1], [3, 2], [4, 3]],
  );
  assert.equal(strategy.told.length, 3, "the strategy is told its own asks only");
  assert.deepEqual(outcome.best.point, earlier[0], "an earlier point may win");
});

Deno.test("a dead factory makes the run give up within its deadlines and abort", async () => {
  const { client, commands } = wire(() => null);
  const started = Date.now();
  const outcome = await runOptimisation(
    "run-2",
    client,
    () => new ScriptedStrategy(points),
    toParams,
    settings,
  );
  assert.equal(outcome.status, "abandoned");
  assert.match(outcome.status === "abandoned" ? outcome.reason : "", /opt_init.*within 200 ms/);
  assert.deepEqual(commands.map((c) => c.kind), ["opt_init", "opt_abort"]);
  assert.ok(Date.now() - started < 5_000);
  assert.equal(client.waiting, 0);
});

Deno.test("a factory that dies mid-run: steps are retried, then the run is abandoned", async () => {
  let steps = 0;
  const { client, commands } = wire((command) => {
    if (command.kind === "opt_step" && ++steps > 2) return null;
    return healthyFactory(command);
  });
  const outcome = await runOptimisation(
    "run-3",
    client,
    () => new ScriptedStrategy(points),
    toParams,
    {
      ...settings,
      concurrency: 1,
    },
  );
  assert.equal(outcome.status, "abandoned");
  assert.equal(outcome.evaluations.length, 2);
  assert.match(outcome.status === "abandoned" ? outcome.reason : "", /step 2: .*after 2 attempts/);
  assert.equal(commands.at(-1)?.kind, "opt_abort");
});

Deno.test("a candidate the factory cannot train is told the worst score and the run goes on", async () => {
  const { client } = wire((command) =>
    command.kind === "opt_step" && command.params.order === 3
      ? { kind: "failed", requestId: command.requestId, runId: command.runId, reason: "bad params" }
      : healthyFactory(command)
  );
  const strategy = new ScriptedStrategy(points);
  const outcome = await runOptimisation("run-4", client, () => strategy, toParams, settings);
  assert.equal(outcome.status, "completed");
  const failed = strategy.told.find(([p]) => p.order === 3);
  assert.equal(failed?.[1], -1);
});

Deno.test("FactoryClient rejects a late report with DeadlineError and ignores it afterwards", async () => {
  const client = new FactoryClient(() => Promise.resolve());
  await assert.rejects(client.request({ kind: "opt_init", runId: "r" }, 20), DeadlineError);
  const late: FactoryReport = {
    kind: "opt_ready",
    requestId: "nope",
    runId: "r",
    datasetVersion: 1,
  };
  assert.equal(client.deliver(late), false);
  await assert.rejects(
    client.request({ kind: "opt_init", runId: "r" }, 0),
    /timeoutMs must be a positive number: current value is 0/,
  );
});
