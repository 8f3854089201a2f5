/**
 * The optimiser role under the real runtime: a supervised `Optimiser` on an in-process transport
 * and registry, talking to a factory actor that lives in the test and scores every candidate by a
 * known function of its parameters. Instructions arrive as envelopes, as the observer sends them.
 * The role itself needs no permissions (the in-process transport and registry need none either),
 * so every test runs with none.
 */

import assert from "node:assert/strict";
import FakeTimers from "@sinonjs/fake-timers";
import { Optimiser } from "../../actors/optimiser.ts";
import type { OptimiserView } from "../../actors/optimiser/optimiser_state.ts";
import { type RoleEnvironment, topicNames } from "../../actors/environment.ts";
import { LeaderBoard } from "../../actors/leader_board.ts";
import { receive, send } from "../../actors/messaging.ts";
import type { ActorContext, Behaviour } from "../../actors/runtime/actor.ts";
import { Supervisor } from "../../actors/runtime/supervisor.ts";
import { defaultConfig } from "../../config/load.ts";
import type { RetuneConfig } from "../../config/schema.ts";
import type {
  FactoryCommand,
  FactoryReport,
  Instruction,
  LiveScore,
} from "../../protocol/messages.ts";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { Scores } from "../../core/scores.ts";
import { InProcessStateStore } from "../../state/in_process.ts";
import { InProcessRegistry } from "../../registry/in_process.ts";
import { InProcessTransport } from "../../transport/in_process.ts";
import { eventually } from "../fixtures/eventually.ts";

/** Answered requests never come near these deadlines; only silence costs them. */
const optimiserSettings: Partial<RetuneConfig["optimiser"]> = {
  strategy: "bayesian",
  evaluations: 5,
  reuse: 2,
  initialPoints: 3,
  seed: 7,
  retries: 1,
  initDeadlineMs: 500,
  stepDeadlineMs: 500,
  trainDeadlineMs: 500,
  finaliseDeadlineMs: 500,
};

/** The default configuration with a small optimisation budget. */
function testConfig(optimiser: Partial<RetuneConfig["optimiser"]> = {}): RetuneConfig {
  const config = defaultConfig();
  return { ...config, optimiser: { ...config.optimiser, ...optimiserSettings, ...optimiser } };
}

/** The held-out MCC the test factory reports: best near threshold 0.6 and order 3. */
function mccOf(params: HyperParameters): number {
  return 1 - Math.abs(params.threshold - 0.6) - 0.1 * Math.abs(params.order - 3);
}

function scores(mcc: number): Scores {
  return { tp: 1, tn: 1, fp: 0, fn: 0, precision: 1, recall: 1, f1: 1, specificity: 1, mcc };
}

/** How the test factory answers a command: a report, or null to stay silent. */
type Answer = (command: FactoryCommand) => FactoryReport | null | Promise<FactoryReport | null>;

/** A factory that does its job: every candidate is scored by `mccOf`. */
function honestFactory(): Answer {
  let modelVersion = 0;
  return (command) => {
    const { requestId } = command;
    switch (command.kind) {
      case "train":
        return { kind: "trained", requestId, modelVersion: ++modelVersion, metrics: scores(0.5) };
      case "opt_init":
        return { kind: "opt_ready", requestId, runId: command.runId, datasetVersion: 3 };
      case "opt_step":
        return {
          kind: "step_result",
          requestId,
          runId: command.runId,
          stepId: command.stepId,
          metrics: scores(mccOf(command.params)),
        };
      case "opt_finalise":
        return {
          kind: "opt_done",
          requestId,
          runId: command.runId,
          modelVersion: ++modelVersion,
          metrics: scores(mccOf(command.params)),
        };
      case "opt_abort":
        return null;
    }
  };
}

/** The factory's side of the protocol as an actor: logs each command and answers it. */
class TestFactory implements Behaviour {
  readonly commands: FactoryCommand[] = [];
  constructor(readonly topics: RoleEnvironment["topics"], readonly answer: Answer) {}

  async start(context: ActorContext): Promise<void> {
    await receive(context, {
      topic: this.topics.factoryCommands,
      group: "test.factory",
      type: "FactoryCommand",
      deadLetterTopic: this.topics.deadLetters,
      handler: async (messages) => {
        for (const { payload } of messages) {
          this.commands.push(payload);
          const report = await this.answer(payload);
          if (report !== null) {
            await send(context, this.topics.factoryReports, "FactoryReport", report);
          }
        }
      },
    });
  }

  kinds(): string[] {
    return this.commands.map((command) => command.kind);
  }

  of<K extends FactoryCommand["kind"]>(kind: K): Extract<FactoryCommand, { kind: K }>[] {
    return this.commands.filter((c): c is Extract<FactoryCommand, { kind: K }> => c.kind === kind);
  }
}

/** Stands in for the observer: an actor whose context sends the instructions. */
class TestObserver implements Behaviour {
  #context: ActorContext | null = null;
  constructor(readonly topics: RoleEnvironment["topics"]) {}

  start(context: ActorContext): void {
    this.#context = context;
  }

  /** Sends an instruction from report `reportId`, with the live model's score there, if given. */
  async instruct(
    action: Instruction["action"],
    reportId: number,
    live: LiveScore = {},
  ): Promise<void> {
    assert.ok(this.#context, "the observer runs");
    await send(this.#context, this.topics.instructions, "Instruction", {
      action,
      reason: "test",
      reportId,
      ...live,
    });
  }
}

/** The factory and observer (one supervisor) and the optimiser (its own, so it can be replaced). */
class Harness {
  readonly transport = new InProcessTransport();
  readonly registry = new InProcessRegistry();
  readonly state = new InProcessStateStore("optimiser-test");
  readonly env: RoleEnvironment;
  readonly factory: TestFactory;
  readonly observer: TestObserver;
  readonly #peers: Supervisor;
  #optimisers: Supervisor[] = [];
  #optimiser: Optimiser | undefined;

  constructor(config: RetuneConfig, answer: Answer) {
    const topics = topicNames(config);
    const used: Pick<RoleEnvironment, "config" | "topics" | "registry" | "state" | "leaders"> = {
      config,
      topics,
      registry: this.registry,
      state: this.state,
      leaders: new LeaderBoard(),
    };
    // The rest of the environment (stores, model) is other roles' business.
    this.env = used as RoleEnvironment;
    this.factory = new TestFactory(topics, answer);
    this.observer = new TestObserver(topics);
    this.#peers = new Supervisor({
      name: "peers",
      transport: this.transport,
      children: [
        { name: "factory", create: () => this.factory },
        { name: "observer", create: () => this.observer },
      ],
      maxRestarts: 0,
    });
  }

  async start(): Promise<void> {
    await this.#peers.start();
    await this.startOptimiser();
  }

  /** What the newest optimiser reports (bound, so tests can destructure it). */
  readonly view = (): Readonly<OptimiserView> => this.#optimiser!.view();

  /**
   * Starts an optimiser on its predecessor's snapshot (as a successor reads it from the state
   * store); resolves once its start settled.
   */
  startOptimiser(): Promise<void> {
    const previous = this.#optimiser?.snapshot();
    const create = () => (this.#optimiser = new Optimiser(this.env, previous));
    const supervisor = new Supervisor({
      name: `optimiser-${this.#optimisers.length}`,
      transport: this.transport,
      children: [{ name: "optimiser", create }],
      maxRestarts: 0,
    });
    this.#optimisers.push(supervisor);
    return supervisor.start();
  }

  /** Stops the newest optimiser. */
  async stopOptimiser(): Promise<void> {
    await this.#optimisers.at(-1)?.stop();
  }

  /** Stops every supervisor, then the transport and registry. */
  async stop(): Promise<void> {
    for (const supervisor of [...this.#optimisers].reverse()) await supervisor.stop();
    await this.#peers.stop();
    await this.transport.close();
    await this.registry.close();
  }
}

/** The step with the highest MCC (the first of equals, as the run picks it). */
function bestStep(steps: Extract<FactoryCommand, { kind: "opt_step" }>[]) {
  return steps.reduce((top, step) => mccOf(step.params) > mccOf(top.params) ? step : top);
}

/** Runs `body` with a started harness and always stops it. */
async function withHarness(
  config: RetuneConfig,
  answer: Answer,
  body: (harness: Harness) => Promise<void>,
): Promise<void> {
  const harness = new Harness(config, answer);
  try {
    await harness.start();
    await body(harness);
  } finally {
    await harness.stop();
  }
}

Deno.test("train retrains with the configured parameters and records the job", {
  permissions: "none",
}, async () => {
  const config = testConfig();
  await withHarness(config, honestFactory(), async ({ observer, factory, view }) => {
    await observer.instruct("train", 1);
    await eventually(() => view().jobs.length === 1, { what: "the train job is recorded" });

    assert.deepEqual(factory.kinds(), ["train"]);
    assert.deepEqual(factory.of("train")[0].params, config.model.initialParams);
    assert.deepEqual(
      { ...view().jobs[0], wallMs: 0 },
      {
        action: "train",
        status: "completed",
        reason: "model v1, held-out MCC 0.500",
        modelVersion: 1,
        wallMs: 0,
        evaluations: 1,
      },
    );
    assert.equal(view().busy, false);
  });
});

Deno.test(
  "the live model's score in the triggering report reaches the factory's train and finalise",
  {
    permissions: "none",
  },
  async () => {
    await withHarness(testConfig(), honestFactory(), async ({ observer, factory, view }) => {
      await observer.instruct("train", 1, { liveVersion: 0, liveMcc: 0.049 });
      await eventually(() => view().jobs.length === 1, { what: "the train job is recorded" });
      await observer.instruct("optimise", 2, { liveVersion: 1, liveMcc: 0.12 });
      await eventually(() => view().jobs.length === 2, { what: "the optimisation ends" });
      await observer.instruct("train", 3);
      await eventually(() => view().jobs.length === 3, { what: "the scheduled-like train ends" });
      const [first, last] = factory.of("train");
      assert.deepEqual([first.liveVersion, first.liveMcc], [0, 0.049]);
      assert.deepEqual([last.liveVersion, last.liveMcc], [null, null], "none without a report");
      const [finalise] = factory.of("opt_finalise");
      assert.deepEqual([finalise.liveVersion, finalise.liveMcc], [1, 0.12]);
    });
  },
);

Deno.test("a train the factory fails is recorded as failed", { permissions: "none" }, async () => {
  const answer: Answer = (command) => ({
    kind: "failed",
    requestId: command.requestId,
    runId: null,
    reason: "no dataset yet",
  });
  await withHarness(testConfig(), answer, async ({ observer, view }) => {
    await observer.instruct("train", 1);
    await eventually(() => view().jobs.length === 1, { what: "the train job is recorded" });
    assert.deepEqual(
      { ...view().jobs[0], wallMs: 0 },
      {
        action: "train",
        status: "failed",
        reason: "factory failed 'train': no dataset yet",
        modelVersion: null,
        wallMs: 0,
        evaluations: 0,
      },
    );
    assert.equal(view().busy, false);
  });
});

Deno.test(
  "optimise runs init, its steps and finalise with the best; the next run tests the reused points again first; train uses the best",
  { permissions: "none" },
  async () => {
    const config = testConfig();
    const { evaluations, reuse } = config.optimiser;
    await withHarness(config, honestFactory(), async ({ observer, factory, view }) => {
      const runIds: string[] = [];
      let reused: unknown[] = [];
      for (const [index, expectedSteps] of [evaluations, evaluations].entries()) {
        const before = factory.commands.length;
        await observer.instruct("optimise", index + 1);
        await eventually(() => view().jobs.length === index + 1, {
          what: `optimisation ${index + 1} ends`,
        });
        const run = factory.commands.slice(before);

        assert.deepEqual(
          run.map((command) => command.kind),
          ["opt_init", ...Array(expectedSteps).fill("opt_step"), "opt_finalise"],
        );
        const ids = new Set(run.map((command) => "runId" in command ? command.runId : null));
        assert.equal(ids.size, 1, "every command of a run carries its run id");
        runIds.push([...ids][0]!);
        const steps = run.filter((c) => c.kind === "opt_step");
        assert.deepEqual(steps.map((step) => step.stepId), [...Array(expectedSteps).keys()]);
        for (const step of steps) {
          assert.equal(step.params.alpha, config.model.initialParams.alpha);
          assert.equal(step.params.r, config.model.initialParams.r);
        }
        assert.deepEqual(
          steps.slice(0, reused.length).map((step) => step.params),
          reused,
          "the previous run's best are tested again first",
        );
        reused = [...steps].sort((a, b) => mccOf(b.params) - mccOf(a.params)).slice(0, reuse)
          .map((step) => step.params);
        const best = bestStep(steps);
        const finalise = run.at(-1)!;
        assert.ok(finalise.kind === "opt_finalise");
        assert.deepEqual(finalise.params, best.params);
        assert.deepEqual(view().currentParams, best.params);
        assert.equal(view().previous.length, expectedSteps);
        assert.deepEqual(
          { ...view().jobs[index], wallMs: 0 },
          {
            action: "optimise",
            status: "completed",
            reason: `model v${index + 1}, best held-out MCC ${mccOf(best.params).toFixed(3)}`,
            modelVersion: index + 1,
            wallMs: 0,
            evaluations: expectedSteps,
          },
        );
        assert.equal(view().busy, false);
      }
      assert.notEqual(runIds[0], runIds[1], "each run has its own id");

      await observer.instruct("train", 3);
      await eventually(() => view().jobs.length === 3, { what: "the train job is recorded" });
      assert.equal(factory.commands.at(-1)?.kind, "train");
      assert.deepEqual(factory.of("train")[0].params, view().currentParams);
      assert.equal(view().jobs[2].status, "completed");
      assert.equal(view().busy, false);
    });
  },
);

Deno.test(
  "instructions arriving while a job runs are dropped and counted",
  { permissions: "none" },
  async () => {
    const release = Promise.withResolvers<void>();
    const honest = honestFactory();
    // The first train is held until released, so the job is still running.
    let held = false;
    const answer: Answer = async (command) => {
      if (!held) {
        held = true;
        await release.promise;
      }
      return honest(command);
    };
    await withHarness(testConfig(), answer, async ({ observer, factory, view }) => {
      try {
        await observer.instruct("train", 1);
        await eventually(() => factory.commands.length === 1, {
          what: "the factory has the train command",
        });
        assert.equal(view().busy, true);

        await observer.instruct("optimise", 2);
        await observer.instruct("train", 3);
        await eventually(() => view().dropped === 2, { what: "both instructions are dropped" });
      } finally {
        release.resolve();
      }
      await eventually(() => view().jobs.length === 1, { what: "the held job ends" });
      assert.equal(view().busy, false);

      // Accepted again; the factory's mailbox is in order, so a command for a dropped instruction
      // would show before this one.
      await observer.instruct("train", 4);
      await eventually(() => view().jobs.length === 2, { what: "the next train job is recorded" });
      assert.deepEqual(factory.kinds(), ["train", "train"]);
      assert.deepEqual(view().jobs.map((job) => job.status), ["completed", "completed"]);
      assert.equal(view().dropped, 2);
      assert.equal(view().busy, false);
    });
  },
);

Deno.test(
  "a factory that stops answering mid-run: the run is abandoned after retries + 1 step deadlines and aborted",
  { permissions: "none" },
  async () => {
    const stepDeadlineMs = 40;
    const config = testConfig({ evaluations: 4, reuse: 0, initialPoints: 2, stepDeadlineMs });
    const { retries } = config.optimiser;
    const answeredSteps = 2;
    const honest = honestFactory();
    const answer: Answer = (command) =>
      command.kind === "opt_step" && command.stepId >= answeredSteps ? null : honest(command);
    // Deadlines are timers: on a fake clock they expire exactly when the test says so.
    const clock = FakeTimers.install({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    try {
      await withHarness(config, answer, async ({ observer, factory, view }) => {
        const attempts = () =>
          factory.of("opt_step").filter((step) => step.stepId === answeredSteps).length;
        await observer.instruct("optimise", 1);
        await eventually(() => attempts() === 1, { what: "the first unanswered step is sent" });
        const silentSince = clock.now;

        for (let attempt = 1; attempt <= retries + 1; attempt++) {
          await clock.tickAsync(stepDeadlineMs - 1);
          assert.equal(attempts(), attempt, `attempt ${attempt} waits its whole deadline`);
          assert.ok(!factory.kinds().includes("opt_abort"));
          await clock.tickAsync(1);
          if (attempt <= retries) {
            await eventually(() => attempts() === attempt + 1, {
              what: `retry ${attempt} is sent`,
            });
          }
        }
        await eventually(() => view().jobs.length === 1, { what: "the run is abandoned" });
        assert.equal(clock.now - silentSince, (retries + 1) * stepDeadlineMs);
        assert.equal(attempts(), retries + 1);

        const [init] = factory.of("opt_init");
        await eventually(() => factory.of("opt_abort").length === 1, {
          what: "the factory hears opt_abort",
        });
        const [abort] = factory.of("opt_abort");
        assert.equal(abort.runId, init.runId);
        assert.match(abort.reason, /step 2: .*within 40 ms \(after 2 attempts\)/);
        assert.equal(factory.of("opt_finalise").length, 0);
        assert.deepEqual(
          { ...view().jobs[0], wallMs: 0 },
          {
            action: "optimise",
            status: "abandoned",
            reason: abort.reason,
            modelVersion: null,
            wallMs: 0,
            evaluations: answeredSteps,
          },
        );
        assert.equal(view().currentParams, null, "an abandoned run changes no parameters");
        assert.equal(view().busy, false);

        await observer.instruct("train", 2);
        await eventually(() => view().jobs.length === 2, { what: "the next instruction is taken" });
        assert.equal(view().jobs[1].status, "completed");
        assert.deepEqual(factory.of("train")[0].params, config.model.initialParams);
        assert.equal(view().busy, false);
      });
    } finally {
      clock.uninstall();
    }
  },
);

Deno.test(
  "stopping the optimiser mid-run ends its job, aborting the run, before the stop returns",
  { permissions: "none" },
  async () => {
    // Deadlines far away: only the stop can end the run.
    const config = testConfig({ stepDeadlineMs: 60_000 });
    const honest = honestFactory();
    const answer: Answer = (command) => command.kind === "opt_step" ? null : honest(command);
    await withHarness(config, answer, async (harness) => {
      const { observer, factory, view } = harness;
      await observer.instruct("optimise", 1);
      await eventually(() => factory.of("opt_step").length === 1, {
        what: "the first step is sent",
      });
      assert.equal(view().busy, true);

      await harness.stopOptimiser();
      assert.equal(view().busy, false);
      assert.equal(view().jobs.length, 1);
      assert.equal(view().jobs[0].status, "abandoned");
      assert.match(view().jobs[0].reason, /optimiser stopping/);
      await eventually(() => factory.of("opt_abort").length === 1, {
        what: "the factory hears opt_abort",
      });
      assert.equal(factory.of("opt_abort")[0].runId, factory.of("opt_init")[0].runId);
      assert.equal(factory.of("opt_step").length, 1, "nothing is sent after the stop");
    });
  },
);

Deno.test("a stopped optimiser hands over leadership: its successor takes the next instruction", {
  permissions: "none",
}, async () => {
  await withHarness(testConfig(), honestFactory(), async (harness) => {
    const { observer, view } = harness;
    await observer.instruct("train", 1);
    await eventually(() => view().jobs.length === 1, {
      what: "the first optimiser's job is recorded",
    });
    await harness.stopOptimiser();

    // Not awaited: without the hand-over its start would wait for leadership forever.
    const started = harness.startOptimiser();
    await observer.instruct("train", 2);
    await eventually(() => view().jobs.length === 2, { what: "the successor's job is recorded" });
    await started;
    assert.deepEqual(view().jobs.map((job) => job.status), ["completed", "completed"]);
    assert.equal(view().busy, false);
  });
});

Deno.test(
  "a successor optimiser resumes from its predecessor's snapshot: best parameters and samples",
  {
    permissions: "none",
  },
  async () => {
    const config = testConfig();
    const { evaluations, reuse } = config.optimiser;
    await withHarness(config, honestFactory(), async (harness) => {
      const { observer, factory, view } = harness;
      await observer.instruct("optimise", 1);
      await eventually(() => view().jobs.length === 1, { what: "the first optimisation ends" });
      const best = view().currentParams;
      assert.notEqual(best, null);
      const predecessor = [...view().previous].sort((a, b) => b.mcc - a.mcc).map((e) => e.params);
      await harness.stopOptimiser();

      await harness.startOptimiser();
      assert.deepEqual(view().currentParams, best);
      await observer.instruct("train", 2);
      await eventually(() => view().jobs.length === 2, {
        what: "the successor's retrain is recorded",
      });
      assert.deepEqual(factory.of("train")[0].params, best, "the retrain uses the best found");

      const before = factory.commands.length;
      await observer.instruct("optimise", 3);
      await eventually(() => view().jobs.length === 3, {
        what: "the successor's optimisation ends",
      });
      const steps = factory.commands.slice(before).filter((c) => c.kind === "opt_step");
      assert.equal(steps.length, evaluations);
      assert.deepEqual(
        steps.slice(0, reuse).map((step) => step.params),
        predecessor.slice(0, reuse),
        "it tests the predecessor's best samples again first",
      );
    });
  },
);
