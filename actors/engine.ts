/**
 * The engine: forecasts every input event with the current model and never stops for a model
 * being built. It
 * 1. waits for a first model (the newest in the catalogue, or the first announced), for at most
 *    `engine.firstModelDeadlineMs`,
 * 2. consumes the input topic (batches of events, `StreamEventBatch`), forecasting each event and
 *    writing every forecast to the output (batched per partition, `ForecastBatch`),
 * 3. scores its own forecasts as the stream unfolds and publishes a metrics report every
 *    reporting interval (events or stream time); with `engine.reportBy: partition`, instead, each
 *    input partition's counts per closed window of the absolute stream-time grid
 *    (`grid_window.ts`), with that partition's checkpoint, for the observer to merge,
 * 4. publishes its input position so the collector never reads ahead of it,
 * 5. swaps in a newer model between two events, carrying over every partition's run state,
 * 6. checkpoints, with every handled batch, the run state of the batch's input partition (its
 *    keys' runs, its scorer) with the offset it corresponds to, in the compacted changelog, and
 *    commits the batch through the transport with the batch's outputs (one Kafka transaction
 *    with `engine.delivery: exactly_once`). An input partition assigned to the engine resumes
 *    from its checkpoint at the group's committed offset (`checkpoint_tail.ts`); records before
 *    the checkpoint's offset are in its state already and skipped. A revoked partition's runs
 *    are dropped: its checkpoint is already written.
 * A fleet (`config/fleet.ts`) runs one lane per model: a router sends each event to the lanes whose
 * key selector takes it; each lane has its own model, swaps, scorers and metrics reports (their
 * envelopes name the model), and a partition's checkpoint holds every lane's runs (`byModel`).
 * In a lockstep experiment it cuts report windows on a stream-time grid and, at each window's end,
 * waits for what its report sets off (`lockstep.ts`), so the run is reproducible.
 * Events that do not decode or that the model cannot process go to the dead-letter topic.
 *
 * @module
 */

import {
  decodeData,
  encodeData,
  encodeEnvelope,
  encodePayload,
  newEnvelope,
} from "../protocol/codec.ts";
import type { CreationMethod, ModelVersion } from "../core/versions.ts";
import type { EnginePosition } from "../protocol/messages.ts";
import type { Forecast, StreamEvent } from "../core/events.ts";
import type { MetricsReport } from "../core/metrics_report.ts";
import type { WindowCounts } from "../core/window_counts.ts";
import type {
  AssignedPartition,
  BatchContext,
  ConsumedRecord,
  OutgoingRecord,
  TopicPartition,
  TopicRecords,
} from "../transport/transport.ts";
import { KeyPartitioner } from "../transport/key_partitioner.ts";
import type { Forecaster, ForecastSettings, KeySelector } from "../models/model.ts";
import { DEFAULT_MODEL, isFleet } from "../config/fleet.ts";
import { OnlineScorer } from "../models/online_scorer.ts";
import { KeyRoutes } from "../models/key_routes.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { deadLetterBytes, receive, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import type { LockstepGate } from "./lockstep.ts";
import { EngineState, type EngineView, type LaneTotals } from "./engine/engine_state.ts";
import { StreamTimeWindows } from "./engine/stream_windows.ts";
import { CheckpointTail } from "./engine/checkpoint_tail.ts";
import { ENGINE_GROUP, inputLag } from "./engine/input_lag.ts";
import { type ClosedWindow, GridWindow } from "./engine/grid_window.ts";
import { decodeArtifact } from "../models/artifact_codec.ts";

/** What a call of the input loop has made and not yet published. */
interface Outbox {
  /** Forecasts by lane index: each output record holds one model's. */
  forecasts: Forecast[][];
  deadLetters: OutgoingRecord[];
  /** Metrics reports, each with the fleet model it is about. */
  reports: { model: string; report: MetricsReport }[];
  /** Closed partition windows' counts (`engine.reportBy: partition`), as envelopes. */
  windows: OutgoingRecord[];
}

/** Lockstep: the event the engine stands at, a report window's first, in its input record. */
interface Standing {
  partition: number;
  /** The record's offset. */
  offset: number;
  /** The event's index in the record. */
  index: number;
}

/** A fleet model as the engine serves it: which events are its, and its own parts. */
export interface ModelRoute {
  name: string;
  select: KeySelector;
  /** The model's environment: its configuration, catalogue, artifacts and model. */
  env: RoleEnvironment;
}

/** The consumer group the engines share the input in (the metrics read its lag). */
export { ENGINE_GROUP };

/** How long after its last position an idle engine says it once more, ms. */
const POSITION_REPEAT_MS = 1_000;

/**
 * Most forecasts one output record holds. A batch's forecasts for one output partition grow with
 * the batch: an engine catching up a backlog wrote 1.2 MB records, over the broker's largest
 * message (1 MiB by default), and crash-looped on MESSAGE_TOO_LARGE. 2,048 keeps a record near
 * 100 kB.
 */
export const FORECASTS_PER_RECORD = 2_048;

/** A model ready to be swapped in, with how it was made. */
interface LoadedModel {
  forecaster: Forecaster;
  info: ModelVersion;
}

/** What the engine keeps of an input partition it holds. */
interface HeldPartition {
  /** The partition's keys. */
  select: KeySelector;
  /** Next input offset its state reflects (records before it are in it); null: none yet. */
  next: number | null;
  streamTime: number;
  /** The partition's scorer in each lane, by lane index. */
  scorers: OnlineScorer[];
  /** The lanes with state for the partition's keys: only theirs are checkpointed. */
  lanes: Set<Lane>;
  /** `engine.reportBy: partition`: the partition's open grid window (null: engines report). */
  grid: GridWindow | null;
  /** Events of the open grid window in each lane, by lane index. */
  windowEvents: number[];
  /** When (performance.now()) the partition last told the observer how far it closed. */
  saidAt: number;
}

/** One model's lane: its model in use and the one to swap in, its report window. */
interface Lane {
  readonly index: number;
  readonly name: string;
  readonly select: KeySelector;
  readonly env: RoleEnvironment;
  readonly settings: ForecastSettings;
  /** The lane's share of the engine's totals (`EngineState.byModel`). */
  readonly totals: LaneTotals;
  current: LoadedModel | null;
  pending: LoadedModel | null;
  reportId: number;
  batchStartTime: number | null;
  eventsInBatch: number;
  batchStartedWall: number;
}

/** The engine role. */
export class Engine implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #state: EngineState;
  readonly #lanes: Lane[];
  readonly #laneByName: Map<string, Lane>;
  /** Whether checkpoints hold runs per model (`byModel`): a fleet, even of one model. */
  readonly #fleet: boolean;
  /** The lanes each key goes to (the router); null: the deployment's one model takes every key. */
  readonly #routes: KeyRoutes<Lane> | null;
  /** Resolves when a model is queued for the swap; renewed after each. */
  #modelQueued: PromiseWithResolvers<void> = Promise.withResolvers();
  readonly #held = new Map<number, HeldPartition>();
  readonly #tail: CheckpointTail;
  #inputPartitioner: KeyPartitioner | null = null;
  #inputStarted = false;
  /** Next offset to process per input partition; -1 where this engine owns none yet. */
  #offsets: number[] = [];
  #streamTime = 0;
  #sincePosition = 0;
  #positionTimer: ReturnType<typeof setTimeout> | undefined;
  #positionRepeat: ReturnType<typeof setTimeout> | undefined;
  #outputPartitioner: KeyPartitioner | null = null;
  /** Lockstep only: report windows on a stream-time grid (null: `#reportDue` decides). */
  readonly #windows: StreamTimeWindows | null;
  /** Lockstep only: events of the input records finished so far (the collector may read them). */
  #eventsFinished = 0;
  /**
   * Lockstep only: while the engine waits at a window's end, the partition and index (in its
   * record at the partition's next offset) of the event it stands at, the window's first.
   */
  #standing: Standing | null = null;
  /** Period of the partitions' grid windows, ms (`engine.reportBy: partition`); null: none. */
  readonly #gridMs: number | null;
  /** How often a busy partition says how far it closed: a quarter of the shortest merge wait. */
  readonly #sayEveryMs: number;

  /**
   * `previous` is the snapshot a restarted engine's predecessor left; `routes` the fleet's models
   * (default: one model, the deployment's, taking every event).
   */
  constructor(env: RoleEnvironment, previous?: unknown, routes?: readonly ModelRoute[]) {
    this.#env = env;
    this.#state = previous === undefined ? new EngineState() : EngineState.restore(previous);
    this.#tail = new CheckpointTail(this.#state.checkpoints);
    this.#fleet = isFleet(env.config);
    const served = routes ?? [{ name: DEFAULT_MODEL, select: () => true, env }];
    this.#lanes = served.map((route, index) => {
      const { forecast, initialParams } = route.env.config.model;
      return {
        index,
        name: route.name,
        select: route.select,
        env: route.env,
        settings: { threshold: initialParams.threshold, ...forecast },
        totals: this.#state.lane(route.name),
        current: null,
        pending: null,
        reportId: 0,
        batchStartTime: null,
        eventsInBatch: 0,
        batchStartedWall: performance.now(),
      };
    });
    this.#laneByName = new Map(this.#lanes.map((lane) => [lane.name, lane]));
    // The deployment's one model needs no per-event lookup of its key.
    this.#routes = routes === undefined ? null : new KeyRoutes(this.#lanes, (lane) => lane.select);
    const cadence = env.config.engine.report;
    this.#windows = env.lockstep !== undefined && "everyStreamMs" in cadence
      ? new StreamTimeWindows(cadence.everyStreamMs)
      : null;
    this.#gridMs = env.config.engine.reportBy === "partition" && "everyStreamMs" in cadence
      ? cadence.everyStreamMs
      : null;
    // A fleet's models may each wait their own `observer.mergeIdleMs`.
    this.#sayEveryMs = Math.min(
      ...this.#lanes.map((lane) => lane.env.config.observer.mergeIdleMs / 4),
    );
  }

  /** Follows model versions, waits for a first model, then runs the input loop. */
  async start(context: ActorContext): Promise<void> {
    await this.#followModelVersions(context);
    if (!(await this.#awaitFirstModel(context))) return;
    for (const lane of this.#lanes) this.#swap(lane);
    this.#inputStarted = true;
    await this.#followChangelog(context);
    await this.#consumeInput(context);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot(this.#tail.known());
  }

  /** What the engine reports (totals, swaps, the model version in use). */
  view(): Readonly<EngineView> {
    return this.#state.view();
  }

  /** Listens for model versions before asking the catalogue, so none announced meanwhile is missed. */
  async #followModelVersions(context: ActorContext): Promise<void> {
    const { topics } = this.#env;
    await receive(context, {
      topic: topics.modelVersions,
      // Every engine instance must see every model version, hence its own group.
      group: `engine.models.${this.#env.instance}`,
      type: "ModelVersion",
      deadLetterTopic: topics.deadLetters,
      handler: async (messages) => {
        const newest = new Map<Lane, ModelVersion>();
        for (const { model, payload } of messages) {
          // Outside a fleet every version is the one model's, whatever its envelope says.
          const lane = this.#fleet ? this.#laneByName.get(model) : this.#lanes[0];
          if (lane === undefined) continue;
          if (payload.version > (newest.get(lane)?.version ?? -1)) newest.set(lane, payload);
        }
        for (const [lane, info] of newest) await this.#offer(context, lane, info);
      },
    });
    for (const lane of this.#lanes) {
      const latest = await lane.env.catalog.latest();
      if (latest !== undefined) await this.#offer(context, lane, latest);
    }
  }

  /**
   * Resolves true once a model is queued, false if the engine stops first; throws when none
   * arrives within `engine.firstModelDeadlineMs` (the factory trains the first one).
   */
  async #awaitFirstModel(context: ActorContext): Promise<boolean> {
    const waiting = () => this.#lanes.filter((lane) => lane.pending === null);
    if (waiting().length === 0) return true;
    const deadlineMs = this.#env.config.engine.firstModelDeadlineMs;
    context.logger.info(
      "waiting up to {deadlineMs} ms for a first model of {models} model(s) (last in use: {last})",
      {
        deadlineMs,
        models: waiting().length,
        last: this.#state.modelVersion === null ? "none" : `v${this.#state.modelVersion}`,
      },
    );
    const ended = Promise.withResolvers<void>();
    let over = false;
    const timer = setTimeout(() => (over = true, ended.resolve()), deadlineMs);
    const onAbort = () => ended.resolve();
    context.signal.addEventListener("abort", onAbort, { once: true });
    try {
      while (waiting().length > 0 && !over && !context.signal.aborted) {
        await Promise.race([this.#modelQueued.promise, ended.promise]);
      }
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener("abort", onAbort);
    }
    const missing = waiting();
    if (missing.length === 0) return true;
    if (context.signal.aborted) return false;
    const named = this.#fleet
      ? ` for model(s) ${missing.slice(0, 5).map((lane) => lane.name).join(", ")}` +
        (missing.length > 5 ? ` and ${missing.length - 5} more` : "")
      : "";
    throw new Error(
      `no model version arrived${named} within ${deadlineMs} ms (engine.firstModelDeadlineMs): ` +
        "the factory trains the first model; check that a factory runs and can read its " +
        "training file",
    );
  }

  /** Loads a newer model off the hot path and queues it for the swap. */
  async #offer(context: ActorContext, lane: Lane, info: ModelVersion): Promise<void> {
    if (!isNewer(lane, info)) return;
    const artifact = decodeArtifact(
      await lane.env.artifacts.get(info.artifactUri),
      info.artifactUri,
    );
    const settings = { ...lane.settings, threshold: info.params.threshold };
    const forecaster = await lane.env.model.load(artifact, settings, info.version);
    // Offers overlap (the catalogue's latest and the announcement at start, or two announcements):
    // one that queued this version or a newer one while this one loaded wins.
    if (!isNewer(lane, info)) return;
    lane.pending = { forecaster, info };
    this.#env.lockstep?.modelLoaded(info.version);
    const loaded = { version: info.version, method: info.creationMethod };
    if (this.#fleet) {
      context.logger.info("model {model} v{version} ({method}) loaded, swapping in", {
        model: lane.name,
        ...loaded,
      });
    } else {
      context.logger.info("model v{version} ({method}) loaded, swapping in", loaded);
    }
    this.#modelQueued.resolve();
    this.#modelQueued = Promise.withResolvers();
  }

  /** Reads the whole changelog, then follows it (its own group: every engine reads it all). */
  async #followChangelog(context: ActorContext): Promise<void> {
    await context.subscribe({
      group: `engine.changelog.${this.#env.instance}`,
      topics: [this.#env.topics.engineChangelog],
      handler: (records) => {
        this.#tail.take(records);
        return Promise.resolve();
      },
    });
  }

  async #consumeInput(context: ActorContext): Promise<void> {
    const { topics, config } = this.#env;
    this.#outputPartitioner = new KeyPartitioner(await context.partitions(topics.output));
    this.#inputPartitioner = new KeyPartitioner(await context.partitions(topics.input));
    await context.subscribe({
      group: ENGINE_GROUP,
      topics: [topics.input],
      maxBatch: config.engine.maxBatchRecords,
      transactional: config.engine.delivery === "exactly_once",
      onAssigned: (partitions) => this.#assigned(context, partitions),
      onRevoked: (partitions) => this.#revoked(partitions),
      handler: (records, batch) => this.#handleBatch(context, records, batch),
    });
  }

  /** Resumes each assigned input partition from its checkpoint at the committed offset. */
  async #assigned(context: ActorContext, partitions: AssignedPartition[]): Promise<void> {
    for (const { partition, committed } of partitions) {
      const partitioner = this.#inputPartitioner!;
      const held: HeldPartition = {
        select: (key) => partitioner.partition(key) === partition,
        next: null,
        streamTime: 0,
        scorers: this.#lanes.map(() => new OnlineScorer()),
        lanes: new Set(),
        grid: this.#gridMs === null ? null : new GridWindow(this.#gridMs),
        windowEvents: this.#lanes.map(() => 0),
        saidAt: -Infinity,
      };
      for (const lane of this.#lanes) lane.current!.forecaster.drop(held.select);
      this.#held.set(partition, held);
      if (committed !== null) await this.#resume(context, partition, committed);
    }
  }

  /**
   * Restores `partition`'s state from its checkpoint at or past `offset`; without one (none
   * arrived within `engine.restoreDeadlineMs`) its keys start afresh from `offset`.
   */
  async #resume(context: ActorContext, partition: number, offset: number): Promise<void> {
    const held = this.#held.get(partition)!;
    const started = performance.now();
    const deadlineMs = this.#env.config.engine.restoreDeadlineMs;
    const checkpoint = await this.#tail.reach(partition, offset, deadlineMs, context.signal);
    if (checkpoint === null) {
      if (context.signal.aborted) return;
      context.logger.warn(
        "input partition {partition}: no checkpoint at offset {offset} or later within {deadlineMs} ms; its keys start afresh",
        { partition, offset, deadlineMs },
      );
      for (const lane of this.#lanes) lane.current!.forecaster.drop(held.select);
      held.next = offset;
      this.#restoreWindow(held, "");
      return;
    }
    const runs = this.#byLane(JSON.parse(checkpoint.runs));
    const scorers = this.#byLane(JSON.parse(checkpoint.scorer));
    held.lanes.clear();
    for (const lane of this.#lanes) {
      if (runs[lane.index] !== undefined) held.lanes.add(lane);
      const forecaster = lane.current!.forecaster;
      forecaster.drop(held.select);
      // A model added to the fleet since the checkpoint starts its keys afresh.
      if (runs[lane.index] !== undefined) forecaster.merge(runs[lane.index] as never);
      held.scorers[lane.index] = scorers[lane.index] === undefined
        ? new OnlineScorer()
        : OnlineScorer.restore(scorers[lane.index]);
    }
    this.#restoreWindow(held, checkpoint.window);
    held.next = checkpoint.offset;
    held.streamTime = checkpoint.streamTime;
    this.#advanceTo(partition, checkpoint.offset);
    context.logger.info(
      "input partition {partition} resumes at offset {offset} (checkpoint read in {ms} ms)",
      { partition, offset: checkpoint.offset, ms: Math.round(performance.now() - started) },
    );
  }

  /** Forgets revoked partitions' runs: their newest state is in the changelog already. */
  #revoked(partitions: TopicPartition[]): Promise<void> {
    for (const { partition } of partitions) {
      const held = this.#held.get(partition);
      if (held === undefined) continue;
      for (const lane of this.#lanes) lane.current?.forecaster.drop(held.select);
      this.#held.delete(partition);
    }
    return Promise.resolve();
  }

  /** The input loop's body: decode, swap if due, forecast, score; then commit what it made. */
  async #handleBatch(
    context: ActorContext,
    records: ConsumedRecord[],
    batch: BatchContext,
  ): Promise<void> {
    const { topics } = this.#env;
    const partition = records[0].partition;
    const held = this.#held.get(partition);
    if (held === undefined) {
      throw new Error(`input partition ${partition} was handed over without being assigned`);
    }
    // The group resumed past the checkpoint restored (offsets read before a commit landed):
    // the state of the offset it resumed at is in a newer checkpoint.
    if (held.next !== null && records[0].offset > held.next) {
      await this.#resume(context, partition, records[0].offset);
    }
    const out: Outbox = {
      forecasts: this.#lanes.map(() => []),
      deadLetters: [],
      reports: [],
      windows: [],
    };
    const { forecasts, deadLetters, reports } = out;
    for (const record of records) {
      // Already in the restored state: its outputs went out with an earlier batch.
      if (held.next !== null && record.offset < held.next) continue;
      let events: StreamEvent[];
      try {
        events = decodeData("StreamEventBatch", record.value).events;
      } catch (error) {
        deadLetters.push({ key: record.key, value: deadLetterBytes(record, reasonOf(error)) });
        this.#advance(record, held);
        continue;
      }
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        // Lockstep runs one model (the configuration refuses a fleet).
        if (this.#windows?.enter(event.timestamp) && this.#lanes[0].eventsInBatch > 0) {
          await this.#endWindow(context, out, this.#lanes[0], {
            partition,
            offset: record.offset,
            index: i,
          });
        }
        const closed = held.grid?.enter(event.timestamp);
        if (closed) out.windows.push(...this.#closeWindow(context, partition, held, closed));
        const lanes = this.#routes === null ? this.#lanes : this.#routes.of(event.key);
        let lane: Lane | undefined;
        try {
          for (lane of lanes) this.#forecast(lane, event, held, forecasts);
        } catch (error) {
          const item = { key: event.key, value: encodePayload("StreamEvent", event) };
          const model = this.#fleet ? ` (model ${lane?.name})` : "";
          const reason = `event ${i} of the record${model}: ${reasonOf(error)}`;
          deadLetters.push({ key: event.key, value: deadLetterBytes(record, reason, item) });
          continue;
        }
        this.#state.eventsProcessed++;
        this.#sincePosition++;
        this.#streamTime = Math.max(this.#streamTime, event.timestamp);
        if (event.timestamp > held.streamTime) held.streamTime = event.timestamp;
        for (const lane of lanes) {
          held.windowEvents[lane.index]++;
          lane.eventsInBatch++;
          lane.batchStartTime ??= event.timestamp;
          if (this.#windows === null && held.grid === null && this.#reportDue(lane)) {
            await this.#endWindow(context, out, lane);
          }
        }
      }
      this.#advance(record, held);
      this.#eventsFinished += events.length;
    }
    const made = forecasts.reduce((sum, lane) => sum + lane.length, 0);
    this.#state.forecasts += made;
    this.#state.deadLetters += deadLetters.length;
    const outputs: TopicRecords[] = [];
    if (made > 0) {
      outputs.push({ topic: topics.output, records: this.#outputRecords(forecasts) });
    }
    if (deadLetters.length > 0) outputs.push({ topic: topics.deadLetters, records: deadLetters });
    if (held.grid !== null) this.#sayProgress(context, partition, held, out.windows);
    if (out.windows.length > 0) outputs.push({ topic: topics.windowCounts, records: out.windows });
    if (held.next !== null) {
      outputs.push({ topic: topics.engineChangelog, records: [this.#checkpoint(partition, held)] });
    }
    await batch.commit(outputs);
    if (reports.length > 0) {
      const lag = await inputLag(context, topics.input);
      for (const { model, report } of reports) {
        await send(context, topics.metrics, "MetricsReport", { ...report, lag }, { model });
      }
    }
    const reported = reports.length > 0 || out.windows.length > 0;
    if (this.#sincePosition >= this.#env.config.engine.positionEveryEvents || reported) {
      await this.#publishPosition(context);
    } else if (this.#sincePosition > 0) {
      this.#publishPositionSoon(context);
    }
  }

  /**
   * Cuts the window's report. In lockstep, publishes what the loop made so far and the position,
   * which names the event the engine stands at (`standing`: the next window's first), waits for
   * the data to settle, publishes the report and waits for what it sets off
   * (`actors/lockstep.ts`); a model loaded meanwhile is swapped in before the next event.
   */
  async #endWindow(
    context: ActorContext,
    out: Outbox,
    lane: Lane,
    standing?: Standing,
  ): Promise<void> {
    out.reports.push({ model: lane.name, report: this.#report(lane) });
    const gate = this.#env.lockstep;
    if (gate === undefined) return;
    // The collector takes the events before the one the engine stands at and looks at that one.
    const reached = this.#eventsFinished + (standing === undefined ? 0 : standing.index + 1);
    this.#standing = standing ?? null;
    // The record it stands in is the partition's next to process, also when it is the first.
    if (standing !== undefined) this.#advanceTo(standing.partition, standing.offset);
    try {
      await this.#settle(context, gate, out, lane, reached);
    } finally {
      this.#standing = null;
    }
  }

  /**
   * Lockstep: publishes what the window made and the position, waits until the collector has
   * `reached` events (those processed and the one the engine stands at) and the data settled,
   * publishes the report and waits for the decisions it sets off.
   */
  async #settle(
    context: ActorContext,
    gate: LockstepGate,
    out: Outbox,
    lane: Lane,
    reached: number,
  ): Promise<void> {
    const { topics } = this.#env;
    const reports = out.reports.splice(0);
    if (out.forecasts[0].length > 0) {
      this.#state.forecasts += out.forecasts[0].length;
      await context.publish(topics.output, this.#outputRecords([out.forecasts[0].splice(0)]));
    }
    if (out.deadLetters.length > 0) {
      this.#state.deadLetters += out.deadLetters.length;
      await context.publish(topics.deadLetters, out.deadLetters.splice(0));
    }
    await this.#publishPosition(context);
    const data = await gate.dataSettled(reached, context.signal);
    for (const { model, report } of reports) {
      await send(context, topics.metrics, "MetricsReport", report, { model });
    }
    const decisions = await gate.decisionsSettled(lane.reportId, reached, context.signal);
    if (!(data && decisions) && !context.signal.aborted) {
      context.logger.warn(
        "lockstep: the system did not settle within {ms} ms after report {id} " +
          "(covered {covered}): {counters}",
        {
          ms: this.#env.config.experiment.settleTimeoutMs,
          id: lane.reportId - 1,
          covered: reached,
          counters: gate.describe(),
        },
      );
    }
  }

  /**
   * Output records per model and output partition of at most `FORECASTS_PER_RECORD` forecasts
   * each, keyed by their first forecast's key and naming the fleet model that made them ("" for
   * a deployment of one model).
   */
  #outputRecords(forecastsByLane: Forecast[][]): OutgoingRecord[] {
    return forecastsByLane.flatMap((forecasts, index) => {
      if (forecasts.length === 0) return [];
      const model = this.#fleet ? this.#lanes[index].name : "";
      return this.#outputPartitioner!.groupByPartition(forecasts).flatMap((group) => {
        const records: OutgoingRecord[] = [];
        for (let from = 0; from < group.length; from += FORECASTS_PER_RECORD) {
          const part = group.length <= FORECASTS_PER_RECORD
            ? group
            : group.slice(from, from + FORECASTS_PER_RECORD);
          records.push({
            key: part[0].key,
            value: encodeData("ForecastBatch", { forecasts: part, model }),
          });
        }
        return records;
      });
    });
  }

  /** Publishes the position after `engine.positionLingerMs` unless one went out meanwhile. */
  #publishPositionSoon(context: ActorContext): void {
    this.#positionTimer ??= setTimeout(() => {
      this.#positionTimer = undefined;
      if (this.#sincePosition === 0 || context.signal.aborted) return;
      this.#publishPosition(context).catch((error) => context.fail(error));
    }, this.#env.config.engine.positionLingerMs);
  }

  /** The changelog record of `partition`'s state now, keyed by the partition. */
  #checkpoint(partition: number, held: HeldPartition): OutgoingRecord {
    // Lanes that never saw the partition's keys have nothing of it: a fleet's checkpoint leaves
    // them out (a lane missing from it restores afresh).
    const lanes = this.#fleet ? [...held.lanes] : this.#lanes;
    const runs = lanes.map((lane) => lane.current!.forecaster.snapshotOf(held.select));
    const scorers = lanes.map((lane) => held.scorers[lane.index].snapshot());
    const value = encodePayload("EngineCheckpoint", {
      partition,
      offset: held.next!,
      streamTime: held.streamTime,
      runs: JSON.stringify(this.#perLane(lanes, runs)),
      scorer: JSON.stringify(this.#perLane(lanes, scorers)),
      window: held.grid === null ? "" : JSON.stringify({
        start: held.grid.start,
        events: this.#perLane(lanes, lanes.map((lane) => held.windowEvents[lane.index])),
      }),
    });
    return { key: String(partition), value };
  }

  /**
   * The records of a grid window `partition` closed: each lane's counts (a lane of a fleet only
   * where it had events; a fleet adds one record of model "" saying how far the partition
   * closed, for the models without). The window's counts leave the partition's scorers.
   */
  #closeWindow(
    context: ActorContext,
    partition: number,
    held: HeldPartition,
    closed: ClosedWindow,
  ): OutgoingRecord[] {
    const records: OutgoingRecord[] = [];
    const record = (model: string, counts: WindowCounts) => {
      const envelope = newEnvelope("WindowCounts", context.name, counts, null, model);
      records.push({ key: String(partition), value: encodeEnvelope(envelope) });
    };
    const window = { partition, windowStart: closed.start, windowEnd: closed.end };
    for (const lane of this.#lanes) {
      const events = held.windowEvents[lane.index];
      held.windowEvents[lane.index] = 0;
      if (this.#fleet && events === 0) continue;
      const { tp, tn, fp, fn } = OnlineScorer.takeBatchOf([held.scorers[lane.index]]).batch;
      const info = lane.current!.info;
      record(lane.name, {
        ...window,
        closedUntil: closed.closedUntil,
        events,
        tp,
        tn,
        fp,
        fn,
        modelVersion: info.version,
        creationMethod: info.creationMethod as CreationMethod,
        modelValidationMcc: info.metrics.mcc,
      });
    }
    if (this.#fleet) {
      record("", progressOf(partition, closed.start, closed.end, closed.closedUntil));
    }
    return records;
  }

  /**
   * Adds a record saying how far `partition` closed when it told nothing for a while (a quarter
   * of `observer.mergeIdleMs`): a partition deep in a long window is not taken for idle.
   */
  #sayProgress(
    context: ActorContext,
    partition: number,
    held: HeldPartition,
    windows: OutgoingRecord[],
  ): void {
    const now = performance.now();
    const start = held.grid!.start;
    if (windows.length > 0 || start === null) {
      if (windows.length > 0) held.saidAt = now;
      return;
    }
    if (now - held.saidAt < this.#sayEveryMs) return;
    held.saidAt = now;
    const progress = progressOf(partition, start - this.#gridMs!, start, start);
    const envelope = newEnvelope("WindowCounts", context.name, progress, null, "");
    windows.push({ key: String(partition), value: encodeEnvelope(envelope) });
  }

  /** Restores `held`'s open grid window from a checkpoint's `window` ("": a fresh one). */
  #restoreWindow(held: HeldPartition, window: string): void {
    held.windowEvents = this.#lanes.map(() => 0);
    if (this.#gridMs === null) return;
    if (window === "") {
      held.grid = new GridWindow(this.#gridMs);
      return;
    }
    const { start, events } = JSON.parse(window) as { start: number | null; events: unknown };
    held.grid = new GridWindow(this.#gridMs, start);
    this.#byLane(events).forEach((count, index) => {
      if (count === undefined) return;
      if (!Number.isSafeInteger(count) || (count as number) < 0) {
        throw new TypeError(
          `checkpoint window: events must be integers >= 0: current value is ${
            JSON.stringify(count)
          }`,
        );
      }
      held.windowEvents[index] = count as number;
    });
  }

  /** A checkpoint part from `lanes`' parts: the one model's as is, a fleet's `byModel`. */
  #perLane(lanes: readonly Lane[], parts: unknown[]): unknown {
    if (!this.#fleet) return parts[0];
    return { byModel: Object.fromEntries(lanes.map((lane, i) => [lane.name, parts[i]])) };
  }

  /** Each lane's part of a checkpoint part `#perLane` wrote, by lane index (undefined: none). */
  #byLane(part: unknown): unknown[] {
    if (!this.#fleet) return [part];
    const byModel = (part as { byModel?: Record<string, unknown> }).byModel ?? {};
    return this.#lanes.map((lane) => byModel[lane.name]);
  }

  /** Forecasts `event` in `lane`, swapping its pending model in first. */
  #forecast(lane: Lane, event: StreamEvent, held: HeldPartition, forecasts: Forecast[][]): void {
    if (lane.pending !== null) this.#swap(lane);
    const step = lane.current!.forecaster.process(event);
    held.scorers[lane.index].observe(event.key, step);
    held.lanes.add(lane);
    const { totals } = lane;
    totals.eventsProcessed++;
    if (step.detection) this.#state.detections++;
    if (step.forecast !== null) {
      forecasts[lane.index].push(step.forecast);
      totals.forecasts++;
    }
  }

  #advance(record: ConsumedRecord, held: HeldPartition): void {
    held.next = record.offset + 1;
    this.#advanceTo(record.partition, record.offset + 1);
  }

  #advanceTo(partition: number, next: number): void {
    while (this.#offsets.length <= partition) this.#offsets.push(-1);
    this.#offsets[partition] = next;
  }

  /** Swaps a lane's pending model in between two events, keeping every partition's run state. */
  #swap(lane: Lane): void {
    const next = lane.pending!;
    lane.pending = null;
    if (lane.current !== null) next.forecaster.restore(lane.current.forecaster.snapshot());
    lane.current = next;
    this.#state.swapped(next.info.version, this.#streamTime, lane.name);
  }

  #reportDue(lane: Lane): boolean {
    const cadence = this.#env.config.engine.report;
    if ("everyEvents" in cadence) return lane.eventsInBatch >= cadence.everyEvents;
    return this.#streamTime - lane.batchStartTime! >= cadence.everyStreamMs;
  }

  #report(lane: Lane): MetricsReport {
    const now = performance.now();
    const seconds = Math.max(1e-9, (now - lane.batchStartedWall) / 1000);
    const scorers = [...this.#held.values()].map((held) => held.scorers[lane.index]);
    const { batch, cumulative } = OnlineScorer.takeBatchOf(scorers);
    const info = lane.current!.info;
    const report: MetricsReport = {
      reportId: lane.reportId++,
      streamTimeStart: lane.batchStartTime!,
      streamTimeEnd: this.#streamTime,
      batch,
      cumulative,
      eventsInBatch: lane.eventsInBatch,
      eventsProcessed: this.#state.eventsProcessed,
      eventsPerSecond: lane.eventsInBatch / seconds,
      // Asked of the broker once per batch of records, when its reports go out.
      lag: -1,
      modelVersion: info.version,
      creationMethod: info.creationMethod as CreationMethod,
      modelValidationMcc: info.metrics.mcc,
    };
    lane.batchStartTime = null;
    lane.eventsInBatch = 0;
    lane.batchStartedWall = now;
    return report;
  }

  async #publishPosition(context: ActorContext, repeat = true): Promise<void> {
    this.#sincePosition = 0;
    // Said once more when the input went idle: a collector restarted in this process resumes its
    // position group after the last one said, and must still learn where the engine stands.
    clearTimeout(this.#positionRepeat);
    if (repeat) {
      this.#positionRepeat = setTimeout(() => {
        if (context.signal.aborted) return;
        this.#publishPosition(context, false).catch((error) => context.fail(error));
      }, POSITION_REPEAT_MS);
    }
    const standing = this.#standing;
    const position: EnginePosition = {
      offsets: [...this.#offsets],
      standsAt: this.#offsets.map((_, p) => p === standing?.partition ? standing.index : -1),
      eventsProcessed: this.#state.eventsProcessed,
      streamTime: this.#streamTime,
    };
    await send(context, this.#env.topics.position, "EnginePosition", position);
  }

  /** Publishes the final position, so a collector waiting on it can drain. */
  async postStop(context: ActorContext): Promise<void> {
    clearTimeout(this.#positionTimer);
    if (this.#inputStarted) await this.#publishPosition(context).catch(() => {});
    clearTimeout(this.#positionRepeat);
  }
}

/**
 * A record of model "" that only says how far `partition` closed: no counts, for every model (in
 * a fleet, those without events in the window).
 */
function progressOf(
  partition: number,
  windowStart: number,
  windowEnd: number,
  closedUntil: number,
): WindowCounts {
  return {
    partition,
    windowStart,
    windowEnd,
    closedUntil,
    events: 0,
    tp: 0,
    tn: 0,
    fp: 0,
    fn: 0,
    modelVersion: -1,
    creationMethod: "initial",
    modelValidationMcc: null,
  };
}

/** Whether `info` is newer than what `lane` has queued or uses. */
function isNewer(lane: Lane, info: ModelVersion): boolean {
  return info.version > (lane.pending?.info.version ?? lane.current?.info.version ?? -1);
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
