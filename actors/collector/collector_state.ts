/**
 * The collector's state: its bucket sequence, the bucket it fills and the closed buckets it
 * chooses dataset versions from, which a restart keeps, apart from the read-only view it reports.
 *
 * @module
 */

import { z } from "zod";
import type { BucketMeta } from "../../policies/collection/collection_policy.ts";
import { countSchema as count, parseSnapshot } from "../role_snapshot.ts";
import {
  initialScheduleState,
  type ScheduleState,
} from "../../policies/retrain/retrain_schedule.ts";

const span = {
  id: count,
  streamTimeStart: z.number(),
  streamTimeEnd: z.number(),
  events: count,
};

const collectorSnapshotSchema = z.strictObject({
  nextBucket: count,
  nextVersion: count,
  open: z.strictObject(span).nullable(),
  closed: z.array(z.strictObject({ ...span, score: z.number().nullable() })),
  eventsCollected: count,
  bucketsClosed: count,
  bucketsDeleted: count,
  datasetVersions: count,
  /** Where the retrain schedule stands (absent in states stored before schedules existed). */
  schedule: z.strictObject({
    anchor: z.number().nullable(),
    ticks: count,
    lastCronMs: z.number().nullable(),
  }).optional(),
  /** A tick whose messages may not all be sent yet (null or absent: none). */
  tickInFlight: z.strictObject({
    dataset: z.strictObject({
      version: count,
      buckets: z.array(z.strictObject({ bucket: count, weight: z.number().positive().max(1) })),
      firstBucket: count,
      lastBucket: count,
      streamTimeStart: z.number(),
      streamTimeEnd: z.number(),
      createdAt: z.number(),
      scheduled: z.boolean().optional(),
    }),
    reason: z.string(),
    /** Its dataset version was announced: a successor sends only the instruction. */
    datasetSent: z.boolean(),
  }).nullable().optional(),
}).refine((s) => s.open === null || s.open.id < s.nextBucket, {
  path: ["open", "id"],
  message: "the open bucket must come before nextBucket",
});

/**
 * What survives a collector restart:
 * - `nextBucket` and `nextVersion`: the bucket and dataset-version sequences continue, so no id is
 *   used twice even when the buckets and ledger entries of the predecessor are gone;
 * - `open`: the bucket being filled, which the successor goes on filling if it is still stored
 *   (the events of committed batches do not come again; those of a batch that failed part-way
 *   do, so they may be in it twice);
 * - `closed`: the closed buckets kept (at most the retention), which the collection policy chooses
 *   the next dataset version from, with their scores;
 * - the totals, which the run's summary counts over the whole run;
 * - `schedule`: the retrain schedule's anchor, ticks fired and last cron occurrence fired, so a
 *   successor fires no tick twice and misses none;
 * - `tickInFlight`: a tick's dataset version and reason, stored before its messages go out and
 *   cleared after, so a successor sends what a killed predecessor may not have sent.
 */
export type CollectorSnapshot = z.infer<typeof collectorSnapshotSchema>;

/** A schedule tick's dataset version and the reason of its retrain, until both are sent. */
export type TickInFlight = NonNullable<CollectorSnapshot["tickInFlight"]>;

/** The bucket being filled. */
export type OpenBucket = NonNullable<CollectorSnapshot["open"]>;

/** What the collector reports. */
export interface CollectorView {
  eventsCollected: number;
  /**
   * Events this incarnation has put in buckets, counted record by record rather than per
   * committed batch (so not kept across a restart): a lockstep engine waits on it.
   */
  eventsBucketed: number;
  /**
   * `eventsBucketed`, plus the event a lockstep engine stands at once the collector has looked at
   * it (closing the bucket that event ends): a lockstep engine waits on it.
   */
  eventsReached: number;
  /** Scheduled retrains this incarnation asked for (not kept): a lockstep engine waits on them. */
  retrainsScheduled: number;
  bucketsClosed: number;
  bucketsDeleted: number;
  datasetVersions: number;
  /** The next bucket id to open. */
  nextBucket: number;
  /** The id of the bucket being filled, null between buckets. */
  openBucket: number | null;
}

/** The collector's own state; only the collector changes it. */
export class CollectorState {
  nextBucket = 0;
  nextVersion = 0;
  open: OpenBucket | null = null;
  readonly closed: BucketMeta[] = [];
  eventsCollected = 0;
  eventsBucketed = 0;
  /** The collector has looked at the event a lockstep engine stands at (not kept). */
  lookedAhead = false;
  retrainsScheduled = 0;
  bucketsClosed = 0;
  bucketsDeleted = 0;
  datasetVersions = 0;
  schedule: ScheduleState = initialScheduleState();
  tickInFlight: TickInFlight | null = null;

  /** A state restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): CollectorState {
    const data = parseSnapshot("collector", collectorSnapshotSchema, snapshot);
    const state = new CollectorState();
    state.nextBucket = data.nextBucket;
    state.nextVersion = data.nextVersion;
    state.open = data.open;
    state.closed.push(...data.closed);
    state.eventsCollected = data.eventsCollected;
    state.bucketsClosed = data.bucketsClosed;
    state.bucketsDeleted = data.bucketsDeleted;
    state.datasetVersions = data.datasetVersions;
    state.schedule = data.schedule ?? initialScheduleState();
    state.tickInFlight = data.tickInFlight ?? null;
    return state;
  }

  /** What a restart keeps, as plain data. */
  snapshot(): CollectorSnapshot {
    return {
      nextBucket: this.nextBucket,
      nextVersion: this.nextVersion,
      open: this.open === null ? null : { ...this.open },
      closed: this.closed.map((bucket) => ({ ...bucket })),
      eventsCollected: this.eventsCollected,
      bucketsClosed: this.bucketsClosed,
      bucketsDeleted: this.bucketsDeleted,
      datasetVersions: this.datasetVersions,
      schedule: { ...this.schedule },
      tickInFlight: this.tickInFlight === null ? null : structuredClone(this.tickInFlight),
    };
  }

  /** A copy of what the collector reports. */
  view(): Readonly<CollectorView> {
    return {
      eventsCollected: this.eventsCollected,
      eventsBucketed: this.eventsBucketed,
      eventsReached: this.eventsBucketed + (this.lookedAhead ? 1 : 0),
      retrainsScheduled: this.retrainsScheduled,
      bucketsClosed: this.bucketsClosed,
      bucketsDeleted: this.bucketsDeleted,
      datasetVersions: this.datasetVersions,
      nextBucket: this.nextBucket,
      openBucket: this.open?.id ?? null,
    };
  }
}
