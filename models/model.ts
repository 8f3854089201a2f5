/**
 * The forecasting model interface. The engine and factory depend only on this; the native CEF
 * model (`models/cef/`) and the Wayeb adapter (`models/wayeb/`) implement it.
 *
 * @module
 */

import type { Forecast, StreamEvent } from "../core/events.ts";
import type { HyperParameters } from "../core/hyper_parameters.ts";
import type { Scores } from "../core/scores.ts";

/** A trained model, serialisable as JSON; `format` names the implementation and its version. */
export interface ModelArtifact {
  format: string;
  /** Implementation-specific content (pattern, alphabet, tree, parameters, ...). */
  [field: string]: unknown;
}

/** Settings used when forecasting or testing, not learned. */
export interface ForecastSettings {
  /** Confidence threshold theta_fc in [0, 1]. */
  threshold: number;
  /** Longest look-ahead, in events. Default 200. */
  horizon: number;
  /** Widest interval emitted, in events. Default 200. */
  maxSpread: number;
}

/** Test metrics: the confusion scores plus counts and interval statistics. */
export interface ModelMetrics extends Scores {
  events: number;
  matches: number;
  forecasts: number;
  /** Mean e - s over positive forecasts (0 if none). */
  spread: number;
  /** Mean s (events ahead) over positive forecasts (0 if none). */
  distance: number;
}

/** What one event produced. */
export interface StepResult {
  /** The event completed a match. */
  detection: boolean;
  /** The forecast made after this event, if the model emits one for it. */
  forecast: Forecast | null;
}

/** Opaque, JSON-serialisable per-partition run state. */
export type RunState = unknown;

/** Selects partitions (event keys), e.g. those of one input partition of the engine. */
export type KeySelector = (key: string) => boolean;

/** A loaded model that forecasts over a stream, one event at a time. */
export interface Forecaster {
  readonly version: number;
  process(event: StreamEvent): StepResult;
  /** Every partition's run state (automaton state, recent symbols, counter). */
  snapshot(): RunState;
  /** Adopts run state from another forecaster of the same pattern (model swap). */
  restore(state: RunState): void;
  /**
   * The run state of the partitions `select` picks, in `restore`'s shape: what the engine
   * checkpoints per input partition.
   */
  snapshotOf(select: KeySelector): RunState;
  /**
   * Adds (or replaces) the runs of a snapshot, keeping every other partition's run: an input
   * partition assigned to the engine. Nothing changes if the snapshot is rejected.
   */
  merge(state: RunState): void;
  /** Forgets the runs of the partitions `select` picks: an input partition taken away. */
  drop(select: KeySelector): void;
}

/** A forecasting model implementation. */
export interface ForecastingModel {
  readonly name: string;
  train(dataset: readonly StreamEvent[], params: HyperParameters): Promise<ModelArtifact>;
  test(
    artifact: ModelArtifact,
    dataset: readonly StreamEvent[],
    settings: ForecastSettings,
  ): Promise<ModelMetrics>;
  load(artifact: ModelArtifact, settings: ForecastSettings, version: number): Promise<Forecaster>;
  /**
   * `test` at each of `thresholds`, in their order, sharing the work a threshold does not change;
   * absent, callers test once per threshold.
   */
  testThresholds?(
    artifact: ModelArtifact,
    dataset: readonly StreamEvent[],
    settings: ForecastSettings,
    thresholds: readonly number[],
  ): Promise<ModelMetrics[]>;
}
