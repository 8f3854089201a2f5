/**
 * The engine's state: the model version it forecasts with, the run's totals and what it read of
 * its changelog, which a restart keeps, apart from the read-only view it reports for metrics and
 * the summary.
 *
 * @module
 */

import { z } from "zod";
import { countSchema as count, parseSnapshot } from "../role_snapshot.ts";
import type { EngineCheckpoint } from "../../protocol/messages.ts";

/** One model swap: which version came in, at what stream time, after how many events. */
export interface Swap {
  modelVersion: number;
  streamTime: number;
  eventsProcessed: number;
}

const checkpointSchema = z.strictObject({
  partition: count,
  offset: count,
  streamTime: z.number(),
  runs: z.string(),
  scorer: z.string(),
  window: z.string().default(""),
});

/** One fleet model's share of the engine's work. */
const laneTotalsSchema = z.strictObject({
  modelVersion: z.number().int().nonnegative().nullable(),
  swaps: count,
  eventsProcessed: count,
  forecasts: count,
});

/** One fleet model's share of the engine's work: its version in use, swaps, events, forecasts. */
export type LaneTotals = z.infer<typeof laneTotalsSchema>;

const engineSnapshotSchema = z.strictObject({
  modelVersion: z.number().int().nonnegative().nullable(),
  eventsProcessed: count,
  deadLetters: count,
  forecasts: count,
  detections: count,
  swaps: z.array(
    z.strictObject({ modelVersion: count, streamTime: z.number(), eventsProcessed: count }),
  ),
  checkpoints: z.array(checkpointSchema).default([]),
  /** Per fleet model (`config/fleet.ts`); one "default" entry without a fleet. */
  byModel: z.record(z.string(), laneTotalsSchema).default({}),
});

/**
 * What survives an engine restart:
 * - `modelVersion`: the version in use (null before the first), so the successor says what it
 *   waits to replace;
 * - the totals (`eventsProcessed`, `deadLetters`, `forecasts`, `detections`) and `swaps` (one
 *   per model version): the engine publishes `eventsProcessed` in its positions and reports,
 *   which must not go back, and the run's summary counts the whole run.
 * - `checkpoints`: the newest changelog checkpoint of each input partition it read. A successor
 *   in this process resumes its changelog group where this one left it, so it would not read
 *   them again. Per-key run state itself lives in the changelog only, next to the offset it
 *   belongs to: a copy taken here could be ahead of the committed offsets and count events twice.
 */
export type EngineSnapshot = z.infer<typeof engineSnapshotSchema>;

/** What the engine reports. */
export type EngineView = Omit<EngineSnapshot, "checkpoints">;

/** The engine's own state; only the engine changes it. */
export class EngineState {
  modelVersion: number | null = null;
  eventsProcessed = 0;
  deadLetters = 0;
  forecasts = 0;
  detections = 0;
  readonly swaps: Readonly<Swap>[] = [];
  /** Totals per fleet model. */
  readonly byModel: Record<string, LaneTotals> = {};
  /** What the predecessor had read of the changelog (see `EngineSnapshot`). */
  readonly checkpoints: EngineCheckpoint[] = [];

  /** A state restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): EngineState {
    const data = parseSnapshot("engine", engineSnapshotSchema, snapshot);
    const state = new EngineState();
    state.modelVersion = data.modelVersion;
    state.eventsProcessed = data.eventsProcessed;
    state.deadLetters = data.deadLetters;
    state.forecasts = data.forecasts;
    state.detections = data.detections;
    state.swaps.push(...data.swaps.map((swap) => Object.freeze(swap)));
    state.checkpoints.push(...data.checkpoints);
    Object.assign(state.byModel, data.byModel);
    return state;
  }

  /** The totals of fleet model `model`, created on first use. */
  lane(model: string): LaneTotals {
    return this.byModel[model] ??= {
      modelVersion: null,
      swaps: 0,
      eventsProcessed: 0,
      forecasts: 0,
    };
  }

  /** Records a swap of `model` to `modelVersion` at the current totals. */
  swapped(modelVersion: number, streamTime: number, model = "default"): void {
    this.modelVersion = modelVersion;
    const lane = this.lane(model);
    lane.modelVersion = modelVersion;
    lane.swaps++;
    this.swaps.push(
      Object.freeze({ modelVersion, streamTime, eventsProcessed: this.eventsProcessed }),
    );
  }

  /** What a restart keeps, as plain data, with the changelog's newest `checkpoints`. */
  snapshot(checkpoints: readonly EngineCheckpoint[] = []): EngineSnapshot {
    return {
      ...this.view(),
      swaps: this.swaps.map((swap) => ({ ...swap })),
      checkpoints: checkpoints.map((checkpoint) => ({ ...checkpoint })),
    };
  }

  /** A copy of what the engine reports. */
  view(): Readonly<EngineView> {
    return {
      modelVersion: this.modelVersion,
      eventsProcessed: this.eventsProcessed,
      deadLetters: this.deadLetters,
      forecasts: this.forecasts,
      detections: this.detections,
      swaps: [...this.swaps],
      byModel: Object.fromEntries(
        Object.entries(this.byModel).map(([model, lane]) => [model, { ...lane }]),
      ),
    };
  }
}
