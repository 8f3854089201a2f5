/**
 * Scores forecasts as the stream unfolds. Each forecast waits, per partition, until its outcome
 * is known:
 * - a positive forecast [s, e] is a true positive as soon as its partition completes a match at
 *   a counter in [s, e] (any match there, not only the first after the forecast), and a false
 *   positive once the counter reaches e without one;
 * - a negative forecast is a false negative if a match falls in its window, else a true negative.
 * A forecast counts in the batch in which it is resolved. Only unresolved forecasts are kept
 * (at most one per event of the last `horizon` events of each partition), ordered by window end.
 *
 * At the end of a finite stream, `flush()` resolves the windows that can no longer close as the
 * stream shows them: no match fell in them, so positives count as false positives and negatives
 * as true negatives. This never overstates precision; it does penalise positive forecasts made
 * in each partition's last `horizon` events.
 *
 * @module
 */

import { z } from "zod";
import type { Forecast } from "../core/events.ts";
import type { Scores } from "../core/scores.ts";
import type { ModelMetrics, StepResult } from "./model.ts";
import { type Confusion, scoresOf } from "./scoring.ts";

/** Scores of the forecasts resolved since the last batch, and since the start. */
export interface ScoreBatch {
  batch: Scores;
  cumulative: Scores;
}

/** What scoring needs of a forecast once it is made: its window and its sign. */
type Window = Pick<Forecast, "start" | "end" | "positive">;

/** A partition's event counter and its unresolved forecasts (a min-heap on `end`). */
interface PartitionScore {
  counter: number;
  pending: Window[];
}

const count = z.number().int().nonnegative();
const confusionSchema = z.strictObject({ tp: count, tn: count, fp: count, fn: count });
const scorerSnapshotSchema = z.strictObject({
  /** Per partition: key, counter and its pending windows as flat (start, end, positive 0/1) triples. */
  partitions: z.array(z.tuple([z.string(), count, z.array(count)])),
  batch: confusionSchema,
  cumulative: confusionSchema,
  totals: z.tuple([count, count, count, count, z.number(), z.number()]),
});

/**
 * Everything the scorer knows, as plain data: each partition's counter and unresolved windows,
 * the batch and cumulative confusion counts, and the totals behind `metrics()`. The engine
 * checkpoints one per input partition, so scoring resumes where it was after a restart.
 */
export type ScorerSnapshot = z.infer<typeof scorerSnapshotSchema>;

/** Resolves forecasts against detections, per partition, with batch and cumulative counts. */
export class OnlineScorer {
  readonly #partitions = new Map<string, PartitionScore>();
  #batch: Confusion = emptyConfusion();
  #cumulative: Confusion = emptyConfusion();
  #events = 0;
  #matches = 0;
  #forecasts = 0;
  #positives = 0;
  #spreadSum = 0;
  #distanceSum = 0;
  #pendingCount = 0;

  /** A scorer resuming from `snapshot`; throws a TypeError naming a malformed field. */
  static restore(snapshot: unknown): OnlineScorer {
    const parsed = scorerSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new TypeError(`scorer snapshot is malformed: ${z.prettifyError(parsed.error)}`);
    }
    const data = parsed.data;
    const scorer = new OnlineScorer();
    for (const [key, counter, flat] of data.partitions) {
      if (flat.length % 3 !== 0) {
        throw new TypeError(
          `scorer snapshot: pending windows of ${
            JSON.stringify(key)
          } must be triples: current length is ${flat.length}`,
        );
      }
      const pending: Window[] = [];
      for (let i = 0; i < flat.length; i += 3) {
        pending.push({ start: flat[i], end: flat[i + 1], positive: flat[i + 2] === 1 });
      }
      scorer.#partitions.set(key, { counter, pending: heapify(pending) });
      scorer.#pendingCount += pending.length;
    }
    scorer.#batch = { ...data.batch };
    scorer.#cumulative = { ...data.cumulative };
    [
      scorer.#events,
      scorer.#matches,
      scorer.#forecasts,
      scorer.#positives,
      scorer.#spreadSum,
      scorer.#distanceSum,
    ] = data.totals;
    return scorer;
  }

  /** Scores resolved since the previous call across `scorers`, and since their start. */
  static takeBatchOf(scorers: Iterable<OnlineScorer>): ScoreBatch {
    const batch = emptyConfusion();
    const cumulative = emptyConfusion();
    for (const scorer of scorers) {
      addTo(batch, scorer.#batch);
      addTo(cumulative, scorer.#cumulative);
      scorer.#batch = emptyConfusion();
    }
    return { batch: scoresOf(batch), cumulative: scoresOf(cumulative) };
  }

  /** What the scorer knows, as plain data (see `ScorerSnapshot`). */
  snapshot(): ScorerSnapshot {
    const partitions: ScorerSnapshot["partitions"] = [];
    for (const [key, { counter, pending }] of this.#partitions) {
      const flat: number[] = [];
      for (const w of pending) flat.push(w.start, w.end, w.positive ? 1 : 0);
      partitions.push([key, counter, flat]);
    }
    return {
      partitions,
      batch: { ...this.#batch },
      cumulative: { ...this.#cumulative },
      totals: [
        this.#events,
        this.#matches,
        this.#forecasts,
        this.#positives,
        this.#spreadSum,
        this.#distanceSum,
      ],
    };
  }

  /** Takes what one event of partition `key` produced, in stream order. */
  observe(key: string, step: StepResult): void {
    let partition = this.#partitions.get(key);
    if (partition === undefined) {
      partition = { counter: 0, pending: [] };
      this.#partitions.set(key, partition);
    }
    const forecast = step.forecast;
    // The forecaster's counter is authoritative (it survives model swaps); without a forecast
    // the event is the partition's next one.
    const counter = forecast === null ? partition.counter + 1 : forecast.counter;
    partition.counter = counter;
    this.#events++;

    this.#closeBefore(partition, counter);
    if (step.detection) {
      this.#matches++;
      this.#resolveHits(partition, counter);
    }
    this.#closeBefore(partition, counter + 1);
    if (forecast !== null) this.#add(partition, forecast);
  }

  /** Scores resolved since the previous call, and since the start; starts a new batch. */
  takeBatch(): ScoreBatch {
    const batch = scoresOf(this.#batch);
    this.#batch = emptyConfusion();
    return { batch, cumulative: scoresOf(this.#cumulative) };
  }

  /**
   * Ends the stream: every unresolved forecast is resolved as a miss (no match fell in its
   * window). Returns how many were resolved so.
   */
  flush(): number {
    const flushed = this.#pendingCount;
    for (const partition of this.#partitions.values()) {
      for (const forecast of partition.pending) this.#resolve(forecast, false);
      partition.pending = [];
    }
    this.#pendingCount = 0;
    return flushed;
  }

  /** Forecasts still waiting for their outcome. */
  get pending(): number {
    return this.#pendingCount;
  }

  /** Cumulative scores with event, match and forecast counts, spread and distance. */
  metrics(): ModelMetrics {
    const positives = this.#positives;
    return {
      ...scoresOf(this.#cumulative),
      events: this.#events,
      matches: this.#matches,
      forecasts: this.#forecasts,
      spread: positives === 0 ? 0 : this.#spreadSum / positives,
      distance: positives === 0 ? 0 : this.#distanceSum / positives,
    };
  }

  #add(partition: PartitionScore, forecast: Forecast): void {
    if (!(forecast.start > forecast.counter && forecast.end >= forecast.start)) {
      throw new RangeError(
        `forecast window must satisfy counter < start <= end: current value is counter ${forecast.counter}, [${forecast.start}, ${forecast.end}]`,
      );
    }
    this.#forecasts++;
    if (forecast.positive) {
      this.#positives++;
      this.#spreadSum += forecast.end - forecast.start;
      this.#distanceSum += forecast.start - forecast.counter;
    }
    heapPush(partition.pending, forecast);
    this.#pendingCount++;
  }

  /** Resolves as misses the forecasts whose window ends before `counter`. */
  #closeBefore(partition: PartitionScore, counter: number): void {
    const pending = partition.pending;
    while (pending.length > 0 && pending[0].end < counter) {
      this.#resolve(heapPop(pending), false);
      this.#pendingCount--;
    }
  }

  /** A match at `counter`: every open window containing it is a hit (all end at or after it). */
  #resolveHits(partition: PartitionScore, counter: number): void {
    const kept: Window[] = [];
    for (const forecast of partition.pending) {
      if (forecast.start <= counter) {
        this.#resolve(forecast, true);
        this.#pendingCount--;
      } else {
        kept.push(forecast);
      }
    }
    if (kept.length !== partition.pending.length) partition.pending = heapify(kept);
  }

  #resolve(forecast: Window, hit: boolean): void {
    const outcome: keyof Confusion = forecast.positive ? (hit ? "tp" : "fp") : (hit ? "fn" : "tn");
    this.#batch[outcome]++;
    this.#cumulative[outcome]++;
  }
}

function emptyConfusion(): Confusion {
  return { tp: 0, tn: 0, fp: 0, fn: 0 };
}

function addTo(sum: Confusion, counts: Confusion): void {
  sum.tp += counts.tp;
  sum.tn += counts.tn;
  sum.fp += counts.fp;
  sum.fn += counts.fn;
}

function heapPush(heap: Window[], forecast: Window): void {
  heap.push(forecast);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent].end <= heap[i].end) break;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

function heapPop(heap: Window[]): Window {
  const top = heap[0];
  const last = heap.pop()!;
  if (heap.length > 0) {
    heap[0] = last;
    siftDown(heap, 0);
  }
  return top;
}

function heapify(items: Window[]): Window[] {
  for (let i = (items.length >> 1) - 1; i >= 0; i--) siftDown(items, i);
  return items;
}

function siftDown(heap: Window[], from: number): void {
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && heap[left].end < heap[smallest].end) smallest = left;
    if (right < heap.length && heap[right].end < heap[smallest].end) smallest = right;
    if (smallest === i) return;
    [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
    i = smallest;
  }
}
