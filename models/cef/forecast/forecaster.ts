/**
 * The engine's inner loop for the native CEF model. Per partition (event key) it keeps the
 * pattern DFA state, the model context and the event counter; per event it maps the event to its
 * minterm, moves both, and reads the forecast of the new (context, state) pair from the table.
 * Forecast windows are absolute per-partition counters: [counter + s, counter + e].
 *
 * The DFA restarts after a match on its own (non-overlapping), so a run never resets here; a
 * model swap carries every run over through `snapshot` / `restore`.
 *
 * @module
 */

import type { Forecast, StreamEvent } from "../../../core/events.ts";
import type { Forecaster, ForecastSettings, KeySelector, StepResult } from "../../model.ts";
import type { CompiledPattern } from "../automaton/dfa.ts";
import { parseSnapshot, type RecognizerSnapshot, snapshotOf } from "../run_snapshot.ts";
import type { ContextModel } from "./context_model.ts";
import { type ForecastMode, ForecastTable } from "./forecast_table.ts";
import { PartitionRun } from "./partition_run.ts";
import { WaitingTimes } from "./waiting_time.ts";

/** How forecasts are made, beyond the settings. */
export interface ForecasterOptions {
  /** Interval forecasts (default) or "a match within the next k events". */
  mode?: ForecastMode;
  /** Waiting-time cutoff; see `WaitingTimes`. Default 0.001. */
  cutoff?: number;
  /**
   * Which events get a forecast. `retune` (default): every event, so a consumer always knows the
   * current outlook, match events included. `wayeb`, as Wayeb prints them: none on an event that
   * completes a match, and with a prediction suffix tree of order m none before a run's m-th
   * event (`firstForecastAt`).
   */
  convention?: "retune" | "wayeb";
  /** Under the `wayeb` convention, the run counter of the first forecast (the PST's order). */
  firstForecastAt?: number;
  /** Waiting times follow each path on its own (Wayeb's PST forecasts); see `WaitingTimes`. */
  unmergedPaths?: boolean;
}

/** Forecasts a compiled pattern with a context model, one event at a time. */
export class CefForecaster implements Forecaster {
  readonly version: number;
  readonly pattern: CompiledPattern;
  readonly model: ContextModel;
  readonly #table: ForecastTable;
  readonly #waitingTimes: WaitingTimes;
  readonly #runs = new Map<string, PartitionRun>();
  readonly #alphabet: CompiledPattern["alphabet"];
  readonly #delta: Int32Array;
  readonly #accepting: Uint8Array;
  readonly #next: Int32Array;
  readonly #symbolCount: number;
  readonly #stateCount: number;
  readonly #wayeb: boolean;
  readonly #firstForecastAt: number;

  /**
   * A forecaster of `pattern` whose next symbols `model` predicts; `waitingTimes`, when given, are
   * shared with other forecasters of `model` (built for its and the pattern's DFA, with
   * `options`' cutoff and paths).
   */
  constructor(
    pattern: CompiledPattern,
    model: ContextModel,
    settings: ForecastSettings,
    version: number,
    options: ForecasterOptions = {},
    waitingTimes?: WaitingTimes,
  ) {
    const { dfa } = pattern;
    if (model.symbolCount !== dfa.symbolCount) {
      throw new RangeError(
        `model must predict the pattern's ${dfa.symbolCount} symbols: current value is ${model.symbolCount}`,
      );
    }
    this.version = version;
    this.pattern = pattern;
    this.model = model;
    if (waitingTimes !== undefined && waitingTimes.horizon !== settings.horizon) {
      throw new RangeError(
        `waitingTimes must have the settings' horizon ${settings.horizon}: current value is ${waitingTimes.horizon}`,
      );
    }
    this.#waitingTimes = waitingTimes ?? new WaitingTimes(model, dfa, {
      horizon: settings.horizon,
      cutoff: options.cutoff,
      unmerged: options.unmergedPaths,
    });
    this.#table = new ForecastTable(
      this.#waitingTimes,
      model.contextCount * dfa.stateCount,
      dfa.stateCount,
      settings,
      options.mode ?? { kind: "interval" },
    );
    this.#alphabet = pattern.alphabet;
    this.#delta = dfa.delta;
    this.#accepting = dfa.accepting;
    this.#next = model.next;
    this.#symbolCount = dfa.symbolCount;
    this.#stateCount = dfa.stateCount;
    this.#wayeb = options.convention === "wayeb";
    this.#firstForecastAt = this.#wayeb ? options.firstForecastAt ?? 1 : 1;
  }

  /**
   * Advances the event's partition and forecasts its next match. Throws a TypeError, changing
   * nothing, for an event that lacks an attribute the pattern reads.
   */
  process(event: StreamEvent): StepResult {
    const refusal = this.#alphabet.refusal(event);
    if (refusal !== undefined) throw new TypeError(refusal);
    let run = this.#runs.get(event.key);
    if (run === undefined) {
      run = new PartitionRun(this.pattern.dfa.start, this.model.start, 0);
      this.#runs.set(event.key, run);
    }
    const symbol = this.#alphabet.symbolOf(event);
    const k = this.#symbolCount;
    const context = this.#next[run.context * k + symbol];
    const counter = ++run.counter;
    // Under Wayeb's convention a PST run only starts on its m-th event: the events before it
    // build the context but are not recognised.
    const warming = counter < this.#firstForecastAt;
    const state = warming ? run.state : this.#delta[run.state * k + symbol];
    run.state = state;
    run.context = context;
    run.remember(symbol);
    const detection = this.#accepting[state] === 1;
    if (this.#wayeb && (detection || warming)) return { detection, forecast: null };

    const table = this.#table;
    const pair = context * this.#stateCount + state;
    const positive = table.positive(pair);
    const forecast: Forecast = {
      key: event.key,
      counter,
      timestamp: event.timestamp,
      start: counter + table.start[pair],
      end: counter + table.end[pair],
      probability: table.probability[pair],
      positive,
      detection,
      modelVersion: this.version,
    };
    return { detection, forecast };
  }

  /** The waiting-time distribution of partition `key` now (index n - 1 = n events ahead). */
  distributionOf(key: string): Float64Array | null {
    const run = this.#runs.get(key);
    return run === undefined ? null : this.#waitingTimes.distribution(run.context, run.state);
  }

  /** Every partition's DFA state, counter and last symbols, in the recognizer's shape. */
  snapshot(): RecognizerSnapshot {
    return this.snapshotOf(() => true);
  }

  /** The runs of the partitions `select` picks, in the recognizer's shape. */
  snapshotOf(select: KeySelector): RecognizerSnapshot {
    const runs = [];
    for (const [key, run] of this.#runs) {
      if (select(key)) {
        runs.push({ key, state: run.state, counter: run.counter, recent: run.recent() });
      }
    }
    return snapshotOf(this.pattern, runs);
  }

  /**
   * Replaces every run with those of a snapshot of the same pattern, deriving each run's model
   * context from its recent symbols; nothing changes if the snapshot is rejected.
   */
  restore(state: unknown): void {
    const runs = this.#runsOf(state);
    this.#runs.clear();
    for (const [key, run] of runs) this.#runs.set(key, run);
  }

  /** Adds or replaces the snapshot's runs, keeping the others; nothing changes on a rejection. */
  merge(state: unknown): void {
    for (const [key, run] of this.#runsOf(state)) this.#runs.set(key, run);
  }

  /** Forgets the runs of the partitions `select` picks. */
  drop(select: KeySelector): void {
    for (const key of [...this.#runs.keys()]) if (select(key)) this.#runs.delete(key);
  }

  #runsOf(state: unknown): (readonly [string, PartitionRun])[] {
    const snapshot = parseSnapshot(state, this.pattern);
    return snapshot.runs.map((saved) =>
      [
        saved.key,
        new PartitionRun(
          saved.state,
          this.model.contextOf(saved.state, saved.recent),
          saved.counter,
          saved.recent,
        ),
      ] as const
    );
  }
}
