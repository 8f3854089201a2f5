/**
 * The engine: forecasts every input event with the current model and never stops for a model
 * being built. It
 * 1. waits for a first model (the newest in the catalogue, or the first announced), for at most
 *    `engine.firstModelDeadlineMs`,
 * 2. consumes the input topic (batches of events, `StreamEventBatch`), forecasting each event and
 *    writing every forecast to the output (batched per partition, `ForecastBatch`),
 * 3. scores its own forecasts as the stream unfolds and publishes a metrics report every
 *    reporting interval (events or stream time),
 * 4. publishes its input position so the collector never reads ahead of it,
 * 5. swaps in a newer model between two events, carrying over every partition's run state.
 * In a lockstep experiment it cuts report windows on a stream-time grid and, at each window's end,
 * waits for what its report sets off (`lockstep.ts`), so the run is reproducible.
 * Events that do not decode or that the model cannot process go to the dead-letter topic.
 *
 * @module
 */

import { decodeData, encodeData, encodePayload } from "../protocol/codec.ts";
import type { CreationMethod, ModelVersion } from "../core/versions.ts";
import type { EnginePosition } from "../protocol/messages.ts";
import type { Forecast, StreamEvent } from "../core/events.ts";
import type { MetricsReport } from "../core/metrics_report.ts";
import type { ConsumedRecord, OutgoingRecord } from "../transport/transport.ts";
import { KeyPartitioner } from "../transport/key_partitioner.ts";
import { totalLag } from "../transport/consumer_lag.ts";
import type { Forecaster, ForecastSettings } from "../models/model.ts";
import { OnlineScorer } from "../models/online_scorer.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { deadLetterBytes, receive, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import { EngineState, type EngineView } from "./engine/engine_state.ts";
import { StreamTimeWindows } from "./engine/stream_windows.ts";

/** What a call of the input loop has made and not yet published. */
interface Outbox {
  forecasts: Forecast[];
  deadLetters: OutgoingRecord[];
  reports: MetricsReport[];
}

/** The consumer group the engines share the input in (the metrics read its lag). */
export const ENGINE_GROUP = "engine";

/** Longest the engine waits for the broker to tell its lag before a report says -1, ms. */
const LAG_DEADLINE_MS = 1_000;

/** A model ready to be swapped in, with how it was made. */
interface LoadedModel {
  forecaster: Forecaster;
  info: ModelVersion;
}

/** The engine role. */
export class Engine implements Behaviour {
  readonly #env: RoleEnvironment;
  readonly #state: EngineState;
  readonly #settings: ForecastSettings;
  #current: LoadedModel | null = null;
  #pending: LoadedModel | null = null;
  /** Resolves when a model is queued for the swap; renewed after each. */
  #modelQueued: PromiseWithResolvers<void> = Promise.withResolvers();
  #scorer = new OnlineScorer();
  #inputStarted = false;
  /** Next offset to process per input partition; -1 where this engine owns none yet. */
  #offsets: number[] = [];
  #streamTime = 0;
  #reportId = 0;
  #batchStartTime: number | null = null;
  #eventsInBatch = 0;
  #batchStartedWall = performance.now();
  #sincePosition = 0;
  #positionTimer: ReturnType<typeof setTimeout> | undefined;
  #outputPartitioner: KeyPartitioner | null = null;
  /** Lockstep only: report windows on a stream-time grid (null: `#reportDue` decides). */
  readonly #windows: StreamTimeWindows | null;
  /** Lockstep only: events of the input records finished so far (the collector may read them). */
  #eventsFinished = 0;

  /** `previous` is the snapshot a restarted engine's predecessor left. */
  constructor(env: RoleEnvironment, previous?: unknown) {
    this.#env = env;
    this.#state = previous === undefined ? new EngineState() : EngineState.restore(previous);
    const { forecast, initialParams } = env.config.model;
    this.#settings = { threshold: initialParams.threshold, ...forecast };
    const cadence = env.config.engine.report;
    this.#windows = env.lockstep !== undefined && "everyStreamMs" in cadence
      ? new StreamTimeWindows(cadence.everyStreamMs)
      : null;
  }

  /** Follows model versions, waits for a first model, then runs the input loop. */
  async start(context: ActorContext): Promise<void> {
    await this.#followModelVersions(context);
    if (!(await this.#awaitFirstModel(context))) return;
    this.#swap();
    this.#inputStarted = true;
    await this.#consumeInput(context);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot();
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
        const newest = messages.map((m) => m.payload).sort((a, b) => b.version - a.version)[0];
        if (newest !== undefined) await this.#offer(context, newest);
      },
    });
    const latest = await this.#env.catalog.latest();
    if (latest !== undefined) await this.#offer(context, latest);
  }

  /**
   * Resolves true once a model is queued, false if the engine stops first; throws when none
   * arrives within `engine.firstModelDeadlineMs` (the factory trains the first one).
   */
  async #awaitFirstModel(context: ActorContext): Promise<boolean> {
    if (this.#pending !== null) return true;
    const deadlineMs = this.#env.config.engine.firstModelDeadlineMs;
    context.logger.info("waiting up to {deadlineMs} ms for a first model (last in use: {last})", {
      deadlineMs,
      last: this.#state.modelVersion === null ? "none" : `v${this.#state.modelVersion}`,
    });
    const ended = Promise.withResolvers<void>();
    const timer = setTimeout(ended.resolve, deadlineMs);
    const onAbort = () => ended.resolve();
    context.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await Promise.race([this.#modelQueued.promise, ended.promise]);
    } finally {
      clearTimeout(timer);
      context.signal.removeEventListener("abort", onAbort);
    }
    if (this.#pending !== null) return true;
    if (context.signal.aborted) return false;
    throw new Error(
      `no model version arrived within ${deadlineMs} ms (engine.firstModelDeadlineMs): ` +
        "the factory trains the first model; check that a factory runs and can read its " +
        "training file",
    );
  }

  /** Loads a newer model off the hot path and queues it for the swap. */
  async #offer(context: ActorContext, info: ModelVersion): Promise<void> {
    if (!this.#isNewer(info)) return;
    const artifact = JSON.parse(
      new TextDecoder().decode(await this.#env.artifacts.get(info.artifactUri)),
    );
    const settings = { ...this.#settings, threshold: info.params.threshold };
    const forecaster = await this.#env.model.load(artifact, settings, info.version);
    // Offers overlap (the catalogue's latest and the announcement at start, or two announcements):
    // one that queued this version or a newer one while this one loaded wins.
    if (!this.#isNewer(info)) return;
    this.#pending = { forecaster, info };
    this.#env.lockstep?.modelLoaded(info.version);
    context.logger.info("model v{version} ({method}) loaded, swapping in", {
      version: info.version,
      method: info.creationMethod,
    });
    this.#modelQueued.resolve();
    this.#modelQueued = Promise.withResolvers();
  }

  #isNewer(info: ModelVersion): boolean {
    return info.version > (this.#pending?.info.version ?? this.#current?.info.version ?? -1);
  }

  async #consumeInput(context: ActorContext): Promise<void> {
    const { topics } = this.#env;
    this.#outputPartitioner = new KeyPartitioner(await context.partitions(topics.output));
    await context.subscribe({
      group: ENGINE_GROUP,
      topics: [topics.input],
      maxBatch: this.#env.config.engine.maxBatchRecords,
      handler: (records) => this.#handleBatch(context, records),
    });
  }

  /** The input loop's body: decode, swap if due, forecast, score; then publish what it made. */
  async #handleBatch(context: ActorContext, records: ConsumedRecord[]): Promise<void> {
    const { topics } = this.#env;
    const out: Outbox = { forecasts: [], deadLetters: [], reports: [] };
    const { forecasts, deadLetters, reports } = out;
    for (const record of records) {
      let events: StreamEvent[];
      try {
        events = decodeData("StreamEventBatch", record.value).events;
      } catch (error) {
        deadLetters.push({ key: record.key, value: deadLetterBytes(record, reasonOf(error)) });
        this.#advance(record);
        continue;
      }
      for (let i = 0; i < events.length; i++) {
        const event = events[i];
        if (this.#windows?.enter(event.timestamp) && this.#eventsInBatch > 0) {
          await this.#endWindow(context, out);
        }
        if (this.#pending !== null) this.#swap();
        try {
          const step = this.#current!.forecaster.process(event);
          this.#scorer.observe(event.key, step);
          if (step.detection) this.#state.detections++;
          if (step.forecast !== null) forecasts.push(step.forecast);
        } catch (error) {
          const item = { key: event.key, value: encodePayload("StreamEvent", event) };
          const reason = `event ${i} of the record: ${reasonOf(error)}`;
          deadLetters.push({ key: event.key, value: deadLetterBytes(record, reason, item) });
          continue;
        }
        this.#state.eventsProcessed++;
        this.#eventsInBatch++;
        this.#sincePosition++;
        this.#batchStartTime ??= event.timestamp;
        this.#streamTime = Math.max(this.#streamTime, event.timestamp);
        if (this.#windows === null && this.#reportDue()) await this.#endWindow(context, out);
      }
      this.#advance(record);
      this.#eventsFinished += events.length;
    }
    this.#state.forecasts += forecasts.length;
    this.#state.deadLetters += deadLetters.length;
    if (forecasts.length > 0) await context.publish(topics.output, this.#outputRecords(forecasts));
    if (deadLetters.length > 0) await context.publish(topics.deadLetters, deadLetters);
    if (reports.length > 0) {
      const lag = await this.#inputLag(context);
      for (const report of reports) {
        await send(context, topics.metrics, "MetricsReport", { ...report, lag });
      }
    }
    if (this.#sincePosition >= this.#env.config.engine.positionEveryEvents || reports.length > 0) {
      await this.#publishPosition(context);
    } else if (this.#sincePosition > 0) {
      this.#publishPositionSoon(context);
    }
  }

  /**
   * Cuts the window's report. In lockstep, publishes what the loop made so far and the position,
   * waits for the data to settle, publishes the report and waits for what it sets off
   * (`actors/lockstep.ts`); a model loaded meanwhile is swapped in before the next event.
   */
  async #endWindow(context: ActorContext, out: Outbox): Promise<void> {
    out.reports.push(this.#report());
    const gate = this.#env.lockstep;
    if (gate === undefined) return;
    const { topics } = this.#env;
    const reports = out.reports.splice(0);
    if (out.forecasts.length > 0) {
      this.#state.forecasts += out.forecasts.length;
      await context.publish(topics.output, this.#outputRecords(out.forecasts.splice(0)));
    }
    if (out.deadLetters.length > 0) {
      this.#state.deadLetters += out.deadLetters.length;
      await context.publish(topics.deadLetters, out.deadLetters.splice(0));
    }
    await this.#publishPosition(context);
    const data = await gate.dataSettled(this.#eventsFinished, context.signal);
    for (const report of reports) await send(context, topics.metrics, "MetricsReport", report);
    const decisions = await gate.decisionsSettled(
      this.#reportId,
      this.#eventsFinished,
      context.signal,
    );
    if (!(data && decisions) && !context.signal.aborted) {
      context.logger.warn(
        "lockstep: the system did not settle within {ms} ms after report {id} " +
          "(covered {covered}): {counters}",
        {
          ms: this.#env.config.experiment.settleTimeoutMs,
          id: this.#reportId - 1,
          covered: this.#eventsFinished,
          counters: gate.describe(),
        },
      );
    }
  }

  /** One output record per output partition, keyed by its first forecast's key. */
  #outputRecords(forecasts: Forecast[]): OutgoingRecord[] {
    return this.#outputPartitioner!.groupByPartition(forecasts).map((group) => ({
      key: group[0].key,
      value: encodeData("ForecastBatch", { forecasts: group }),
    }));
  }

  /** Publishes the position after `engine.positionLingerMs` unless one went out meanwhile. */
  #publishPositionSoon(context: ActorContext): void {
    this.#positionTimer ??= setTimeout(() => {
      this.#positionTimer = undefined;
      if (this.#sincePosition === 0 || context.signal.aborted) return;
      this.#publishPosition(context).catch((error) => context.fail(error));
    }, this.#env.config.engine.positionLingerMs);
  }

  #advance(record: ConsumedRecord): void {
    while (this.#offsets.length <= record.partition) this.#offsets.push(-1);
    this.#offsets[record.partition] = record.offset + 1;
  }

  /** Swaps the pending model in between two events, keeping every partition's run state. */
  #swap(): void {
    const next = this.#pending!;
    this.#pending = null;
    if (this.#current !== null) next.forecaster.restore(this.#current.forecaster.snapshot());
    this.#current = next;
    this.#state.swapped(next.info.version, this.#streamTime);
  }

  #reportDue(): boolean {
    const cadence = this.#env.config.engine.report;
    if ("everyEvents" in cadence) return this.#eventsInBatch >= cadence.everyEvents;
    return this.#streamTime - this.#batchStartTime! >= cadence.everyStreamMs;
  }

  #report(): MetricsReport {
    const now = performance.now();
    const seconds = Math.max(1e-9, (now - this.#batchStartedWall) / 1000);
    const { batch, cumulative } = this.#scorer.takeBatch();
    const info = this.#current!.info;
    const report: MetricsReport = {
      reportId: this.#reportId++,
      streamTimeStart: this.#batchStartTime!,
      streamTimeEnd: this.#streamTime,
      batch,
      cumulative,
      eventsInBatch: this.#eventsInBatch,
      eventsProcessed: this.#state.eventsProcessed,
      eventsPerSecond: this.#eventsInBatch / seconds,
      // Asked of the broker once per batch of records, when its reports go out.
      lag: -1,
      modelVersion: info.version,
      creationMethod: info.creationMethod as CreationMethod,
      modelValidationMcc: info.metrics.mcc,
    };
    this.#batchStartTime = null;
    this.#eventsInBatch = 0;
    this.#batchStartedWall = now;
    return report;
  }

  /**
   * Input records the engine's group has not committed yet, summed over the partitions, from the
   * broker; -1 when the broker cannot say now (a report is not worth failing the batch for).
   */
  async #inputLag(context: ActorContext): Promise<number> {
    const asked = context.consumerLag(ENGINE_GROUP, this.#env.topics.input);
    // An answer after the deadline is not wanted: its failure must not go unhandled either.
    asked.catch(() => {});
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer within ${LAG_DEADLINE_MS} ms`)),
        LAG_DEADLINE_MS,
      );
    });
    try {
      return totalLag(await Promise.race([asked, late]));
    } catch (error) {
      context.logger.debug("input lag unknown: {reason}", { reason: reasonOf(error) });
      return -1;
    } finally {
      clearTimeout(timer);
    }
  }

  async #publishPosition(context: ActorContext): Promise<void> {
    this.#sincePosition = 0;
    const position: EnginePosition = {
      offsets: [...this.#offsets],
      eventsProcessed: this.#state.eventsProcessed,
      streamTime: this.#streamTime,
    };
    await send(context, this.#env.topics.position, "EnginePosition", position);
  }

  /** Publishes the final position, so a collector waiting on it can drain. */
  async postStop(context: ActorContext): Promise<void> {
    clearTimeout(this.#positionTimer);
    if (this.#inputStarted) await this.#publishPosition(context).catch(() => {});
  }
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
