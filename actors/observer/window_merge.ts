/**
 * Merges the input partitions' grid-window counts (`engine.reportBy: partition`) into one metrics
 * series. A window is due once every input partition has closed it: each partition says how far
 * it closed (`closedUntil`) with every record, so a window a partition had no events in needs no
 * record of its own. Due windows come out in stream order, each once, numbered on from the last;
 * a repeated record (at-least-once delivery, an engine resuming from its checkpoint) changes
 * nothing. A window some partitions closed while others, behind it, have said nothing for
 * `idleMs` of wall time is merged without those: they count as idle (said in the result, for the
 * log) until they report again, and their records of windows merged meanwhile are refused as
 * late. A partition behind that still reports (a slow engine, a backlog) is waited for.
 *
 * @module
 */

import { z } from "zod";
import type { WindowCounts } from "../../core/window_counts.ts";
import { countSchema as count, parseSnapshot } from "../role_snapshot.ts";

/** One partition's share of a window: its record without where and how far. */
type Share = Omit<WindowCounts, "partition" | "windowStart" | "windowEnd" | "closedUntil">;

/** A merged window, numbered, with the series' totals up to and including it. */
export interface MergedWindow extends Share {
  reportId: number;
  start: number;
  end: number;
  /** Confusion counts and events of every merged window so far, this one included. */
  cumulative: { tp: number; tn: number; fp: number; fn: number; events: number };
  /** What judging the window decided (sent with its report); null: nothing. */
  decision: { action: "train" | "optimise"; reason: string; since?: number } | null;
}

/** What one record did to the merge. */
export type Taken =
  /** A new share of a pending window. */
  | "added"
  /** Only how far its partition closed (no events, or a fleet's progress record). */
  | "progress"
  /** The window already has (or its merge had) this partition's share: a repeat. */
  | "repeated"
  /** The window was merged without this partition's share (counted idle): its counts are lost. */
  | "late";

/** Partitions counted idle to merge a window, for the log. */
export interface IdleDecision {
  windowStart: number;
  partitions: number[];
}

const timeSchema = z.number().int();
const shareSchema = z.strictObject({
  events: count,
  tp: count,
  tn: count,
  fp: count,
  fn: count,
  modelVersion: z.number().int(),
  creationMethod: z.enum(["initial", "retrain", "optimise"]),
  modelValidationMcc: z.number().nullable(),
});
const totalsSchema = z.strictObject({ tp: count, tn: count, fp: count, fn: count, events: count });
const mergedSchema = shareSchema.extend({
  reportId: count,
  start: timeSchema,
  end: timeSchema,
  cumulative: totalsSchema,
  decision: z.strictObject({
    action: z.enum(["train", "optimise"]),
    reason: z.string(),
    since: z.number().optional(),
  }).nullable(),
});
const mergeSnapshotSchema = z.strictObject({
  /** Per partition: how far it closed. */
  closedUntil: z.array(z.tuple([count, timeSchema])),
  /** Per partition: when (wall ms) its last record came. */
  heard: z.array(z.tuple([count, z.number()])).default([]),
  idle: z.array(count),
  pending: z.array(z.strictObject({
    start: timeSchema,
    end: timeSchema,
    shares: z.array(z.tuple([count, shareSchema])),
  })),
  /** Windows ending at or before it were merged; null: none yet. */
  mergedUntil: timeSchema.nullable(),
  nextReportId: count,
  cumulative: totalsSchema,
  /**
   * Merged windows (with what judging them decided) not yet known to be published: published
   * again after a restart.
   */
  unpublished: z.array(mergedSchema),
  /** The oldest pending window another partition closed, and since when (wall ms) it waits. */
  blocked: z.strictObject({ start: timeSchema, since: z.number() }).nullable(),
});

/**
 * What survives an observer restart in a merging deployment: each partition's progress, the
 * shares of windows not yet merged, the series' numbering and totals, and the merged windows not
 * yet published; so a restart neither loses nor repeats a window.
 */
export type MergeSnapshot = z.infer<typeof mergeSnapshotSchema>;

interface Pending {
  start: number;
  end: number;
  shares: Map<number, Share>;
}

/** The merge of one model's partition windows. */
export class WindowMerge {
  readonly #closedUntil = new Map<number, number>();
  readonly #heard = new Map<number, number>();
  readonly #idle = new Set<number>();
  readonly #pending = new Map<number, Pending>();
  #mergedUntil: number | null = null;
  #nextReportId = 0;
  #cumulative = { tp: 0, tn: 0, fp: 0, fn: 0, events: 0 };
  #unpublished: MergedWindow[] = [];
  #blocked: { start: number; since: number } | null = null;

  /** A merge restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): WindowMerge {
    const data = parseSnapshot("observer merge", mergeSnapshotSchema, snapshot);
    const merge = new WindowMerge();
    for (const [partition, until] of data.closedUntil) merge.#closedUntil.set(partition, until);
    for (const [partition, at] of data.heard) merge.#heard.set(partition, at);
    for (const partition of data.idle) merge.#idle.add(partition);
    for (const { start, end, shares } of data.pending) {
      merge.#pending.set(start, { start, end, shares: new Map(shares) });
    }
    merge.#mergedUntil = data.mergedUntil;
    merge.#nextReportId = data.nextReportId;
    merge.#cumulative = { ...data.cumulative };
    merge.#unpublished = data.unpublished.map((window) => structuredClone(window));
    merge.#blocked = data.blocked === null ? null : { ...data.blocked };
    return merge;
  }

  /** What a restart keeps, as plain data (see `MergeSnapshot`). */
  snapshot(): MergeSnapshot {
    return {
      closedUntil: [...this.#closedUntil],
      heard: [...this.#heard],
      idle: [...this.#idle],
      pending: [...this.#pending.values()].map(({ start, end, shares }) => ({
        start,
        end,
        shares: [...shares].map(([partition, share]) => [partition, { ...share }]),
      })),
      mergedUntil: this.#mergedUntil,
      nextReportId: this.#nextReportId,
      cumulative: { ...this.#cumulative },
      unpublished: this.#unpublished.map((window) => structuredClone(window)),
      blocked: this.#blocked === null ? null : { ...this.#blocked },
    };
  }

  /** Windows pending (some partitions' shares in, not yet merged). */
  get pendingWindows(): number {
    return this.#pending.size;
  }

  /** Merged windows not yet marked published, oldest first. */
  get unpublished(): readonly MergedWindow[] {
    return this.#unpublished;
  }

  /**
   * Takes one partition's record, come at `now` (wall ms; absent: unknown, long ago); `counts`
   * false: it only says how far the partition closed.
   */
  take(record: WindowCounts, options: { counts?: boolean; now?: number } = {}): Taken {
    const { counts = true, now } = options;
    const { partition, windowStart, windowEnd, closedUntil } = record;
    if (!Number.isSafeInteger(partition) || partition < 0) {
      throw new RangeError(`partition must be an integer >= 0: current value is ${partition}`);
    }
    if (!(windowStart < windowEnd && windowEnd <= closedUntil)) {
      throw new RangeError(
        `a window record needs windowStart < windowEnd <= closedUntil: current values are ` +
          `${windowStart}, ${windowEnd}, ${closedUntil}`,
      );
    }
    this.#idle.delete(partition);
    if (now !== undefined) {
      this.#heard.set(partition, Math.max(this.#heard.get(partition) ?? -Infinity, now));
    }
    const before = this.#closedUntil.get(partition) ?? -Infinity;
    if (closedUntil > before) this.#closedUntil.set(partition, closedUntil);
    if (!counts || record.events === 0) return "progress";
    // A partition's shares come before it says it closed past them: one it had closed past
    // when the window was merged was in the merge.
    if (this.#mergedUntil !== null && windowEnd <= this.#mergedUntil) {
      return before >= windowEnd ? "repeated" : "late";
    }
    let pending = this.#pending.get(windowStart);
    if (pending === undefined) {
      pending = { start: windowStart, end: windowEnd, shares: new Map() };
      this.#pending.set(windowStart, pending);
    }
    if (pending.shares.has(partition)) return "repeated";
    const { events, tp, tn, fp, fn, modelVersion, creationMethod, modelValidationMcc } = record;
    pending.shares.set(partition, {
      events,
      tp,
      tn,
      fp,
      fn,
      modelVersion,
      creationMethod,
      modelValidationMcc,
    });
    return "added";
  }

  /**
   * Merges the windows every one of `partitions` (the input topic's) closed, oldest first, and
   * keeps them as unpublished. At `now` (wall ms), once the oldest window another partition
   * closed has waited `idleMs`, the partitions behind it that said nothing for `idleMs` count as
   * idle; `idled` says which.
   */
  due(partitions: number, now: number, idleMs: number): {
    merged: MergedWindow[];
    idled: IdleDecision[];
  } {
    const merged: MergedWindow[] = [];
    const idled: IdleDecision[] = [];
    for (;;) {
      const frontier = this.#frontier(partitions);
      for (const window of this.#ordered()) {
        if (window.end > frontier) break;
        merged.push(this.#merge(window));
      }
      const head = this.#ordered()[0];
      if (head === undefined || this.#furthest() < head.end) {
        this.#blocked = null;
        break;
      }
      if (this.#blocked?.start !== head.start) this.#blocked = { start: head.start, since: now };
      if (now - this.#blocked.since < idleMs) break;
      const silent: number[] = [];
      for (let partition = 0; partition < partitions; partition++) {
        if (this.#idle.has(partition)) continue;
        if ((this.#closedUntil.get(partition) ?? -Infinity) >= head.end) continue;
        if (now - (this.#heard.get(partition) ?? -Infinity) >= idleMs) silent.push(partition);
      }
      if (silent.length === 0) break;
      for (const partition of silent) this.#idle.add(partition);
      idled.push({ windowStart: head.start, partitions: silent });
      this.#blocked = null;
    }
    return { merged, idled };
  }

  /** Records what judging the unpublished window `reportId` decided. */
  decided(reportId: number, decision: MergedWindow["decision"]): void {
    const window = this.#unpublished.find((unpublished) => unpublished.reportId === reportId);
    if (window === undefined) {
      throw new RangeError(
        `reportId must be an unpublished window's: current value is ${reportId}`,
      );
    }
    window.decision = decision === null ? null : { ...decision };
  }

  /** Marks the unpublished windows up to `reportId` as published. */
  published(reportId: number): void {
    this.#unpublished = this.#unpublished.filter((window) => window.reportId > reportId);
  }

  /** How far every partition not idle closed (idle ones wait for nobody). */
  #frontier(partitions: number): number {
    let frontier = Infinity;
    let counted = 0;
    for (let partition = 0; partition < partitions; partition++) {
      if (this.#idle.has(partition)) continue;
      counted++;
      frontier = Math.min(frontier, this.#closedUntil.get(partition) ?? -Infinity);
    }
    return counted === 0 ? this.#furthest() : frontier;
  }

  /** How far the furthest partition closed. */
  #furthest(): number {
    return Math.max(-Infinity, ...this.#closedUntil.values());
  }

  #ordered(): Pending[] {
    return [...this.#pending.values()].sort((a, b) => a.start - b.start);
  }

  #merge(window: Pending): MergedWindow {
    this.#pending.delete(window.start);
    const sum = { events: 0, tp: 0, tn: 0, fp: 0, fn: 0 };
    let model: Share | undefined;
    for (const share of window.shares.values()) {
      sum.events += share.events;
      sum.tp += share.tp;
      sum.tn += share.tn;
      sum.fp += share.fp;
      sum.fn += share.fn;
      if (model === undefined || share.modelVersion > model.modelVersion) model = share;
    }
    const cumulative = this.#cumulative;
    cumulative.events += sum.events;
    cumulative.tp += sum.tp;
    cumulative.tn += sum.tn;
    cumulative.fp += sum.fp;
    cumulative.fn += sum.fn;
    this.#mergedUntil = Math.max(this.#mergedUntil ?? -Infinity, window.end);
    const merged: MergedWindow = {
      reportId: this.#nextReportId++,
      start: window.start,
      end: window.end,
      ...sum,
      modelVersion: model!.modelVersion,
      creationMethod: model!.creationMethod,
      modelValidationMcc: model!.modelValidationMcc,
      cumulative: { ...cumulative },
      decision: null,
    };
    this.#unpublished.push(merged);
    return structuredClone(merged);
  }
}
