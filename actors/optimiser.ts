/**
 * The optimiser: turns the observer's instructions into work for the factory.
 * - `train`: the factory retrains with the current best hyper-parameters on its newest dataset.
 * - `optimise`: a Bayesian optimisation run (ask/tell) over the factory protocol; the best
 *   candidate becomes the model and its parameters the new current ones. The best samples of the
 *   previous run are reused, as the reference system does, but tested again on the run's dataset
 *   first (the reference system told their old scores).
 * One job at a time: instructions that arrive while a job runs are logged and dropped (the
 * observer will ask again if the new model does not help). Every request has a deadline, so a
 * lost factory only ever costs a few deadlines.
 *
 * The leader keeps its state and the run under way in the state store, fenced by its leadership.
 * An optimiser that takes over from one that died mid-run ends that run cleanly: it tells the
 * factory to abort it and records it as abandoned, with the reason (a run's frozen dataset and
 * in-flight steps belong to the optimiser that started it, so it is not resumed).
 *
 * @module
 */

import { nanoid } from "nanoid";
import type { HyperParameters } from "../core/hyper_parameters.ts";
import type { Instruction, LiveScore } from "../protocol/messages.ts";
import { createStrategy } from "../config/build_policies.ts";
import { type Point, RTCEF_SPACE } from "../policies/search/space.ts";
import type { Leadership } from "../registry/registry.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { receive, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import { lead } from "./leadership.ts";
import { FactoryClient } from "./optimiser/factory_client.ts";
import {
  type Evaluation,
  runOptimisation,
  type RunProgress,
} from "./optimiser/optimisation_run.ts";
import { type DurableState, durableState } from "./durable_state.ts";
import {
  type DurableOptimiser,
  durableOptimiserSchema,
  OPTIMISER_STATE_KEY,
  type StoredRun,
} from "./optimiser/durable_run.ts";
import {
  type AdaptationRecord,
  OptimiserState,
  type OptimiserView,
} from "./optimiser/optimiser_state.ts";

/** The optimiser role. */
export class Optimiser implements Behaviour {
  readonly #env: RoleEnvironment;
  #state: OptimiserState;
  #durable: DurableState<DurableOptimiser> | undefined;
  /** The run under way, as persisted. */
  #run: StoredRun | null = null;
  #client: FactoryClient | null = null;
  #leadership: Leadership | null = null;
  #job: Promise<void> | null = null;

  /** `previous` is the snapshot a restarted optimiser's predecessor left. */
  constructor(env: RoleEnvironment, previous?: unknown) {
    this.#env = env;
    this.#state = previous === undefined ? new OptimiserState() : OptimiserState.restore(previous);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot();
  }

  /** What the optimiser reports (its jobs, parameters, whether one runs). */
  view(): Readonly<OptimiserView> {
    return this.#state.view();
  }

  /**
   * Becomes the one optimiser, adopts the last leader's stored state (ending a run it left), then
   * listens to the factory's reports and to instructions.
   */
  async start(context: ActorContext): Promise<void> {
    const { topics } = this.#env;
    this.#leadership = await lead(context, this.#env, "optimiser");
    const client = new FactoryClient((command) =>
      send(context, topics.factoryCommands, "FactoryCommand", command).then(() => {})
    );
    this.#client = client;
    await this.#adopt(context, client);
    await receive(context, {
      topic: topics.factoryReports,
      group: `optimiser.reports.${this.#env.instance}`,
      type: "FactoryReport",
      start: "latest",
      deadLetterTopic: topics.deadLetters,
      handler: (messages) => {
        for (const { payload } of messages) client.deliver(payload);
        return Promise.resolve();
      },
    });
    await receive(context, {
      topic: topics.instructions,
      group: "optimiser",
      type: "Instruction",
      deadLetterTopic: topics.deadLetters,
      handler: (messages) => {
        for (const { payload } of messages) this.#accept(context, client, payload);
        return Promise.resolve();
      },
    });
  }

  /**
   * Adopts the stored state, which wins over a snapshot handed over in this process (a stopping
   * optimiser flushes its saves, so the stored one is as new, or newer if another process led
   * since). A run the last leader left unfinished is aborted at the factory and recorded.
   */
  async #adopt(context: ActorContext, client: FactoryClient): Promise<void> {
    this.#durable = durableState(
      this.#env,
      context,
      OPTIMISER_STATE_KEY,
      durableOptimiserSchema,
      this.#leadership!,
    );
    const stored = await this.#durable.load();
    if (stored !== undefined) this.#state = OptimiserState.restore(stored.state);
    const left = stored?.run;
    if (left != null) {
      const told = left.evaluations.length;
      const best = told === 0 ? "none" : Math.max(...left.evaluations.map((e) => e.mcc)).toFixed(3);
      const reason = `the optimiser running it stopped after ${told} of ${left.asked} steps ` +
        `(best MCC ${best}); a run is not resumed by another optimiser`;
      context.logger.warn("optimisation {runId} abandoned: {reason}", {
        runId: left.runId,
        reason,
      });
      await client.abort(left.runId, reason);
      this.#state.jobs.push(Object.freeze({
        action: "optimise",
        status: "abandoned",
        reason,
        modelVersion: null,
        wallMs: 0,
        evaluations: told,
      }));
    }
    // Claiming it refuses any later write of a deposed predecessor.
    await this.#durable.claim(this.#stored());
  }

  /** What is stored: the snapshot and the run under way. */
  #stored(): DurableOptimiser {
    return { state: this.#state.snapshot(), run: this.#run };
  }

  /** Saves the state in the background (coalesced). */
  #save(): void {
    this.#durable?.save(this.#stored());
  }

  /** Starts a job unless one is running; the job runs beside the mailbox, not inside it. */
  #accept(context: ActorContext, client: FactoryClient, instruction: Instruction): void {
    if (this.#job !== null) {
      this.#state.dropped++;
      this.#save();
      context.logger.info("busy: dropped '{action}' from report {reportId}", { ...instruction });
      return;
    }
    this.#state.busy = true;
    // Passed on as it came; the factory's gate reads it only when both are there.
    const { liveVersion, liveMcc } = instruction;
    const live: LiveScore = { liveVersion, liveMcc };
    const job = instruction.action === "train"
      ? this.#retrain(client, instruction.datasetVersion ?? null, live)
      : this.#optimise(context, client, instruction.since ?? null, live);
    this.#job = job.then(
      (record) => {
        this.#state.jobs.push(Object.freeze(record));
        this.#run = null;
        this.#save();
        context.logger.info("{action} {status}: {reason}", { ...record });
      },
      (error) => context.fail(error),
    ).finally(() => {
      this.#job = null;
      this.#state.busy = false;
    });
  }

  /** Retrains on `datasetVersion` (null: the newest); `live`: how the live model fares. */
  async #retrain(
    client: FactoryClient,
    datasetVersion: number | null,
    live: LiveScore,
  ): Promise<AdaptationRecord> {
    const started = performance.now();
    const params = this.#currentParams();
    const wallMs = () => performance.now() - started;
    try {
      const report = await client.request(
        { kind: "train", params, datasetVersion, ...live },
        this.#env.config.optimiser.trainDeadlineMs,
      );
      if (report.kind !== "trained") throw new Error(`unexpected report '${report.kind}'`);
      return {
        action: "train",
        status: "completed",
        ...served({
          modelVersion: report.modelVersion,
          shipped: report.shipped ?? true,
          decision: report.decision ?? null,
        }, `held-out MCC ${report.metrics.mcc.toFixed(3)}`),
        wallMs: wallMs(),
        evaluations: 1,
      };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        action: "train",
        status: "failed",
        reason,
        modelVersion: null,
        wallMs: wallMs(),
        evaluations: 0,
      };
    }
  }

  /**
   * A run whose candidates are tested on the data from `since` on (null: the whole dataset);
   * `live`: how the live model fares, for the factory's gate.
   */
  async #optimise(
    context: ActorContext,
    client: FactoryClient,
    since: number | null,
    live: LiveScore,
  ): Promise<AdaptationRecord> {
    const settings = this.#env.config.optimiser;
    const started = performance.now();
    const runIndex = this.#state.jobs.filter((j) => j.action === "optimise").length;
    // The previous run's best points are tested again on this run's dataset and told with those
    // scores: their old ones were measured on other data (another regime, after a drift), and told
    // as they were they steered the search there.
    const reuse = Math.min(settings.reuse, this.#state.previous.length);
    const recheck = [...this.#state.previous].sort((a, b) => b.mcc - a.mcc).slice(0, reuse);
    const strategyFor = (rechecked: readonly Evaluation[]) =>
      createStrategy(settings, {
        space: RTCEF_SPACE,
        seed: settings.seed + runIndex,
        reuse: {
          samples: rechecked.map((e) => ({ point: e.point, value: e.mcc })),
          count: rechecked.length,
        },
      });
    const runId = `run-${nanoid(8)}`;
    const observe = ({ asked, evaluations }: RunProgress) => {
      this.#run = { runId, asked, evaluations: [...evaluations] };
      this.#save();
    };
    observe({ runId, asked: 0, evaluations: [] });
    const outcome = await runOptimisation(
      runId,
      client,
      strategyFor,
      (point) => this.#paramsOf(point),
      {
        evaluations: settings.evaluations - reuse,
        concurrency: settings.stepsInFlight ?? this.#env.config.factory.concurrency,
        initDeadlineMs: settings.initDeadlineMs,
        stepDeadlineMs: settings.stepDeadlineMs,
        finaliseDeadlineMs: settings.finaliseDeadlineMs,
        retries: settings.retries,
        since,
        live,
        recheck: recheck.map((e) => e.point),
      },
      observe,
    );
    const wallMs = performance.now() - started;
    if (outcome.status === "abandoned") {
      context.logger.warn("optimisation {runId} abandoned: {reason}", { ...outcome });
      return {
        action: "optimise",
        status: "abandoned",
        reason: outcome.reason,
        modelVersion: null,
        wallMs,
        evaluations: outcome.evaluations.length,
      };
    }
    this.#state.previous = outcome.evaluations;
    this.#state.currentParams = outcome.best.params;
    return {
      action: "optimise",
      status: "completed",
      ...served(outcome, `best held-out MCC ${outcome.best.mcc.toFixed(3)}`),
      wallMs,
      evaluations: outcome.evaluations.length,
    };
  }

  #currentParams(): HyperParameters {
    return this.#state.currentParams ?? this.#env.config.model.initialParams;
  }

  /** A search point as full hyper-parameters (alpha and r stay as configured). */
  #paramsOf(point: Point): HyperParameters {
    const base = this.#env.config.model.initialParams;
    return {
      ...base,
      order: point.order,
      threshold: point.threshold,
      pMin: point.pMin,
      gamma: point.gamma,
    };
  }

  /**
   * Ends the running job (its requests are rejected, a run is aborted) before handing over
   * leadership, so no job outlives this incarnation and a successor is not kept waiting.
   */
  async postStop(): Promise<void> {
    this.#client?.close("optimiser stopping");
    await this.#job;
    // A save that failed was reported when it failed; the rest are written before the hand-over.
    await this.#durable?.flush().catch(() => {});
    await this.#leadership?.resign();
  }
}

/**
 * The reason and model version a completed job records: the model it shipped, with `scored`, or
 * the live model kept, which is no new version (nothing was swapped in).
 */
function served(
  { modelVersion, shipped, decision }: {
    modelVersion: number;
    shipped: boolean;
    decision: string | null;
  },
  scored: string,
): { reason: string; modelVersion: number | null } {
  if (!shipped) {
    return { reason: decision ?? `kept the live model v${modelVersion}`, modelVersion: null };
  }
  const why = decision == null ? "" : `; ${decision}`;
  return { reason: `model v${modelVersion}, ${scored}${why}`, modelVersion };
}
