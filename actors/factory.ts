/**
 * The factory: assembles datasets and builds models. It
 * 1. becomes the one factory and, if no model exists yet, trains the initial model on the
 *    configured offline training stream,
 * 2. assembles each announced dataset version from its buckets (weighted by the collection
 *    policy), stores it, tells the collector, keeps the newest and deletes the ones no longer
 *    needed (never the one a running optimisation froze),
 * 3. serves the optimiser: `train` (retrain on the newest dataset), and an optimisation's
 *    `opt_init` (freeze the newest dataset), `opt_step` (train + test one candidate on
 *    held-out data, in a worker), `opt_finalise` (fit the best on the frozen dataset and ship it)
 *    and `opt_abort`,
 * 4. ships each model: artifact to the store, version to the catalogue, announcement to engines.
 *
 * The leader keeps its state (newest dataset, runs under way, models shipped) in the state store,
 * saved at each change and fenced by its leadership; a factory that takes over in another process
 * adopts it, then recovers: the ledger rolls back what the dead factory held, and the runs it
 * served are frozen again under the new factory's lease.
 *
 * @module
 */

import type { CreationMethod, DatasetVersion, ModelVersion } from "../core/versions.ts";
import type {
  CandidateJob,
  FactoryCommand,
  FactoryReport,
  LiveScore,
} from "../protocol/messages.ts";
import type { HyperParameters } from "../core/hyper_parameters.ts";
import type { Scores } from "../core/scores.ts";
import type { ModelArtifact, ModelMetrics } from "../models/model.ts";
import type { ModelRecord } from "../core/model_record.ts";
import { chooseModel } from "./factory/model_choice.ts";
import { scoresPart } from "../models/scoring.ts";
import { encodeArtifact } from "../models/artifact_codec.ts";
import { readHeads } from "./factory/training_heads.ts";
import { sourceSpecOf } from "../config/build_source.ts";
import type { Leadership } from "../registry/registry.ts";
import type { DatasetLedger } from "../registry/dataset_ledger.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { receive, send } from "./messaging.ts";
import { type RoleEnvironment, storageSpecOf } from "./environment.ts";
import { lead } from "./leadership.ts";
import { encodeDataset } from "./factory/dataset_file.ts";
import type { RivalResult, TrainingJob, TrainingResult } from "./factory/training_job.ts";
import { WorkerPool } from "./factory/worker_pool.ts";
import { CandidateDispatcher, serveCandidateJobs } from "./factory/candidate_work.ts";
import type { AssemblyJob, AssemblyResult } from "./factory/assembly_job.ts";
import type { BatchContext } from "../transport/transport.ts";
import {
  type Dataset,
  type FactorySnapshot,
  FactoryState,
  type FactoryView,
} from "./factory/factory_state.ts";
import { type DurableState, durableState, restoredBy } from "./durable_state.ts";

/** `asked` with the threshold the job measured its model at (tuned or asked), logged if moved. */
function tunedParams(
  context: ActorContext,
  asked: HyperParameters,
  result: TrainingResult,
): HyperParameters {
  if (result.threshold !== asked.threshold) {
    context.logger.info("threshold {asked} tuned to {tuned} on held-out data", {
      asked: asked.threshold,
      tuned: result.threshold,
    });
  }
  return { ...asked, threshold: result.threshold };
}

/** Where the factory leader keeps its state. */
const STATE_KEY = { role: "factory", name: "leader" };

/**
 * A focused test set holds at least this many forecast horizons of events per key: a shorter
 * stretch is mostly forecasts that cannot resolve inside it. Four, as asked before, refused every
 * focused split of a week on a stream of many keys (the drift bench's card-fraud-like streams: 16
 * keys, 125 events each a week), so candidates were judged on the regime that had just ended.
 */
const FOCUS_HORIZONS = 1;

/** What a shipped model was made from and for. */
interface ShipOrigin {
  /** The command it answers; null for the initial model. */
  requestId: string | null;
  params: HyperParameters;
  /** The dataset it was trained on (version -1: the offline stream). */
  dataset: { version: number };
  /** When its making began, `performance.now()`. */
  started: number;
  /** The earlier version it is a copy of (`factory.gate.recall`), and why it was chosen. */
  recalledFrom?: number;
  decision?: string;
}

/** What a shipped model is: its artifact, encoded, its held-out scores and its data's end. */
interface Made {
  artifact: Uint8Array;
  metrics: ModelMetrics;
  splits: Scores[];
  trainedUntil: number | null;
}

/** A model in the catalogue a new one is compared with. */
interface StoredRival {
  record: ModelRecord;
  live: boolean;
}

/** The model in service after a command, and why it is that one (null: the gate is off). */
interface Answer {
  model: ModelVersion;
  decision: string | null;
  /** False: the live model was kept, nothing shipped. */
  shipped: boolean;
}

/** What a version recalled by the factory said of itself; null for any other. */
function decisionOf(model: ModelVersion): string | null {
  return model.recalledFrom == null ? null : `recalled v${model.recalledFrom}`;
}

/** The factory role. */
export class Factory implements Behaviour {
  readonly #env: RoleEnvironment;
  #state: FactoryState;
  #durable: DurableState<FactorySnapshot> | undefined;
  #leadership: Leadership | null = null;
  #pool: WorkerPool<TrainingJob, TrainingResult> | null = null;
  /** Set when candidates go to the work topic (`factory.distribute`) and this factory leads. */
  #dispatcher: CandidateDispatcher | null = null;
  #assembler: WorkerPool<AssemblyJob, AssemblyResult> | null = null;
  /** Settles when the assembly under way ends; null when none is. */
  #assembling: PromiseWithResolvers<void> | null = null;
  readonly #inFlight = new Set<Promise<void>>();
  /**
   * Jobs reading each dataset version outside an optimisation run (retrains): a newer assembly
   * must not delete a dataset a job is about to read. In memory only: the jobs die with the
   * process, and a superseded dataset is released when its last job ends.
   */
  readonly #reading = new Map<number, number>();

  /** `previous` is the snapshot a restarted factory's predecessor left. */
  constructor(env: RoleEnvironment, previous?: unknown) {
    this.#env = env;
    this.#state = previous === undefined ? new FactoryState() : FactoryState.restore(previous);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot();
  }

  /** What the factory reports (datasets, candidates, models shipped, runs under way). */
  view(): Readonly<FactoryView> {
    return this.#state.view();
  }

  /**
   * Becomes the factory, adopts the last leader's stored state, makes sure a model exists, then
   * serves datasets and commands.
   */
  async start(context: ActorContext): Promise<void> {
    const { topics, config } = this.#env;
    if (config.factory.distribute) {
      // A standby tests candidates too: it takes work before, and while, it waits to lead.
      this.#pool = this.#newPool();
      await serveCandidateJobs(
        context,
        this.#env,
        (job) => this.#runCandidate(job),
        () => this.#state.candidateJobsRun++,
      );
    }
    this.#leadership = await lead(context, this.#env, "factory");
    await this.#adopt(context);
    this.#pool ??= this.#newPool();
    if (config.factory.distribute) {
      this.#dispatcher = await CandidateDispatcher.start(context, this.#env);
    }
    // One assembler: versions are assembled in the order they were announced. A fleet's models
    // share the system's (one job of a model at a time, so each model's stay in order).
    if (this.#env.assemblyPool === undefined) {
      this.#assembler = new WorkerPool(new URL("./factory/assembly_worker.ts", import.meta.url), 1);
    }
    if ((await this.#env.catalog.latest()) === undefined) await this.#trainInitialModel(context);
    await this.#recover(context);
    // Claiming it refuses any later write of a deposed predecessor.
    await this.#durable!.claim(this.#state.snapshot());
    this.#serveAccepted(context);
    await receive(context, {
      topic: topics.datasetVersions,
      group: "factory.datasets",
      type: "DatasetVersion",
      deadLetterTopic: topics.deadLetters,
      handler: async (messages, batch) => {
        for (const { payload } of messages) await this.#assemble(context, payload, batch);
      },
    });
    await receive(context, {
      topic: topics.factoryCommands,
      group: "factory.commands",
      type: "FactoryCommand",
      deadLetterTopic: topics.deadLetters,
      handler: async (messages) => {
        // Commands run beside the mailbox so steps can overlap up to the pool's size; their
        // offsets commit once this returns, so they are stored as accepted first.
        const taken = messages.map(({ payload }) => payload)
          .filter((command) => !this.#state.accepted.has(command.requestId));
        if (taken.length === 0) return;
        for (const command of taken) this.#state.accepted.set(command.requestId, command);
        this.#save();
        await this.#durable!.flush();
        for (const command of taken) this.#track(this.#serve(context, command));
      },
    });
  }

  /** Serves the commands a predecessor took and did not answer (it died or stopped serving them). */
  #serveAccepted(context: ActorContext): void {
    const left = [...this.#state.accepted.values()];
    if (left.length === 0) return;
    context.logger.info(
      "serving {count} commands the last leader took and did not answer: {kinds}",
      {
        count: left.length,
        kinds: left.map((command) => command.kind).join(", "),
      },
    );
    for (const command of left) this.#track(this.#serve(context, command));
  }

  /**
   * Adopts the last leader's stored state. It wins over a snapshot handed over in this process:
   * a predecessor flushes its saves when it stops, so the stored one is as new, or newer when a
   * leader in another process wrote it since.
   */
  async #adopt(context: ActorContext): Promise<void> {
    this.#durable = durableState(
      this.#env,
      context,
      STATE_KEY,
      restoredBy(FactoryState.restore),
      this.#leadership!,
    );
    const stored = await this.#durable.load();
    if (stored === undefined) return;
    this.#state = FactoryState.restore(stored);
    context.logger.info(
      "adopting the last leader's state: {runs} runs under way, dataset {latest}",
      {
        runs: stored.runs.length,
        latest: stored.latest?.version ?? "none",
      },
    );
  }

  /** Saves the state in the background (coalesced): a successor adopts it. */
  #save(): void {
    this.#durable?.save(this.#state.snapshot());
  }

  /** The ledger, its writes fenced by this factory's leadership and held under its lease. */
  get #ledger(): DatasetLedger {
    const { ledger, instance } = this.#env;
    const leadership = this.#leadership!;
    return ledger.heldBy({ name: instance, lease: leadership.lease, fence: leadership.fence });
  }

  /**
   * Ends what a dead factory left (its freezes), assembles anew what it left half done, and
   * freezes again, under this factory's lease, the datasets of the runs it carried over.
   */
  async #recover(context: ActorContext): Promise<void> {
    const unheld: Pick<BatchContext, "heartbeat" | "stopping"> = {
      heartbeat: () => Promise.resolve(),
      stopping: context.signal,
    };
    for (const { kind, reason, dataset } of await this.#ledger.recover()) {
      context.logger.warn("{reason}", { reason });
      if (kind === "assembly") await this.#assemble(context, dataset, unheld);
    }
    for (const [runId, dataset] of this.#state.runs) {
      if (dataset.version < 0) continue;
      await this.#ledger.freeze(dataset.version, runId).catch((error) => {
        context.logger.warn("run {runId} keeps dataset v{version} unfrozen: {reason}", {
          runId,
          version: dataset.version,
          reason: error instanceof Error ? error.message : String(error),
        });
      });
    }
  }

  /** Model v0: trained offline on the configured training stream, before forecasting starts. */
  async #trainInitialModel(context: ActorContext): Promise<void> {
    const { initialTraining, source, initialParams } = this.#env.config.model;
    const started = performance.now();
    if (initialTraining.file === undefined) {
      throw new Error(
        "no model exists and model.initialTraining.file is not set (nor replayer.file to default to)",
      );
    }
    // A fleet's factories share one pass over the file; a factory alone reads its own.
    const { events: training, rejected } =
      await this.#env.trainingHeads?.take(this.#env.serves.name) ??
        (await readHeads(initialTraining.file, sourceSpecOf(source), [{
          head: initialTraining,
          select: this.#env.serves.select,
        }]))[0];
    if (rejected.length > 0) {
      context.logger.warn("initial training stream: {count} bad rows skipped, first: {first}", {
        count: rejected.length,
        first: `line ${rejected[0].line}: ${rejected[0].reason}`,
      });
    }
    const uri = await this.#env.artifacts.put("datasets", "initial.jsonl", encodeDataset(training));
    const dataset = { version: -1, uri, events: training.length };
    const result = await this.#job(dataset, initialParams, true);
    await this.#env.artifacts.delete(uri);
    const artifact = encodeArtifact(result.artifact as ModelArtifact);
    await this.#ship(context, "initial", { ...result, artifact }, {
      requestId: null,
      params: initialParams,
      dataset,
      started,
    });
  }

  /** Builds a dataset version from its buckets (in a worker) and stores it. */
  async #assemble(
    context: ActorContext,
    version: DatasetVersion,
    batch: Pick<BatchContext, "heartbeat" | "stopping">,
  ): Promise<void> {
    const ended = Promise.withResolvers<void>();
    this.#assembling = ended;
    try {
      await this.#assembleVersion(context, version, batch);
    } finally {
      if (this.#assembling === ended) this.#assembling = null;
      ended.resolve();
    }
  }

  async #assembleVersion(
    context: ActorContext,
    version: DatasetVersion,
    batch: Pick<BatchContext, "heartbeat" | "stopping">,
  ): Promise<void> {
    const { topics } = this.#env;
    const ledger = this.#ledger;
    const start = await ledger.beginAssembly(version.version);
    if (start === "released") return;
    if (start === "taken over") {
      context.logger.warn("took over the assembly of dataset v{version}: its owner's lease ended", {
        version: version.version,
      });
    }
    const job: AssemblyJob = {
      version: version.version,
      buckets: version.buckets,
      storage: storageSpecOf(this.#env.config),
      sampleSlices: this.#env.config.factory.sampleSlices,
    };
    const { assemblyPool, serves } = this.#env;
    const assembly = assemblyPool === undefined
      ? this.#assembler!.run(job)
      : assemblyPool.run(serves.name, job);
    // A large dataset takes seconds: keep the mailbox's group membership alive meanwhile.
    const beat = setInterval(
      () => batch.heartbeat().catch(() => {}),
      this.#env.config.factory.heartbeatMs,
    );
    let assembled;
    try {
      assembled = await assembly;
    } finally {
      clearInterval(beat);
    }
    const { uri, events } = assembled;
    await ledger.finishAssembly(version.version);
    const dataset = { version: version.version, uri, events };
    // A schedule tick's dataset waits aside for its retrain; the newest regular one stays.
    const previous = version.scheduled ? this.#state.scheduled : this.#state.latest;
    if (version.scheduled) this.#state.scheduled = dataset;
    else this.#state.latest = dataset;
    this.#state.datasetsAssembled++;
    this.#save();
    await send(context, topics.datasetsAssembled, "DatasetAssembled", {
      version: version.version,
      events,
      uri,
    });
    if (previous !== null) await this.#release(previous);
  }

  /** Runs `job`, which reads `dataset`, keeping the dataset from release until it ends. */
  async #readingDataset<T>(dataset: Dataset, job: () => Promise<T>): Promise<T> {
    const { version } = dataset;
    this.#reading.set(version, (this.#reading.get(version) ?? 0) + 1);
    try {
      return await job();
    } finally {
      const left = this.#reading.get(version)! - 1;
      if (left > 0) this.#reading.set(version, left);
      else {
        this.#reading.delete(version);
        // A failed delete leaves the file behind, as a failed prune does; the job's result stands.
        await this.#release(dataset).catch(() => {});
      }
    }
  }

  /**
   * Deletes a dataset nobody needs any more: not the newest, not frozen by a run, not read by a
   * retrain's job.
   */
  async #release(dataset: Dataset): Promise<void> {
    const frozen = [...this.#state.runs.values()].some((run) => run.version === dataset.version);
    const held = [this.#state.latest?.version, this.#state.scheduled?.version];
    if (frozen || held.includes(dataset.version) || this.#reading.has(dataset.version)) return;
    await this.#env.artifacts.delete(dataset.uri);
    await this.#ledger.release(dataset.version);
    this.#state.datasetsDeleted++;
    this.#save();
  }

  /**
   * Serves one accepted command, sends its report and forgets it; a past deadline means nobody
   * waits for it. A command cut short by this factory stopping stays accepted, unanswered: a
   * successor serves it (restart is not shutdown).
   */
  async #serve(context: ActorContext, command: FactoryCommand): Promise<void> {
    if (command.kind !== "opt_abort" && command.deadline < Date.now()) {
      context.logger.warn("dropped '{kind}': its deadline passed", { kind: command.kind });
      this.#forget(command);
      return;
    }
    let report: FactoryReport | null;
    try {
      report = await this.#execute(context, command);
    } catch (error) {
      if (context.signal.aborted) {
        context.logger.info("'{kind}' left to the next leader: this factory stops", {
          kind: command.kind,
        });
        return;
      }
      const reason = error instanceof Error ? error.message : String(error);
      context.logger.warn("'{kind}' failed: {reason}", { kind: command.kind, reason });
      report = {
        kind: "failed",
        requestId: command.requestId,
        runId: "runId" in command ? command.runId : null,
        reason,
      };
    }
    if (report !== null) {
      await send(context, this.#env.topics.factoryReports, "FactoryReport", report, {
        correlationId: command.requestId,
      });
    }
    this.#forget(command);
  }

  /** Drops an answered (or expired) command from the accepted ones. */
  #forget(command: FactoryCommand): void {
    if (this.#state.accepted.delete(command.requestId)) this.#save();
  }

  async #execute(context: ActorContext, command: FactoryCommand): Promise<FactoryReport | null> {
    const { requestId } = command;
    switch (command.kind) {
      case "train": {
        const { model, decision, shipped } = await this.#answered(context, requestId) ??
          await this.#retrain(context, command);
        return {
          kind: "trained",
          requestId,
          modelVersion: model.version,
          metrics: model.metrics,
          decision,
          shipped,
        };
      }
      case "opt_init": {
        const newest = await this.#newestDataset(command.deadline);
        await this.#ledger.freeze(newest.version, command.runId);
        const dataset = { ...newest, since: command.since ?? null };
        this.#state.runs.set(command.runId, dataset);
        this.#save();
        return {
          kind: "opt_ready",
          requestId,
          runId: command.runId,
          datasetVersion: dataset.version,
        };
      }
      case "opt_step": {
        const frozen = this.#requireRun(command.runId);
        const metrics = this.#dispatcher === null
          ? (await this.#job(frozen, command.params, false)).metrics
          : await this.#dispatcher.evaluate(
            command.runId,
            frozen,
            command.params,
            command.deadline,
          );
        this.#state.candidatesEvaluated++;
        this.#save();
        return {
          kind: "step_result",
          requestId,
          runId: command.runId,
          stepId: command.stepId,
          metrics,
        };
      }
      case "opt_finalise": {
        const { model, decision, shipped } = await this.#answered(context, requestId) ??
          await this.#finalModel(context, command);
        if (this.#state.runs.has(command.runId)) await this.#endRun(command.runId);
        return {
          kind: "opt_done",
          requestId,
          runId: command.runId,
          modelVersion: model.version,
          metrics: model.metrics,
          decision,
          shipped,
        };
      }
      case "opt_abort":
        if (this.#state.runs.has(command.runId)) await this.#endRun(command.runId);
        context.logger.info("run {runId} aborted: {reason}", { ...command });
        return null;
    }
  }

  /**
   * The model shipped already in answer to `requestId`, announced again, or undefined. A
   * predecessor that shipped it and died before it answered leaves the command to this
   * incarnation, which must not train a second model for one request.
   */
  async #shippedFor(context: ActorContext, requestId: string): Promise<ModelVersion | undefined> {
    const record = await this.#env.catalog.answering(requestId);
    if (record === undefined) return undefined;
    const { lineage: _lineage, artifactRetiredAt: _retired, ...model } = record;
    context.logger.info("model v{version} answers request {requestId} already: announced again", {
      version: model.version,
      requestId,
    });
    await this.#announce(context, model);
    return model;
  }

  /** The model shipped already in answer to `requestId`, with what it said of it, or undefined. */
  async #answered(context: ActorContext, requestId: string): Promise<Answer | undefined> {
    const model = await this.#shippedFor(context, requestId);
    return model === undefined ? undefined : { model, decision: decisionOf(model), shipped: true };
  }

  /**
   * Trains a model on the dataset a `train` command names (the newest by default) and puts the
   * chosen one in service (`#putInService`).
   */
  async #retrain(
    context: ActorContext,
    command: Extract<FactoryCommand, { kind: "train" }>,
  ): Promise<Answer> {
    const started = performance.now();
    const dataset = command.datasetVersion == null
      ? await this.#newestDataset(command.deadline)
      : await this.#datasetVersion(context, command.datasetVersion, command.deadline);
    const rivals = await this.#rivals();
    const result = await this.#readingDataset(
      dataset,
      () => this.#job(dataset, command.params, true, rivals),
    );
    const params = tunedParams(context, command.params, result);
    const made = { requestId: command.requestId, params, dataset, started };
    return await this.#putInService(context, "retrain", result, rivals, made, command);
  }

  /**
   * Trains an optimisation's final model on the dataset its run froze and puts the chosen one in
   * service (`#putInService`).
   */
  async #finalModel(
    context: ActorContext,
    command: Extract<FactoryCommand, { kind: "opt_finalise" }>,
  ): Promise<Answer> {
    const started = performance.now();
    const dataset = this.#requireRun(command.runId);
    const rivals = await this.#rivals();
    const result = await this.#job(dataset, command.params, true, rivals);
    const params = tunedParams(context, command.params, result);
    const made = { requestId: command.requestId, params, dataset, started };
    return await this.#putInService(context, "optimise", result, rivals, made, command);
  }

  /**
   * The models a new one is compared with (`factory.gate`): the live version and up to
   * `factory.gate.recall` earlier ones whose artifacts the catalogue keeps, newest first, one per
   * model (a recalled version and its origin are one). None while the gate is off.
   */
  async #rivals(): Promise<StoredRival[]> {
    const { catalog, config } = this.#env;
    const { enabled, recall } = config.factory.gate;
    const live = enabled ? await catalog.live() : undefined;
    if (live === undefined) return [];
    const origin = (model: ModelVersion) => model.recalledFrom ?? model.version;
    const seen = new Set([origin(live)]);
    const earlier: ModelRecord[] = [];
    // Only versions before the live one: a newer one is one an operator rolled back from.
    for (const record of (await catalog.list()).reverse()) {
      if (earlier.length >= recall) break;
      if (record.version >= live.version || record.artifactRetiredAt !== null) continue;
      if (seen.has(origin(record))) continue;
      seen.add(origin(record));
      earlier.push(record);
    }
    return [live, ...earlier].map((record) => ({ record, live: record === live }));
  }

  /**
   * Ships the new model unless a rival, tested on the same held-out data, beats it by more than
   * `factory.gate.margin` (`chooseModel`): then the live model stays, or an earlier version is
   * shipped again as a new version (engines only move forward), a copy of its artifact so that
   * retiring either leaves the other whole. The live model counts no better than it fared in
   * service in the report that set the command off (`served`), if that report was about it.
   */
  async #putInService(
    context: ActorContext,
    method: CreationMethod,
    result: TrainingResult,
    rivals: readonly StoredRival[],
    made: ShipOrigin,
    served: LiveScore,
  ): Promise<Answer> {
    const scored = new Map<number, Extract<RivalResult, { metrics: unknown }>>();
    for (const rival of result.rivals) {
      if ("error" in rival) {
        context.logger.warn("model v{version} left out of the comparison: {reason}", {
          version: rival.version,
          reason: rival.error,
        });
      } else scored.set(rival.version, rival);
    }
    const compared = rivals.filter(({ record }) => scored.has(record.version));
    const choice = chooseModel(
      (result.comparison ?? result.metrics).mcc,
      compared.map(({ record, live }) => ({
        version: record.version,
        mcc: scored.get(record.version)!.metrics.mcc,
        live,
        ...(live && served.liveVersion === record.version && served.liveMcc != null
          ? { served: served.liveMcc }
          : {}),
      })),
      this.#env.config.factory.gate.margin,
    );
    if (choice.kind === "candidate") {
      const artifact = encodeArtifact(result.artifact as ModelArtifact);
      const model = await this.#ship(context, method, { ...result, artifact }, made);
      return { model, decision: compared.length === 0 ? null : choice.reason, shipped: true };
    }
    const { record } = compared.find(({ record }) => record.version === choice.version)!;
    const { metrics, splits } = scored.get(choice.version)!;
    if (choice.kind === "kept") {
      context.logger.info("{method}: {reason}", { method, reason: choice.reason });
      this.#state.liveKept++;
      this.#save();
      const { lineage: _lineage, artifactRetiredAt: _retired, ...live } = record;
      const kept = { ...live, metrics: scoresPart(metrics), splitScores: splits };
      return { model: kept, decision: choice.reason, shipped: false };
    }
    const artifact = await this.#env.artifacts.get(record.artifactUri);
    const trainedUntil = record.trainedUntil ?? null;
    const model = await this.#ship(context, method, { metrics, splits, artifact, trainedUntil }, {
      ...made,
      params: record.params,
      dataset: { version: record.datasetVersion },
      recalledFrom: record.version,
      decision: choice.reason,
    });
    return { model, decision: choice.reason, shipped: true };
  }

  /**
   * The newest assembled dataset. Before the first one, a command waits for an assembly under
   * way (up to its deadline) rather than fail: a fast stream asks for a retrain while the first
   * dataset is still being built.
   */
  async #newestDataset(deadline: number): Promise<Dataset> {
    if (this.#state.latest === null && this.#assembling !== null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      await Promise.race([this.#assembling.promise, late]).finally(() => clearTimeout(timer));
    }
    if (this.#state.latest === null) throw new Error("no dataset assembled yet");
    return this.#state.latest;
  }

  /**
   * Dataset version `version` (a scheduled retrain's window), waiting up to `deadline` for its
   * assembly; refused once a newer version replaced it, since that one covers another span.
   */
  async #datasetVersion(
    context: ActorContext,
    version: number,
    deadline: number,
  ): Promise<Dataset> {
    const newest = () =>
      Math.max(this.#state.scheduled?.version ?? -1, this.#state.latest?.version ?? -1);
    while (newest() < version && Date.now() < deadline && !context.signal.aborted) {
      context.logger.debug("waiting for dataset v{version} to be assembled", { version });
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const found = [this.#state.scheduled, this.#state.latest].find((d) => d?.version === version);
    if (found !== undefined && found !== null) return found;
    throw new Error(
      newest() < version
        ? `dataset v${version} was not assembled before the command's deadline`
        : `dataset v${version} was replaced by a newer one before its retrain ran`,
    );
  }

  /** The dataset run `runId` froze. */
  #requireRun(runId: string): Dataset {
    const frozen = this.#state.runs.get(runId);
    if (frozen === undefined) throw new Error(`unknown optimisation run '${runId}'`);
    return frozen;
  }

  /** Unfreezes a run's dataset and deletes it if it is no longer the newest. */
  async #endRun(runId: string): Promise<void> {
    const frozen = this.#state.runs.get(runId)!;
    this.#state.runs.delete(runId);
    this.#save();
    await this.#ledger.unfreeze(runId);
    await this.#release(frozen);
  }

  /** The factory's own workers; none in a fleet, whose models share the system's pool. */
  #newPool(): WorkerPool<TrainingJob, TrainingResult> | null {
    if (this.#env.trainingPool !== undefined) return null;
    return new WorkerPool(
      new URL("./factory/training_worker.ts", import.meta.url),
      this.#env.config.factory.concurrency,
    );
  }

  /** Tests a candidate another factory (or this one, leading) put on the work topic. */
  async #runCandidate(job: CandidateJob): Promise<Scores> {
    const dataset = { version: 0, uri: job.datasetUri, events: 0, since: job.since ?? null };
    return scoresPart((await this.#job(dataset, job.params, false)).metrics);
  }

  #job(
    dataset: Dataset,
    params: HyperParameters,
    fitFull: boolean,
    rivals: readonly StoredRival[] = [],
  ): Promise<TrainingResult> {
    const { config, trainingPool, serves } = this.#env;
    const job: TrainingJob = {
      model: this.#env.modelSpec,
      storage: storageSpecOf(config),
      datasetUri: dataset.uri,
      scheme: config.factory.evaluation,
      focus: dataset.since == null ? null : {
        since: dataset.since,
        // Test stretches of a key shorter than this are mostly edges (see EvaluationFocus).
        minEventsPerKey: FOCUS_HORIZONS * config.model.forecast.horizon,
      },
      params,
      settings: { ...config.model.forecast, threshold: params.threshold },
      fitFull,
      threshold: config.factory.threshold,
      rivals: rivals.map(({ record }) => ({
        version: record.version,
        artifactUri: record.artifactUri,
        threshold: record.params.threshold,
        trainedUntil: record.trainedUntil ?? null,
      })),
    };
    return trainingPool === undefined ? this.#pool!.run(job) : trainingPool.run(serves.name, job);
  }

  /** Stores the artifact, records the version and announces it to the engines. */
  async #ship(
    context: ActorContext,
    method: CreationMethod,
    made: Made,
    origin: ShipOrigin,
  ): Promise<ModelVersion> {
    const { artifacts, catalog } = this.#env;
    const version = await catalog.nextVersion();
    const artifactUri = await artifacts.put("models", `v${version}.json`, made.artifact);
    const model: ModelVersion = {
      version,
      artifactUri,
      creationMethod: method,
      params: origin.params,
      metrics: scoresPart(made.metrics),
      splitScores: made.splits,
      datasetVersion: origin.dataset.version,
      productionMs: Math.round(performance.now() - origin.started),
      createdAt: Date.now(),
      requestId: origin.requestId,
      ...(origin.recalledFrom === undefined ? {} : { recalledFrom: origin.recalledFrom }),
      trainedUntil: made.trainedUntil,
    };
    await catalog.record(model);
    if (origin.recalledFrom === undefined) {
      context.logger.info("shipped model v{version} ({method}), held-out MCC {mcc}", {
        version,
        method,
        mcc: model.metrics.mcc.toFixed(3),
      });
    } else {
      context.logger.info("shipped model v{version} ({method}): {reason}", {
        version,
        method,
        reason: origin.decision,
      });
    }
    await this.#announce(context, model);
    return model;
  }

  /** Tells the engines of a recorded model, counts it shipped (once) and retires old ones. */
  async #announce(context: ActorContext, model: ModelVersion): Promise<void> {
    await send(context, this.#env.topics.modelVersions, "ModelVersion", model);
    if (!this.#state.modelsShipped.some((shipped) => shipped.version === model.version)) {
      this.#state.modelsShipped.push(Object.freeze(model));
      this.#save();
    }
    await this.#retireModels(model.version);
  }

  /**
   * Keeps the artifacts of the `factory.keepModels` newest models (at least two: the engine may
   * still be loading the previous one) and of the live one; an older artifact is marked retired
   * in the catalogue, then deleted. Its record stays.
   */
  async #retireModels(newest: number): Promise<void> {
    const { catalog, artifacts, config } = this.#env;
    for (const model of await catalog.list()) {
      if (model.version > newest - config.factory.keepModels) continue;
      if (model.artifactRetiredAt !== null) continue;
      if (await catalog.retire(model.version)) {
        await artifacts.delete(model.artifactUri).catch(() => {});
      }
    }
  }

  #track(work: Promise<void>): void {
    this.#inFlight.add(work);
    work.finally(() => this.#inFlight.delete(work));
  }

  /** Stops the workers (running jobs fail, and their requests time out at the optimiser). */
  async postStop(): Promise<void> {
    this.#pool?.close();
    this.#assembler?.close();
    // On a fleet's shared pools, only this model's waiting jobs go: its datasets go with it.
    const { trainingPool, assemblyPool, serves } = this.#env;
    trainingPool?.cancel(serves.name);
    assemblyPool?.cancel(serves.name);
    await Promise.allSettled(this.#inFlight);
    // A save that failed was reported when it failed; the rest are written before the hand-over.
    await this.#durable?.flush().catch(() => {});
    await this.#leadership?.resign();
  }
}
