/**
 * The collector: keeps the stream in buckets and announces dataset versions. It
 * 1. becomes the collector leader (one collector writes buckets, however many run),
 * 2. follows the engine's published position and never takes an event the engine has not
 *    processed yet (in lockstep, where the engine waits at a report window's end inside an input
 *    record, it takes the record's events before the one the engine stands at),
 * 3. appends events to the open bucket and closes it by event count or stream time, before the
 *    first event past its end (in lockstep already when the engine stands at that event),
 * 4. on each closed bucket asks its collection policy which buckets form the next dataset
 *    version, records it in the ledger and announces it ("v7 = buckets 12..20"),
 * 5. deletes old buckets only through the ledger, which refuses while any pending, assembling or
 *    frozen dataset version references them, and deletes what is left when it stops.
 *
 * The leader keeps its state (bucket sequence, open bucket, next dataset version) in the state
 * store, saved once per input batch that changed it (before the batch's offsets commit), at each
 * schedule tick and after buckets are pruned, fenced by its leadership, so a standby that takes
 * over in another process adopts it rather than starting over.
 *
 * @module
 */

import type { BucketRef, DatasetVersion } from "../core/versions.ts";
import type { MetricsReport } from "../core/metrics_report.ts";
import type { StreamEvent } from "../core/events.ts";
import type { EnginePosition, StreamEventBatch } from "../protocol/messages.ts";
import type { BatchContext, ConsumedRecord } from "../transport/transport.ts";
import type { CollectionPolicy } from "../policies/collection/collection_policy.ts";
import { createCollectionPolicy } from "../config/build_policies.ts";
import { retentionCandidates } from "../policies/collection/retention.ts";
import type { Leadership } from "../registry/registry.ts";
import type { DatasetLedger } from "../registry/dataset_ledger.ts";
import type { ActorContext, Behaviour } from "./runtime/actor.ts";
import { receive, receiveData, send } from "./messaging.ts";
import type { RoleEnvironment } from "./environment.ts";
import { lead } from "./leadership.ts";
import {
  type CollectorSnapshot,
  CollectorState,
  type CollectorView,
} from "./collector/collector_state.ts";
import { type DurableState, durableState, restoredBy } from "./durable_state.ts";
import { CronTimer } from "./collector/cron_timer.ts";
import {
  type RetrainSchedule,
  streamTick,
  type Tick,
} from "../policies/retrain/retrain_schedule.ts";
import { scheduleOf } from "../config/build_policies.ts";

/** Where the collector leader keeps its state. */
const STATE_KEY = { role: "collector", name: "leader" };

/** The collector role. */
export class Collector implements Behaviour {
  readonly #env: RoleEnvironment;
  #state: CollectorState;
  readonly #policy: CollectionPolicy;
  #leadership: Leadership | null = null;
  #durable: DurableState<CollectorSnapshot> | undefined;
  /** Engine's next offset to process, per input partition. */
  readonly #engineOffsets: number[] = [];
  /** Per input partition, the event the engine stands at in the record at its offset; -1: none. */
  readonly #engineStandsAt: number[] = [];
  #engineMoved: PromiseWithResolvers<void> = Promise.withResolvers();
  readonly #reports: MetricsReport[] = [];
  /** The retrain schedule (`collector.schedule`), if any, and its cron timer while leading. */
  readonly #schedule: RetrainSchedule | undefined;
  #cron: CronTimer | undefined;
  /** Input batches and cron ticks run one at a time: both change the state. */
  #serial: Promise<void> = Promise.resolve();

  /** `previous` is the snapshot a restarted collector's predecessor left. */
  constructor(env: RoleEnvironment, previous?: unknown) {
    this.#env = env;
    this.#state = previous === undefined ? new CollectorState() : CollectorState.restore(previous);
    this.#policy = createCollectionPolicy(env.config.collector.policy);
    this.#schedule = scheduleOf(env.config.collector.schedule);
  }

  /** What a restart keeps. */
  snapshot(): unknown {
    return this.#state.snapshot();
  }

  /** What the collector reports (totals, its place in the bucket sequence). */
  view(): Readonly<CollectorView> {
    return this.#state.view();
  }

  /**
   * Wins leadership, adopts the state the last leader stored, follows the engine and the metrics,
   * then consumes the input.
   */
  async start(context: ActorContext): Promise<void> {
    const { topics } = this.#env;
    this.#leadership = await lead(context, this.#env, "collector");
    await this.#adopt(context);
    await this.#resume();
    await this.#finishClosing(context);
    // Claiming it refuses any later write of a deposed predecessor.
    await this.#durable!.claim(this.#state.snapshot());
    if (this.#state.tickInFlight !== null) {
      context.logger.info("sending the schedule tick the last leader may not have sent");
      await this.#sendTick(context);
    }
    await receive(context, {
      topic: topics.position,
      group: `collector.position.${this.#env.instance}`,
      type: "EnginePosition",
      deadLetterTopic: topics.deadLetters,
      handler: (messages) => {
        for (const { payload } of messages) this.#followEngine(payload);
        return Promise.resolve();
      },
    });
    await receive(context, {
      topic: topics.metrics,
      group: `collector.metrics.${this.#env.instance}`,
      type: "MetricsReport",
      deadLetterTopic: topics.deadLetters,
      handler: (messages) => {
        for (const { payload } of messages) this.#score(payload);
        return Promise.resolve();
      },
    });
    await receive(context, {
      topic: topics.datasetsAssembled,
      group: "collector.assembled",
      type: "DatasetAssembled",
      deadLetterTopic: topics.deadLetters,
      // Serial with ticks: a tick's buckets must not go between its choice and its announcement.
      handler: () =>
        this.#exclusive(async () => {
          const deleted = this.#state.bucketsDeleted;
          await this.#prune(context);
          if (this.#state.bucketsDeleted !== deleted) this.#save();
        }),
    });
    await receiveData(context, {
      topic: topics.input,
      group: "collector",
      type: "StreamEventBatch",
      // No dead-letter topic for undecodable input: the engine dead-letters it, and one letter
      // per record keeps events_in == events_processed + dead_letters countable. A record whose
      // handling crashes the collector is the collector's to dead-letter.
      poisonTopic: topics.deadLetters,
      handler: (items, batch) => this.#exclusive(() => this.#collect(context, items, batch)),
    });
    const schedule = this.#schedule;
    if (schedule !== undefined && "cron" in schedule) {
      this.#cron = new CronTimer({
        schedule,
        state: this.#state.schedule,
        streamTime: () => this.#newestStreamTime(),
        fire: (tick) =>
          this.#exclusive(async () => {
            await this.#fireTick(context, tick);
            // A tick with nothing to train on still counts as fired.
            this.#save();
            await this.#durable!.flush();
          }),
        onError: (error) => context.fail(error),
      });
      await this.#cron.start();
    }
  }

  /** Runs `work` after the work queued before it. */
  #exclusive(work: () => Promise<void>): Promise<void> {
    const done = this.#serial.then(work);
    this.#serial = done.catch(() => {});
    return done;
  }

  /** The newest stream time collected (-Infinity before any event). */
  #newestStreamTime(): number {
    return this.#state.open?.streamTimeEnd ?? this.#state.closed.at(-1)?.streamTimeEnd ?? -Infinity;
  }

  /**
   * A schedule's tick: announces a dataset version of the closed buckets inside the tick's window
   * (every bucket kept for a full-history tick), then asks for a retrain on it, as the observer
   * asks, naming the version. The tick is stored as fired before anything is sent, so a
   * successor never fires it again (a redelivered batch included) and sends what is unsent.
   */
  async #fireTick(context: ActorContext, tick: Tick): Promise<void> {
    const schedule = this.#schedule!;
    const from = tick.streamTime - schedule.windowMs;
    const span = this.#state.closed.filter((b) =>
      tick.fullHistory || (b.streamTimeStart >= from && b.streamTimeEnd < tick.streamTime)
    );
    const what = tick.fullHistory ? "full history" : `window of ${schedule.windowMs} ms`;
    if (span.length === 0) {
      context.logger.warn("schedule tick {tick}: no closed bucket lies in its {what}", {
        tick: tick.tick,
        what,
      });
      return;
    }
    const dataset: DatasetVersion = {
      version: this.#state.nextVersion++,
      buckets: span.map((b) => ({ bucket: b.id, weight: 1 })),
      firstBucket: span[0].id,
      lastBucket: span.at(-1)!.id,
      streamTimeStart: Math.min(...span.map((b) => b.streamTimeStart)),
      streamTimeEnd: Math.max(...span.map((b) => b.streamTimeEnd)),
      createdAt: Date.now(),
      scheduled: true,
    };
    const reason = `schedule tick ${tick.tick} at stream time ${tick.streamTime}: ${what}, ` +
      `dataset v${dataset.version} = buckets ${dataset.firstBucket}..${dataset.lastBucket}`;
    // Stored first (with the ticks fired): a successor finishes sending it, never fires it again.
    this.#state.tickInFlight = { dataset, reason, datasetSent: false };
    this.#state.datasetVersions++;
    this.#save();
    await this.#durable!.flush();
    await this.#sendTick(context);
  }

  /**
   * Sends the tick in flight: its dataset version unless that was announced already, then its
   * retrain instruction, and clears it. A successor that finds a tick in flight finishes it: the
   * instruction may then go twice, the dataset version only if the kill fell between its
   * announcement and the next save.
   */
  async #sendTick(context: ActorContext): Promise<void> {
    const { dataset, reason, datasetSent } = this.#state.tickInFlight!;
    if (!datasetSent) await this.#announceTick(context, dataset);
    if (this.#state.tickInFlight === null) return;
    await send(context, this.#env.topics.instructions, "Instruction", {
      action: "train",
      reason,
      reportId: -1,
      datasetVersion: dataset.version,
    });
    this.#state.tickInFlight = null;
    this.#state.retrainsScheduled++;
    this.#save();
    await this.#durable!.flush();
    context.logger.info("{reason}", { reason });
  }

  /**
   * Records the tick's dataset version in the ledger (unless it already is) and announces it,
   * then notes that in the stored tick, so a successor does not announce it again (the factory
   * would assemble it twice). A tick whose buckets retention deleted first is dropped.
   */
  async #announceTick(context: ActorContext, dataset: DatasetVersion): Promise<void> {
    const entry = (await this.#ledger.versions()).find((v) =>
      v.dataset.version === dataset.version
    );
    if (entry === undefined) {
      const registered = new Set(await this.#ledger.registeredBuckets());
      const gone = dataset.buckets.filter((b) => !registered.has(b.bucket)).map((b) => b.bucket);
      if (gone.length > 0) {
        // Retention deleted them before the announcement: a retrain without them is not the
        // window's, and announcing would fail on every restart.
        context.logger.warn(
          "schedule tick dropped: buckets {gone} of dataset v{version} are gone",
          {
            gone: gone.join(", "),
            version: dataset.version,
          },
        );
        this.#state.tickInFlight = null;
        this.#save();
        await this.#durable!.flush();
        return;
      }
      await this.#ledger.announce(dataset);
    }
    await send(context, this.#env.topics.datasetVersions, "DatasetVersion", dataset);
    this.#state.tickInFlight!.datasetSent = true;
    this.#save();
    await this.#durable!.flush();
  }

  /** The ledger, its writes fenced by this collector's leadership once it leads. */
  get #ledger(): DatasetLedger {
    const { ledger, instance } = this.#env;
    const leadership = this.#leadership;
    return leadership === null
      ? ledger
      : ledger.heldBy({ name: instance, lease: leadership.lease, fence: leadership.fence });
  }

  /**
   * Adopts the last leader's stored state. It wins over a snapshot handed over in this process:
   * a predecessor flushes its saves when it stops, so the stored state is as new, or newer when
   * a leader in another process wrote it since.
   */
  async #adopt(context: ActorContext): Promise<void> {
    this.#durable = durableState(
      this.#env,
      context,
      STATE_KEY,
      restoredBy(CollectorState.restore),
      this.#leadership!,
    );
    const stored = await this.#durable.load();
    if (stored === undefined) return;
    this.#state = CollectorState.restore(stored);
    context.logger.info("adopting the last leader's state: next bucket {bucket}, open {open}", {
      bucket: stored.nextBucket,
      open: stored.open?.id ?? "none",
    });
  }

  /** Saves the state in the background (coalesced): a successor adopts it. */
  #save(): void {
    this.#durable?.save(this.#state.snapshot());
  }

  /**
   * Continues numbering after what its predecessor or an earlier run (or instance) left, and
   * keeps of its predecessor's buckets only those still stored.
   */
  async #resume(): Promise<void> {
    const state = this.#state;
    const stored = await this.#env.buckets.list();
    state.nextBucket = Math.max(state.nextBucket, ...stored.map((id) => id + 1));
    if (state.open !== null && !stored.includes(state.open.id)) state.open = null;
    const gone = state.closed.filter((bucket) => !stored.includes(bucket.id));
    for (const bucket of gone) state.closed.splice(state.closed.indexOf(bucket), 1);
    const versions = await this.#ledger.versions();
    state.nextVersion = Math.max(state.nextVersion, ...versions.map((v) => v.dataset.version + 1));
  }

  /**
   * Finishes closing the adopted open bucket when the last leader closed it after it last saved
   * (the ledger has it registered), announcing its dataset version unless that was done too, so
   * the bucket is neither filled again nor announced twice.
   */
  async #finishClosing(context: ActorContext): Promise<void> {
    const open = this.#state.open;
    if (open === null || !(await this.#ledger.registeredBuckets()).includes(open.id)) return;
    context.logger.info("bucket {id} was closed by the last leader after it last saved", {
      id: open.id,
    });
    const versions = await this.#ledger.versions();
    if (!versions.some((v) => v.dataset.buckets.some((b) => b.bucket === open.id))) {
      return await this.#closeBucket(context);
    }
    this.#state.open = null;
    this.#state.closed.push({ ...open, score: this.#scoreOf(open) });
    this.#state.bucketsClosed++;
  }

  /** Notes how far the engine has come; a position older than the one known changes nothing. */
  #followEngine(position: EnginePosition): void {
    let moved = false;
    position.offsets.forEach((offset, partition) => {
      const known = this.#engineOffsets[partition] ?? -1;
      const at = position.standsAt[partition] ?? -1;
      if (offset < known || (offset === known && at <= (this.#engineStandsAt[partition] ?? -1))) {
        return;
      }
      this.#engineOffsets[partition] = offset;
      this.#engineStandsAt[partition] = at;
      moved = true;
    });
    // A repeated position wakes no one (a fleet's collectors each hear every position).
    if (!moved) return;
    this.#engineMoved.resolve();
    this.#engineMoved = Promise.withResolvers();
  }

  /**
   * Events of `record` (of `length`) the engine has processed: all once it is past the record,
   * those before the event it stands at when it waits inside it (lockstep), else none.
   */
  #processedOf(record: ConsumedRecord, length: number): number {
    const next = this.#engineOffsets[record.partition] ?? -1;
    if (next > record.offset) return length;
    if (next < record.offset) return 0;
    return Math.max(0, this.#engineStandsAt[record.partition] ?? -1);
  }

  /**
   * Waits until the engine has processed more than `taken` of the record's `events`, and returns
   * how many it has. While the engine stands at event `taken` (lockstep, at a report window's
   * end), the collector looks at that event once: the first event past the open bucket's end
   * closes the bucket, as it would when collected, so the dataset a report's decision trains on
   * holds the stream up to the report window's end.
   */
  async #awaitEngine(
    context: ActorContext,
    record: ConsumedRecord,
    events: readonly StreamEvent[],
    taken: number,
    batch: BatchContext,
  ): Promise<number> {
    for (;;) {
      const processed = this.#processedOf(record, events.length);
      if (processed > taken) return processed;
      const standing = this.#engineOffsets[record.partition] === record.offset &&
        this.#engineStandsAt[record.partition] === taken;
      if (standing && !this.#state.lookedAhead) {
        const next = events[taken];
        if (this.#env.serves.select(next.key) && this.#bucketFull(next)) {
          await this.#closeBucket(context);
        }
        // Counted once the bucket is closed: a lockstep engine waits on it.
        this.#state.lookedAhead = true;
      }
      if (batch.stopping.aborted) throw new Error("stopping while waiting for the engine");
      // Wake at least every second to keep group membership alive while the engine is slow.
      const wake = Promise.withResolvers<void>();
      const timer = setTimeout(wake.resolve, 1000);
      const onStop = () => wake.resolve();
      batch.stopping.addEventListener("abort", onStop, { once: true });
      await Promise.race([this.#engineMoved.promise, wake.promise]);
      clearTimeout(timer);
      batch.stopping.removeEventListener("abort", onStop);
      await batch.heartbeat();
    }
  }

  /**
   * Collects the batch's records, each as far as the engine has processed it, waiting for the
   * engine where it has not.
   */
  async #collect(
    context: ActorContext,
    items: { message: StreamEventBatch; record: ConsumedRecord }[],
    batch: BatchContext,
  ): Promise<void> {
    let collected = 0;
    const { select } = this.#env.serves;
    for (const { message, record } of items) {
      const all = message.events;
      let taken = 0;
      while (taken < all.length) {
        const processed = await this.#awaitEngine(context, record, all, taken, batch);
        // A fleet model's collector keeps only its model's events (`select`).
        const events = all.slice(taken, processed).filter((event) => select(event.key));
        // A record taken whole, all of it this model's, is stored as it came, not encoded again.
        const whole = taken === 0 && events.length === all.length;
        await this.#take(context, events, whole ? record.value : undefined);
        taken = processed;
        collected += events.length;
        // Counted as taken, with the event looked at among them: a lockstep engine waits on it
        // (`actors/lockstep.ts`).
        this.#state.eventsBucketed += events.length;
        this.#state.lookedAhead = false;
      }
    }
    // A batch of none of this model's events changed nothing (no event, no bucket, no tick).
    if (collected === 0) return;
    this.#state.eventsCollected += collected;
    // Written once per batch, before the batch is committed, so a successor's state matches
    // what it is not sent again (a bucket closed in the batch is in the ledger already: a
    // successor finishes closing it, `#finishClosing`).
    this.#save();
    await this.#durable!.flush();
  }

  /**
   * Puts `events` (in stream order) in buckets, closing the open bucket before the first event
   * past its end and firing the schedule's ticks; `encoded`: the events as one record, when they
   * are a whole input record.
   */
  async #take(
    context: ActorContext,
    events: readonly StreamEvent[],
    encoded: Uint8Array | undefined,
  ): Promise<void> {
    // Events from `from` on belong to the open bucket.
    let from = 0;
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      if (this.#bucketFull(event)) {
        await this.#append(events.slice(from, i));
        from = i;
        await this.#closeBucket(context);
      }
      const tick = this.#schedule &&
        streamTick(this.#schedule, this.#state.schedule, event.timestamp);
      if (tick) {
        await this.#append(events.slice(from, i));
        from = i;
        await this.#fireTick(context, tick);
      }
      this.#state.open ??= {
        id: this.#state.nextBucket++,
        streamTimeStart: event.timestamp,
        streamTimeEnd: event.timestamp,
        events: 0,
      };
      this.#state.open.events++;
      this.#state.open.streamTimeEnd = Math.max(this.#state.open.streamTimeEnd, event.timestamp);
    }
    // Events that went whole into one bucket are stored as they came.
    await this.#append(
      from === 0 ? events : events.slice(from),
      from === 0 ? encoded : undefined,
    );
  }

  /**
   * Whether `next` starts a new bucket. Stream-time buckets tile the grid k x `byStreamMs` from the
   * epoch (as Kafka Streams' tumbling windows): counted from each bucket's first event instead,
   * every bucket would start up to an event gap late and the grid would drift from the report
   * windows, leaving the dataset a report's decision trains on short of the window's end.
   */
  #bucketFull(next: StreamEvent): boolean {
    if (this.#state.open === null) return false;
    const bucket = this.#env.config.collector.bucket;
    if ("byEvents" in bucket) return this.#state.open.events >= bucket.byEvents;
    const slot = (timestamp: number) => Math.floor(timestamp / bucket.byStreamMs);
    return slot(next.timestamp) > slot(this.#state.open.streamTimeStart);
  }

  async #append(events: readonly StreamEvent[], encoded?: Uint8Array): Promise<void> {
    if (events.length > 0 && this.#state.open !== null) {
      await this.#env.buckets.append(this.#state.open.id, events, encoded);
    }
  }

  /** Closes the open bucket, announces the dataset version it completes and prunes. */
  async #closeBucket(context: ActorContext): Promise<void> {
    const open = this.#state.open!;
    this.#state.open = null;
    await this.#env.buckets.close(open.id);
    await this.#ledger.registerBucket(open.id);
    this.#state.closed.push({ ...open, score: this.#scoreOf(open) });
    this.#state.bucketsClosed++;

    const refs: BucketRef[] = this.#policy.select(this.#state.closed);
    const chosen = new Set(refs.map((r) => r.bucket));
    const span = this.#state.closed.filter((b) => chosen.has(b.id));
    const version: DatasetVersion = {
      version: this.#state.nextVersion++,
      buckets: refs,
      firstBucket: Math.min(...chosen),
      lastBucket: Math.max(...chosen),
      streamTimeStart: Math.min(...span.map((b) => b.streamTimeStart)),
      streamTimeEnd: Math.max(...span.map((b) => b.streamTimeEnd)),
      createdAt: Date.now(),
    };
    await this.#ledger.announce(version);
    await send(context, this.#env.topics.datasetVersions, "DatasetVersion", version);
    this.#state.datasetVersions++;
    context.logger.info("dataset v{version} = buckets {first}..{last}", {
      version: version.version,
      first: version.firstBucket,
      last: version.lastBucket,
    });
    await this.#prune(context);
  }

  /**
   * Deletes buckets past retention that no live dataset version references. The newest assembled
   * version's buckets stay too: it is the one the next optimisation freezes, and the ledger
   * refuses to freeze a version whose buckets are gone.
   */
  async #prune(context: ActorContext): Promise<void> {
    const keep = this.#env.config.collector.keep;
    const versions = await this.#ledger.versions();
    // A schedule tick's version is the factory's to train on once, never one to freeze.
    const newest = versions.filter((v) => v.state === "assembled" && !v.dataset.scheduled).at(-1);
    const referenced = newest?.dataset.buckets.map((b) => b.bucket) ?? [];
    for (const id of retentionCandidates(this.#state.closed, keep, referenced)) {
      const deleted = await this.#ledger.deleteBucketIfUnused(
        id,
        () => this.#env.buckets.delete(id),
      );
      if (deleted) {
        this.#state.closed.splice(this.#state.closed.findIndex((b) => b.id === id), 1);
        this.#state.bucketsDeleted++;
        context.logger.debug("bucket {id} deleted", { id });
      }
    }
    await this.#ledger.collectGarbage();
  }

  /** Attributes the engine's batch MCC to the buckets whose time span the batch overlaps. */
  #score(report: MetricsReport): void {
    // Reports older than every kept bucket can no longer score anything.
    const oldest = this.#state.closed[0]?.streamTimeStart ?? -Infinity;
    while (this.#reports.length > 0 && this.#reports[0].streamTimeEnd < oldest) {
      this.#reports.shift();
    }
    this.#reports.push(report);
    for (const bucket of this.#state.closed) bucket.score = this.#scoreOf(bucket);
  }

  #scoreOf(bucket: { streamTimeStart: number; streamTimeEnd: number }): number | null {
    const overlapping = this.#reports.filter((r) =>
      r.streamTimeStart <= bucket.streamTimeEnd && r.streamTimeEnd >= bucket.streamTimeStart
    );
    if (overlapping.length === 0) return null;
    return overlapping.reduce((sum, r) => sum + r.batch.mcc, 0) / overlapping.length;
  }

  /**
   * Hands over leadership and nothing else: the buckets stay for the next leader and the dataset
   * versions that reference them (deleting leftovers is `deno task teardown`).
   */
  async postStop(): Promise<void> {
    this.#cron?.stop();
    // A save that failed was reported when it failed; the rest are written before the hand-over.
    await this.#durable?.flush().catch(() => {});
    await this.#leadership?.resign();
  }
}
