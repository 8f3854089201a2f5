/**
 * The engine's state: the model version it forecasts with and the run's totals, which a restart
 * keeps, apart from the read-only view it reports for metrics and the summary.
 *
 * @module
 */

import { z } from "zod";
import { countSchema as count, parseSnapshot } from "../role_snapshot.ts";

/** One model swap: which version came in, at what stream time, after how many events. */
export interface Swap {
  modelVersion: number;
  streamTime: number;
  eventsProcessed: number;
}

const engineSnapshotSchema = z.strictObject({
  modelVersion: z.number().int().nonnegative().nullable(),
  eventsProcessed: count,
  deadLetters: count,
  forecasts: count,
  detections: count,
  swaps: z.array(
    z.strictObject({ modelVersion: count, streamTime: z.number(), eventsProcessed: count }),
  ),
});

/**
 * What survives an engine restart:
 * - `modelVersion`: the version in use (null before the first), so the successor says what it
 *   waits to replace;
 * - the totals (`eventsProcessed`, `deadLetters`, `forecasts`, `detections`) and `swaps` (one
 *   per model version): the engine publishes `eventsProcessed` in its positions and reports,
 *   which must not go back, and the run's summary counts the whole run.
 * Per-key run state is not kept: a restarted engine re-reads its input from the committed
 * offsets, so a run state taken later than them would count those events twice.
 */
export type EngineSnapshot = z.infer<typeof engineSnapshotSchema>;

/** What the engine reports. */
export type EngineView = EngineSnapshot;

/** The engine's own state; only the engine changes it. */
export class EngineState {
  modelVersion: number | null = null;
  eventsProcessed = 0;
  deadLetters = 0;
  forecasts = 0;
  detections = 0;
  readonly swaps: Readonly<Swap>[] = [];

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
    return state;
  }

  /** Records a swap to `modelVersion` at the current totals. */
  swapped(modelVersion: number, streamTime: number): void {
    this.modelVersion = modelVersion;
    this.swaps.push(
      Object.freeze({ modelVersion, streamTime, eventsProcessed: this.eventsProcessed }),
    );
  }

  /** What a restart keeps, as plain data. */
  snapshot(): EngineSnapshot {
    return { ...this.view(), swaps: this.swaps.map((swap) => ({ ...swap })) };
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
    };
  }
}
