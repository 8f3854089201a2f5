/**
 * A running Retune: the chosen roles under one supervisor, on the parts the configuration names
 * (in-process or Kafka transport, in-process or etcd registry, file stores). `--role=all` runs
 * every role in one process; `--role=engine` etc. run one role per process over Kafka and etcd.
 *
 * @module
 */

import { getLogger } from "@logtape/logtape";
import type { RetuneConfig, TopicPurpose } from "../config/schema.ts";
import { InProcessRegistry } from "../registry/in_process.ts";
import { EtcdRegistry } from "../registry/etcd.ts";
import { DatasetLedger } from "../registry/dataset_ledger.ts";
import { ModelCatalog } from "../registry/model_catalog.ts";
import { NamespacedRegistry } from "../registry/namespaced.ts";
import type { Registry } from "../registry/registry.ts";
import { openStores } from "../storage/storage_spec.ts";
import { InProcessStateStore } from "../state/in_process.ts";
import { EtcdStateStore } from "../state/etcd.ts";
import { InProcessTransport } from "../transport/in_process.ts";
import { KafkaTransport, type KafkaTransportOptions } from "../transport/kafka.ts";
import { withEnvListingGuarded } from "../transport/env_listing_guard.ts";
import { etcdSecurity, kafkaSecurity } from "../config/client_security.ts";
import type { ConsumedRecord, Transport } from "../transport/transport.ts";
import { FramedTransport } from "../transport/framed.ts";
import { SchemaRegistryClient } from "../protocol/schema_registry_client.ts";
import { registerTopicSchemas } from "../protocol/schema_registration.ts";
import { TOPIC_RECORD_TYPES } from "../protocol/topic_record_types.ts";
import type { MetricsReport } from "../core/metrics_report.ts";
import type { ModelVersion } from "../core/versions.ts";
import {
  decodeEnvelope,
  decodeSharedEnvelope,
  encodeEnvelope,
  newEnvelope,
  type RecordType,
} from "../protocol/codec.ts";
import type { Instruction } from "../protocol/messages.ts";
import { consumerLag, type PartitionLag } from "../transport/consumer_lag.ts";
import { createModel } from "../models/create_model.ts";
import { modelSpecOf } from "../config/build_model.ts";
import { sourceSpecOf } from "../config/build_source.ts";
import { type ChildHealth, Supervisor } from "./runtime/supervisor.ts";
import { LeaderBoard } from "./leader_board.ts";
import type { ChildSpec } from "./runtime/actor.ts";
import type { Subscription } from "../transport/transport.ts";
import { type RoleEnvironment, storageSpecOf, type TopicNames, topicNames } from "./environment.ts";
import { type FleetModel, fleetOf, isFleet } from "../config/fleet.ts";
import { ModelStateStore } from "./fleet/model_state_store.ts";
import { FleetBus } from "./fleet/fleet_bus.ts";
import { InputSplit } from "./fleet/input_split.ts";
import { RoleLeadership } from "./fleet/role_leadership.ts";
import { TrainingHeads } from "./factory/training_heads.ts";
import { FairPool, type FairPoolView } from "./factory/fair_pool.ts";
import { WorkerPool } from "./factory/worker_pool.ts";
import type { TrainingJob, TrainingResult } from "./factory/training_job.ts";
import type { AssemblyJob, AssemblyResult } from "./factory/assembly_job.ts";
import { SERVICE_ROLES, type ServiceRole } from "../config/roles.ts";
import { Collector } from "./collector.ts";
import { Engine, ENGINE_GROUP, type ModelRoute } from "./engine.ts";
import { Factory } from "./factory.ts";
import { Observer } from "./observer.ts";
import { Optimiser } from "./optimiser.ts";
import { Replayer } from "./replayer.ts";
import { Serving } from "./serving.ts";
import { ServingState, type ServingView } from "./serving/serving_state.ts";
import { CollectorState, type CollectorView } from "./collector/collector_state.ts";
import { EngineState, type EngineView } from "./engine/engine_state.ts";
import { FactoryState, type FactoryView } from "./factory/factory_state.ts";
import type { ObserverView } from "./observer/observer_state.ts";
import { OptimiserState, type OptimiserView } from "./optimiser/optimiser_state.ts";
import { ReplayerState, type ReplayerView } from "./replayer/replayer_state.ts";
import { type LockstepCounters, LockstepGate } from "./lockstep.ts";

/** What a system is asked to run. */
export interface SystemOptions {
  config: RetuneConfig;
  roles: readonly ServiceRole[];
  /** Stream the replayer feeds (overrides `replayer.file`). */
  input?: string;
  /** Roles left out of an `all` run, e.g. the observer for an initial-model-only baseline. */
  without?: readonly ServiceRole[];
  /**
   * The process's HTTP address, where a serving replica's API is (registered unless
   * `serving.advertise` names another). Default: `http.hostname`:`http.port`.
   */
  httpUrl?: string;
}

/** What each role reports, by role. */
export interface RoleViews {
  engine: EngineView;
  collector: CollectorView;
  observer: ObserverView;
  optimiser: OptimiserView;
  factory: FactoryView;
  replayer: ReplayerView;
  serving: ServingView;
}

/** A running role as the system sees it: what it reports. */
type Viewable<R extends ServiceRole> = { view(): Readonly<RoleViews[R]> };

/** What a role that never ran in this process reports: its fresh state. */
const FRESH: { [R in ServiceRole]: () => Readonly<RoleViews[R]> } = {
  engine: () => new EngineState().view(),
  collector: () => new CollectorState().view(),
  observer: () => ({ reportsSeen: 0, instructions: [] }),
  optimiser: () => new OptimiserState().view(),
  factory: () => new FactoryState().view(),
  replayer: () => new ReplayerState("", 0).view(),
  serving: () => new ServingState().view(),
};

/** An instruction seen on the instructions topic: the observer's or one asked for by hand. */
export interface Decision extends Instruction {
  /** Who sent it: `observer`, or `dashboard` for one asked for on the dashboard. */
  sender: string;
  /** Wall-clock send time, epoch ms. */
  sentAt: number;
}

/**
 * The consumer group and topic each role takes its work from (as the role subscribes): the lag
 * `/metrics` and the dashboard report. The replayer reads a file.
 */
const WORK_GROUPS: { [R in ServiceRole]: { group: string; topic: keyof TopicNames } | null } = {
  engine: { group: ENGINE_GROUP, topic: "input" },
  collector: { group: "collector", topic: "input" },
  observer: { group: "observer", topic: "metrics" },
  optimiser: { group: "optimiser", topic: "instructions" },
  factory: { group: "factory.commands", topic: "factoryCommands" },
  replayer: null,
  serving: null,
};

/** The roles a fleet runs once per model (`<role>:<model>`); the engine and replayer serve all. */
const PER_MODEL_ROLES: readonly ServiceRole[] = ["collector", "observer", "optimiser", "factory"];

/** The roles in start order: the factory first (it makes the initial model), then the pipeline. */
function inStartOrder(roles: readonly ServiceRole[]): ServiceRole[] {
  const order = ["factory", ...SERVICE_ROLES.filter((role) => role !== "factory")];
  return order.filter((role): role is ServiceRole => roles.includes(role as ServiceRole));
}

/** The end-of-run summary `--summary` writes. */
export interface Summary {
  events_in: number;
  events_processed: number;
  dead_letters: number;
  forecasts: number;
  matches: number;
  reports: MetricsReport[];
  dataset_versions: number;
  buckets_deleted: number;
  /** Every model's versions; in a fleet each names its model. */
  model_versions: {
    /** The fleet model it is a version of (absent without a fleet). */
    model?: string;
    version: number;
    method: string;
    /** The hyper-parameters it was trained with. */
    params: ModelVersion["params"];
    /** The dataset version it was trained on. */
    datasetVersion: number;
    /** Held-out MCC: the mean over the validation splits. */
    mcc: number;
    /** Held-out MCC of each validation split, in stream order. */
    splitMcc: number[];
    productionMs: number;
    /** The earlier version it is a copy of (`factory.gate.recall`); null for any other. */
    recalledFrom: number | null;
  }[];
  swaps: EngineView["swaps"];
  /** Every model's observer's instructions (a fleet's, model after model). */
  instructions: ObserverView["instructions"];
  /** Every model's optimiser's jobs (a fleet's, model after model). */
  adaptations: OptimiserView["jobs"];
  wall_seconds: number;
  /** A fleet's models, each with what it did (absent without a fleet). */
  by_model?: Record<string, ModelSummary>;
}

/** How one model of the fleet fares now (`RetuneSystem.fleet`). */
export interface FleetModelStatus {
  name: string;
  /** The version its engine lane forecasts with (null: none yet, or no engine here). */
  modelVersion: number | null;
  eventsProcessed: number;
  reports: number;
  /** Its newest metrics report seen here (null: none yet). */
  lastReport: MetricsReport | null;
  /** Model versions announced for it so far. */
  versions: number;
  /** Its observer's `minScore`: a batch MCC below it asks for an optimisation. */
  minScore: number;
}

/** What one fleet model did in a run. */
export interface ModelSummary {
  events_processed: number;
  forecasts: number;
  reports: number;
  /** Batch MCC of the model's newest report (null: none yet). */
  last_mcc: number | null;
  model_versions: number[];
  instructions: number;
  dataset_versions: number;
}

/** A built system: start it, wait for the end of its input, stop it, read its summary. */
export class RetuneSystem {
  readonly env: RoleEnvironment;
  readonly #transport: Transport;
  readonly #supervisor: Supervisor;
  readonly #roles: readonly ServiceRole[];
  /** Where a serving replica run here says its API is. */
  readonly #servingAddress: string;
  #serving: Serving | null = null;
  /** The fleet's models, each with its environment (one, the deployment's, without a fleet). */
  readonly models: readonly ModelRoute[];
  /** The newest incarnation of each child run here, by child name (`collector:north`). */
  readonly #running = new Map<string, Viewable<ServiceRole>>();
  readonly #reports: MetricsReport[] = [];
  /** Each report's fleet model, by index in `#reports`. */
  readonly #reportModels: string[] = [];
  readonly #decisionModels: string[] = [];
  readonly #versionModels: string[] = [];
  /** Per fleet model: its newest report, reports and versions seen. */
  readonly #modelTallies = new Map<
    string,
    { lastReport: MetricsReport | null; reports: number; versions: number }
  >();
  readonly #decisions: Decision[] = [];
  readonly #modelVersions: ModelVersion[] = [];
  #deadLetters = 0;
  readonly #startedAt = performance.now();
  #watch: Subscription | null = null;
  /** A fleet's one consumer per group for all its models' children (absent without a fleet). */
  readonly #bus: FleetBus | undefined;

  private constructor(
    env: RoleEnvironment,
    transport: Transport,
    options: SystemOptions,
    models: readonly ModelRoute[],
  ) {
    this.env = env;
    this.models = models;
    this.#transport = transport;
    this.#roles = inStartOrder(options.roles.filter((r) => !options.without?.includes(r)));
    const { config } = options;
    this.#servingAddress = servingAddressOf(config, options.httpUrl);
    const input = options.input ?? config.replayer.file;
    if (this.#roles.includes("replayer") && input === undefined) {
      throw new Error("the replayer needs a stream: pass --input=<file> or set replayer.file");
    }
    const { supervision } = config;
    const fleet = isFleet(config);
    const children: ChildSpec[] = this.#roles.flatMap((role): ChildSpec[] => {
      const spec = {
        // The replayer's work ends with its file; every other role serves until stopped.
        restart: role === "replayer" ? "transient" as const : "permanent" as const,
        shutdownTimeoutMs: supervision.shutdownTimeoutMsByRole[role] ??
          supervision.shutdownTimeoutMs,
      };
      if (!fleet || !PER_MODEL_ROLES.includes(role)) {
        return [{ ...spec, name: role, create: (p?: unknown) => this.#behaviour(role, input!, p) }];
      }
      return models.map((model) => ({
        ...spec,
        name: `${role}:${model.name}`,
        model: model.name,
        create: (previous?: unknown) => this.#behaviour(role, input!, previous, model),
      }));
    });
    this.#bus = fleet
      ? new FleetBus({
        transport,
        models: models.map((m) => m.name),
        modelOf: modelOfRecord,
        partsOf: inputPartsOf(env.topics, new InputSplit(models)),
        // A child restarting rides out an outage for as long, with backoff between attempts.
        waitMs: supervision.maxOutageMs + supervision.maxBackoffMs,
        logger: getLogger(["retune", "fleet-bus"]),
      })
      : undefined;
    this.#supervisor = new Supervisor({
      name: "retune",
      children,
      transport,
      bus: this.#bus,
      maxRestarts: config.supervision.maxRestarts,
      withinMs: config.supervision.withinMs,
      shutdownTimeoutMs: config.supervision.shutdownTimeoutMs,
      maxOutageMs: config.supervision.maxOutageMs,
      backoff: {
        initialMs: config.supervision.initialBackoffMs,
        maxMs: config.supervision.maxBackoffMs,
        factor: config.supervision.backoffFactor,
        jitter: config.supervision.backoffJitter,
      },
      logger: getLogger(["retune", "supervisor"]),
      loggerFor: (role) => getLogger(["retune", role]),
    });
  }

  /** Builds the parts the configuration names. */
  static async build(options: SystemOptions): Promise<RetuneSystem> {
    const config = withInitialTrainingFile(options.config, options.input);
    const transport: Transport = config.transport === "kafka"
      ? await registeredTransport(config, await kafkaTransport(config.kafka))
      : new InProcessTransport({
        topics: Object.fromEntries(Object.values(config.topics).map((t) => [t.name, t.partitions])),
        capacity: config.inProcess.capacity,
      });
    const registry: Registry = config.etcd === undefined
      ? new InProcessRegistry()
      : new NamespacedRegistry(
        new EtcdRegistry({ ...config.etcd, ...etcdSecurity(config.etcd) }),
        config.etcd.namespace,
      );
    const modelSpec = await modelSpecOf(config.model, config.storage.dir);
    const stores = await openStores(storageSpecOf(config));
    const env: RoleEnvironment = {
      instance: crypto.randomUUID().slice(0, 8),
      config,
      serves: { name: "default", select: () => true },
      topics: topicNames(config),
      registry,
      catalog: new ModelCatalog(registry),
      ledger: new DatasetLedger(registry),
      buckets: stores.buckets,
      artifacts: stores.artifacts,
      state: config.etcd === undefined ? new InProcessStateStore("retune") : new EtcdStateStore({
        ...config.etcd,
        ...etcdSecurity(config.etcd),
        deployment: config.etcd.namespace,
      }),
      model: createModel(modelSpec),
      modelSpec,
      leaders: new LeaderBoard(),
    };
    // Only a process that runs the factories starts their workers.
    const factories = options.roles.includes("factory") && !options.without?.includes("factory");
    if (isFleet(config) && factories) {
      env.trainingPool = sharedPool<TrainingJob, TrainingResult>(
        "training_worker.ts",
        config.factory.concurrency,
        config.factory.modelConcurrency,
      );
      env.assemblyPool = sharedPool<AssemblyJob, AssemblyResult>(
        "assembly_worker.ts",
        config.factory.concurrency,
        1,
      );
    }
    if (isFleet(config)) env.roleLeadership = new RoleLeadership(env.registry, env.instance);
    if (isFleet(config) && factories) env.trainingHeads = trainingHeadsOf(fleetOf(config));
    const models = isFleet(config)
      ? await Promise.all(fleetOf(config).map((model) => modelRouteOf(env, model)))
      : [{ name: env.serves.name, select: env.serves.select, env }];
    if (config.experiment.mode === "live") {
      return new RetuneSystem(env, transport, { ...options, config }, models);
    }
    let system: RetuneSystem | undefined;
    env.lockstep = new LockstepGate(() => system!.#lockstepCounters(), {
      timeoutMs: config.experiment.settleTimeoutMs,
    });
    return system = new RetuneSystem(env, transport, { ...options, config }, models);
  }

  /** What the lockstep gate waits on, from the roles running here. */
  #lockstepCounters(): LockstepCounters {
    const collector = this.view("collector");
    const factory = this.view("factory");
    const observer = this.view("observer");
    const optimiser = this.view("optimiser");
    const runs = (role: ServiceRole) => this.#roles.includes(role);
    return {
      collected: runs("collector") ? collector.eventsReached : Infinity,
      newestAnnounced: collector.datasetVersions - 1,
      newestAssembled: Math.max(factory.latestDataset ?? -1, factory.scheduledDataset ?? -1),
      reportsJudged: runs("observer") ? observer.reportsSeen : Infinity,
      instructionsSent: observer.instructions.length + collector.retrainsScheduled,
      instructionsTaken: optimiser.jobs.length + optimiser.dropped + (optimiser.busy ? 1 : 0),
      optimiserBusy: optimiser.busy,
      newestShipped: Math.max(-1, ...factory.modelsShipped.map((m) => m.version)),
    };
  }

  /**
   * A fresh incarnation of `role` (of fleet model `model`, for a fleet's per-model roles),
   * restored from `previous` (its predecessor's snapshot).
   */
  #behaviour(role: ServiceRole, input: string, previous: unknown, model?: ModelRoute) {
    const env = model?.env ?? this.env;
    const behaviour = (() => {
      switch (role) {
        case "engine":
          return new Engine(env, previous, isFleet(env.config) ? this.models : undefined);
        case "collector":
          return new Collector(env, previous);
        case "observer":
          return new Observer(env, previous);
        case "optimiser":
          return new Optimiser(env, previous);
        case "factory":
          return new Factory(env, previous);
        case "replayer":
          return new Replayer(env, input, sourceSpecOf(env.config.model.source), previous);
        case "serving":
          return this.#serving = new Serving(
            env,
            this.#servingAddress,
            isFleet(env.config) ? this.models : undefined,
          );
      }
    })();
    this.#running.set(model === undefined ? role : `${role}:${model.name}`, behaviour);
    return behaviour;
  }

  /** The serving replica run here (its newest incarnation); null when none runs here. */
  serving(): Serving | null {
    return this.#serving;
  }

  /**
   * What `role` reports: its newest incarnation's view, or a fresh one if it never ran here. In
   * a fleet, a per-model role's view is its first model's only: read `viewsOf` (every model's)
   * or `viewOf` (one model's) for those roles.
   */
  view<R extends ServiceRole>(role: R): Readonly<RoleViews[R]> {
    const fleet = isFleet(this.env.config) && PER_MODEL_ROLES.includes(role);
    return this.viewOf(role, fleet ? this.models[0].name : undefined);
  }

  /** What fleet model `model`'s `role` reports (absent `model`: the role's one incarnation). */
  viewOf<R extends ServiceRole>(role: R, model?: string): Readonly<RoleViews[R]> {
    const name = model === undefined ? role : `${role}:${model}`;
    const incarnation = this.#running.get(name) as Viewable<R> | undefined;
    return incarnation?.view() ?? FRESH[role]();
  }

  /** What `role` reports for each model of the fleet, in fleet order (one view without a fleet). */
  viewsOf<R extends ServiceRole>(role: R): Readonly<RoleViews[R]>[] {
    if (!isFleet(this.env.config) || !PER_MODEL_ROLES.includes(role)) return [this.view(role)];
    return this.models.map((m) => this.viewOf(role, m.name));
  }

  /** How each model fares now (one row, "default", without a fleet). */
  fleet(): FleetModelStatus[] {
    const lanes = this.#roles.includes("engine") ? this.view("engine").byModel : {};
    const fleet = isFleet(this.env.config);
    return this.models.map(({ name, env }) => {
      // Outside a fleet, envelopes older than fleets name no model.
      const tally = this.#modelTallies.get(name) ??
        (fleet ? undefined : this.#modelTallies.get(""));
      return {
        name,
        modelVersion: lanes[name]?.modelVersion ?? null,
        eventsProcessed: lanes[name]?.eventsProcessed ?? 0,
        reports: tally?.reports ?? 0,
        lastReport: tally?.lastReport ?? null,
        versions: tally?.versions ?? 0,
        minScore: env.config.observer.policy.minScore,
      };
    });
  }

  /** The shared training pool's jobs, running and queued (null: no fleet pool here). */
  trainingQueue(): FairPoolView | null {
    return this.env.trainingPool?.view() ?? null;
  }

  #tally(model: string) {
    let tally = this.#modelTallies.get(model);
    if (tally === undefined) {
      this.#modelTallies.set(model, tally = { lastReport: null, reports: 0, versions: 0 });
    }
    return tally;
  }

  /** The metrics reports of fleet model `model` seen so far. */
  reportsOf(model: string): MetricsReport[] {
    return this.#reports.filter((_, i) => this.#reportModels[i] === model);
  }

  /** The metrics reports seen on the metrics topic so far. */
  get reports(): readonly MetricsReport[] {
    return [...this.#reports];
  }

  /** The instructions seen on the instructions topic so far, oldest first. */
  get decisions(): readonly Decision[] {
    return [...this.#decisions];
  }

  /** The model versions announced so far, in order (the catalogue forgets retired ones). */
  get modelVersions(): readonly ModelVersion[] {
    return [...this.#modelVersions];
  }

  /** How each role run here fares (running, restarting, stopped; its restarts). */
  health(): ChildHealth[] {
    return this.#supervisor.health();
  }

  /** Whether this process leads `role` now (only elected roles are ever led). */
  leads(role: ServiceRole): boolean {
    // A fleet's process leads a role for every model at once.
    return this.env.roleLeadership?.leads(role) ?? this.env.leaders.leads(role);
  }

  /**
   * The lag of each role run here on the topic it takes its work from, per partition (a fleet's
   * models share their role's group: `FleetBus`).
   */
  async lag(): Promise<PartitionLag[]> {
    const sources = this.#roles.flatMap((role) => WORK_GROUPS[role] ?? []);
    const lags = await Promise.all(
      sources.map(({ group, topic }) =>
        consumerLag(this.#transport, group, this.env.topics[topic])
      ),
    );
    return lags.flat();
  }

  /**
   * Asks for a retrain or a re-optimisation now, as the observer does: an `Instruction` on the
   * instructions topic, sent by `dashboard`, naming the newest report seen.
   */
  async instruct(
    action: Instruction["action"],
    reason: string,
    model?: string,
  ): Promise<Instruction> {
    if (model !== undefined && !this.models.some((m) => m.name === model)) {
      throw new RangeError(
        `model must be one of the fleet's (${this.models.map((m) => m.name).join(", ")}): ` +
          `current value is ${JSON.stringify(model)}`,
      );
    }
    const reports = model === undefined ? this.#reports : this.reportsOf(model);
    const instruction: Instruction = {
      action,
      reason,
      reportId: reports.at(-1)?.reportId ?? 0,
    };
    const envelope = newEnvelope("Instruction", "dashboard", instruction, null, model ?? "");
    await this.#transport.publish(this.env.topics.instructions, [
      { key: null, value: encodeEnvelope(envelope) },
    ]);
    return instruction;
  }

  /** Records seen on the dead-letter topic so far. */
  get deadLetters(): number {
    return this.#deadLetters;
  }

  /** Starts watching the metrics and dead letters, then every role in order. */
  async start(): Promise<void> {
    const { topics } = this.env;
    this.#watch = await this.#transport.subscribe({
      group: `summary.${crypto.randomUUID()}`,
      topics: [topics.metrics, topics.deadLetters, topics.instructions, topics.modelVersions],
      handler: (records) => {
        for (const record of records) {
          if (record.topic === topics.deadLetters) {
            this.#deadLetters++;
            continue;
          }
          const envelope = decodeEnvelope(record.value);
          if (envelope.type === "MetricsReport") {
            this.#reports.push(envelope.payload);
            this.#reportModels.push(envelope.model);
            const tally = this.#tally(envelope.model);
            tally.lastReport = envelope.payload;
            tally.reports++;
          }
          if (envelope.type === "ModelVersion") {
            this.#modelVersions.push(envelope.payload);
            this.#versionModels.push(envelope.model);
            this.#tally(envelope.model).versions++;
          }
          if (envelope.type === "Instruction") {
            const { sender, sentAt } = envelope;
            this.#decisions.push({ ...envelope.payload, sender, sentAt });
            this.#decisionModels.push(envelope.model);
          }
        }
        return Promise.resolve();
      },
    });
    await this.#supervisor.start();
  }

  /** The roles this system runs, in start order. */
  get roles(): readonly ServiceRole[] {
    return this.#roles;
  }

  /** The transport the roles talk over (to watch or feed topics from outside the roles). */
  get transport(): Transport {
    return this.#transport;
  }

  /** Resolves when the supervisor stops; rejects with its EscalationError if it gave up. */
  get done(): Promise<void> {
    return this.#supervisor.done;
  }

  /**
   * Waits until the replayer has replayed its file and, when the engine runs in this system, the
   * engine has processed all of it; returns early once the system stopped, rejects if it gave up.
   */
  async waitForEndOfInput(signal?: AbortSignal): Promise<void> {
    let stopped = false;
    const over = this.#supervisor.done.finally(() => (stopped = true));
    // Observed below when it matters; a rejection after the end must not go unhandled.
    over.catch(() => {});
    while (!this.view("replayer").finished && !stopped) {
      await Promise.race([delay(50), over]);
    }
    if (!this.#roles.includes("engine")) return;
    const processed = () => {
      const engine = this.view("engine");
      return engine.eventsProcessed + engine.deadLetters;
    };
    while (processed() < this.view("replayer").sent && !signal?.aborted && !stopped) {
      await Promise.race([delay(50), over]);
    }
    if (stopped) await over;
  }

  /** Waits until no optimiser job is running (bounded by `timeoutMs`). */
  async waitForIdle(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    const busy = () => this.models.some((m) => this.viewOf("optimiser", this.#childModel(m)).busy);
    while (busy() && performance.now() < deadline) await delay(100);
  }

  /** The model a per-model child of `model` is named for (none without a fleet). */
  #childModel(model: ModelRoute): string | undefined {
    return isFleet(this.env.config) ? model.name : undefined;
  }

  /**
   * Stops every role in reverse order, then the summary watch and the clients; an embedded
   * deployment (no etcd) is torn down with it.
   */
  async stop(): Promise<void> {
    this.#bus?.close();
    await this.#supervisor.stop();
    await this.env.roleLeadership?.close();
    this.env.trainingPool?.close();
    this.env.assemblyPool?.close();
    await delay(20);
    await this.#watch?.stop();
    await this.#transport.close();
    await this.env.registry.close();
    await this.env.state.close();
    // An in-process registry, and with it every reference to a bucket, ends with this process:
    // so does the deployment, and its buckets go (a teardown; a restart never gets here).
    if (this.env.config.etcd === undefined) {
      for (const { env } of this.models) await env.buckets.deleteAll();
      if (isFleet(this.env.config)) await this.env.buckets.deleteAll();
    }
  }

  /** The run's summary. */
  summary(): Summary {
    const engine = this.view("engine");
    const replayer = this.view("replayer");
    const fleet = isFleet(this.env.config);
    // A fleet's role fields are the whole fleet's: totals, and every model's versions, naming it.
    const collectors = this.viewsOf("collector");
    const sum = (count: (view: CollectorView) => number) =>
      collectors.reduce((total, view) => total + count(view), 0);
    const versions = this.viewsOf("factory").flatMap((factory, i) =>
      factory.modelsShipped.map((m) => ({ model: this.models[i].name, m }))
    );
    return {
      events_in: replayer.sent + replayer.rejected,
      events_processed: engine.eventsProcessed,
      dead_letters: this.#deadLetters,
      forecasts: engine.forecasts,
      matches: engine.detections,
      reports: [...this.#reports],
      dataset_versions: sum((view) => view.datasetVersions),
      buckets_deleted: sum((view) => view.bucketsDeleted),
      model_versions: versions.map(({ model, m }) => ({
        ...(fleet ? { model } : {}),
        version: m.version,
        method: m.creationMethod,
        params: { ...m.params },
        datasetVersion: m.datasetVersion,
        mcc: m.metrics.mcc,
        splitMcc: (m.splitScores ?? []).map((split) => split.mcc),
        productionMs: m.productionMs,
        recalledFrom: m.recalledFrom ?? null,
      })),
      swaps: engine.swaps,
      instructions: this.viewsOf("observer").flatMap((view) => view.instructions),
      adaptations: this.viewsOf("optimiser").flatMap((view) => view.jobs),
      wall_seconds: (performance.now() - this.#startedAt) / 1000,
      ...(isFleet(this.env.config) ? { by_model: this.#byModel() } : {}),
    };
  }

  /** What each fleet model did. */
  #byModel(): Record<string, ModelSummary> {
    const engine = this.view("engine");
    return Object.fromEntries(this.models.map(({ name }) => {
      const lane = engine.byModel[name];
      const reports = this.reportsOf(name);
      return [name, {
        events_processed: lane?.eventsProcessed ?? 0,
        forecasts: lane?.forecasts ?? 0,
        reports: reports.length,
        last_mcc: reports.at(-1)?.batch.mcc ?? null,
        model_versions: this.#modelVersions
          .filter((_, i) => this.#versionModels[i] === name).map((v) => v.version),
        instructions: this.#decisionModels.filter((m) => m === name).length,
        dataset_versions: this.viewOf("collector", name).datasetVersions,
      }];
    }));
  }
}

/** `size` workers of `actors/factory/<worker>` a fleet's factories share, fairly. */
function sharedPool<Req, Res>(worker: string, size: number, perModel: number): FairPool<Req, Res> {
  const workers = new WorkerPool<Req, Res>(new URL(`./factory/${worker}`, import.meta.url), size);
  return new FairPool((job: Req) => workers.run(job), {
    size,
    perModel,
    release: () => workers.close(),
  });
}

/** The initial training heads of a fleet's models that name a training file. */
function trainingHeadsOf(models: readonly FleetModel[]): TrainingHeads {
  return new TrainingHeads(models.flatMap(({ name, select, config }) => {
    const { initialTraining, source } = config.model;
    const file = initialTraining.file;
    return file === undefined
      ? []
      : [{ name, select, file, source: sourceSpecOf(source), head: initialTraining }];
  }));
}

/**
 * The fleet model a record on a topic the per-model roles read is about (`FleetBus`): an
 * envelope's `model`, null when it does not decode (input batches are split: `inputPartsOf`).
 */
function modelOfRecord(record: ConsumedRecord): string | null {
  try {
    return decodeSharedEnvelope(record.value).model;
  } catch {
    return null;
  }
}

/** An input batch's parts by fleet model (`FleetBus`); other topics' records go whole. */
function inputPartsOf(
  topics: TopicNames,
  split: InputSplit,
): (record: ConsumedRecord) => ReadonlyMap<string, ConsumedRecord> | undefined {
  return (record) => record.topic === topics.input ? split.parts(record) : undefined;
}

/**
 * A fleet model's environment: the deployment's transport and topics, its own configuration,
 * registry keys (`models/<name>/`), durable state, stores (`<storage.dir>/models/<name>`) and
 * model.
 */
async function modelRouteOf(env: RoleEnvironment, model: FleetModel): Promise<ModelRoute> {
  const { config } = model;
  const registry = new NamespacedRegistry(env.registry, `models/${model.name}`);
  const modelSpec = await modelSpecOf(config.model, config.storage.dir);
  const stores = await openStores(storageSpecOf(config));
  return {
    name: model.name,
    select: model.select,
    env: {
      ...env,
      config,
      serves: { name: model.name, select: model.select },
      registry,
      catalog: new ModelCatalog(registry),
      ledger: new DatasetLedger(registry),
      buckets: stores.buckets,
      artifacts: stores.artifacts,
      state: new ModelStateStore(env.state, model.name),
      model: createModel(modelSpec),
      modelSpec,
      leaders: new LeaderBoard(),
    },
  };
}

/**
 * Where a serving replica says its API is: `serving.advertise`, else the HTTP server's address,
 * by the machine's host name when it listens on every interface (its own URL says 127.0.0.1).
 */
function servingAddressOf(config: RetuneConfig, httpUrl: string | undefined): string {
  if (config.serving.advertise !== undefined) return config.serving.advertise;
  const url = new URL(httpUrl ?? `http://${config.http.hostname}:${config.http.port}/`);
  if (["0.0.0.0", "::", "[::]"].includes(config.http.hostname)) url.hostname = Deno.hostname();
  return url.href;
}

/** The initial model trains on the replayed stream unless the configuration names another. */
function withInitialTrainingFile(config: RetuneConfig, input: string | undefined): RetuneConfig {
  const { initialTraining } = config.model;
  const file = initialTraining.file ?? input ?? config.replayer.file;
  return { ...config, model: { ...config.model, initialTraining: { ...initialTraining, file } } };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * `transport` framed for the schema registry `schemaRegistry` names, each topic's schema
 * registered (and its compatibility set) first; `transport` itself without one. A refused schema
 * fails the start with the registry's reason.
 */
async function registeredTransport(config: RetuneConfig, transport: Transport): Promise<Transport> {
  const settings = config.schemaRegistry;
  if (settings === undefined) return transport;
  const recordTypes: Record<TopicPurpose, RecordType> = TOPIC_RECORD_TYPES;
  const topics = (Object.keys(recordTypes) as TopicPurpose[]).map((purpose) => ({
    topic: config.topics[purpose].name,
    type: recordTypes[purpose],
  }));
  const client = new SchemaRegistryClient(settings);
  try {
    const ids = await registerTopicSchemas(client, topics, settings.compatibility);
    getLogger(["retune", "schema-registry"]).info(
      "{count} topic schemas registered at {url} (compatibility {level})",
      { count: ids.size, url: settings.url, level: settings.compatibility },
    );
    const framed = new Map(topics.map(({ topic, type }) => [topic, { type, id: ids.get(topic)! }]));
    return new FramedTransport(transport, framed, client);
  } catch (error) {
    await transport.close();
    throw error;
  }
}

/**
 * The configured Kafka client. The platformatic one is loaded only when chosen, and then with the
 * environment's listing guarded: its `debug` dependency lists every variable as it loads, which
 * a role's scoped permission refuses.
 */
async function kafkaTransport(kafka: RetuneConfig["kafka"]): Promise<Transport> {
  const options: KafkaTransportOptions = {
    brokers: kafka.brokers,
    clientId: kafka.clientId,
    // The client id names the deployment: its groups are "<clientId>.engine" and so on.
    groupPrefix: `${kafka.clientId}.`,
    ...kafkaSecurity(kafka),
    sessionTimeoutMs: kafka.sessionTimeoutMs,
    heartbeatIntervalMs: kafka.heartbeatIntervalMs,
  };
  if (kafka.client !== "platformatic") return new KafkaTransport(options);
  const { PlatformaticKafkaTransport } = await withEnvListingGuarded(() =>
    import("../transport/platformatic_kafka.ts")
  );
  return new PlatformaticKafkaTransport(options);
}
