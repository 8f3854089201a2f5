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
import { addConfusion, type Confusion, emptyConfusion, scoresOf } from "./scoring.ts";

/** Scores of the forecasts resolved since the last batch, and since the start. */
export interface ScoreBatch {
  batch: Scores;
  cumulative: Scores;
}

/**
 * A partition's event counter and its unresolved forecasts: a min-heap on window end, kept as
 * two parallel arrays of numbers rather than the forecasts themselves, so a forecast held for up
 * to `horizon` events is no object the garbage collector has to move and promote. `starts`
 * holds each window's start, negated for a negative forecast (a start is always >= 1).
 */
interface PartitionScore {
  counter: number;
  ends: number[];
  starts: number[];
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
      const partition: PartitionScore = { counter, ends: [], starts: [] };
      for (let i = 0; i < flat.length; i += 3) {
        if (flat[i] < 1) {
          throw new TypeError(
            `scorer snapshot: pending window starts of ${
              JSON.stringify(key)
            } must be >= 1: current value is ${flat[i]}`,
          );
        }
        partition.ends.push(flat[i + 1]);
        partition.starts.push(flat[i + 2] === 1 ? flat[i] : -flat[i]);
      }
      heapify(partition);
      scorer.#partitions.set(key, partition);
      scorer.#pendingCount += partition.ends.length;
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
      addConfusion(batch, scorer.#batch);
      addConfusion(cumulative, scorer.#cumulative);
      scorer.#batch = emptyConfusion();
    }
    return { batch: scoresOf(batch), cumulative: scoresOf(cumulative) };
  }

  /** What the scorer knows, as plain data (see `ScorerSnapshot`). */
  snapshot(): ScorerSnapshot {
    const partitions: ScorerSnapshot["partitions"] = [];
    for (const [key, { counter, ends, starts }] of this.#partitions) {
      const flat: number[] = [];
      for (let i = 0; i < ends.length; i++) {
        flat.push(Math.abs(starts[i]), ends[i], starts[i] > 0 ? 1 : 0);
      }
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
      partition = { counter: 0, ends: [], starts: [] };
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
      for (const start of partition.starts) this.#resolve(start > 0, false);
      partition.ends = [];
      partition.starts = [];
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
    heapPush(partition, forecast.end, forecast.positive ? forecast.start : -forecast.start);
    this.#pendingCount++;
  }

  /** Resolves as misses the forecasts whose window ends before `counter`. */
  #closeBefore(partition: PartitionScore, counter: number): void {
    const { ends, starts } = partition;
    while (ends.length > 0 && ends[0] < counter) {
      this.#resolve(starts[0] > 0, false);
      heapPop(partition);
      this.#pendingCount--;
    }
  }

  /** A match at `counter`: every open window containing it is a hit (all end at or after it). */
  #resolveHits(partition: PartitionScore, counter: number): void {
    const { ends, starts } = partition;
    let kept = 0;
    for (let i = 0; i < ends.length; i++) {
      if (Math.abs(starts[i]) <= counter) {
        this.#resolve(starts[i] > 0, true);
        this.#pendingCount--;
      } else {
        ends[kept] = ends[i];
        starts[kept] = starts[i];
        kept++;
      }
    }
    if (kept !== ends.length) {
      ends.length = kept;
      starts.length = kept;
      heapify(partition);
    }
  }

  // Named increments: a computed key per resolved forecast costs a keyed property access each.
  #resolve(positive: boolean, hit: boolean): void {
    const batch = this.#batch;
    const cumulative = this.#cumulative;
    if (positive && hit) {
      batch.tp++;
      cumulative.tp++;
    } else if (positive) {
      batch.fp++;
      cumulative.fp++;
    } else if (hit) {
      batch.fn++;
      cumulative.fn++;
    } else {
      batch.tn++;
      cumulative.tn++;
    }
  }
}

function heapPush(heap: PartitionScore, end: number, start: number): void {
  const { ends, starts } = heap;
  let i = ends.length;
  ends.push(end);
  starts.push(start);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (ends[parent] <= end) break;
    ends[i] = ends[parent];
    starts[i] = starts[parent];
    i = parent;
  }
  ends[i] = end;
  starts[i] = start;
}

/** Drops the heap's top (the window ending first). */
function heapPop(heap: PartitionScore): void {
  const end = heap.ends.pop()!;
  const start = heap.starts.pop()!;
  if (heap.ends.length > 0) {
    heap.ends[0] = end;
    heap.starts[0] = start;
    siftDown(heap, 0);
  }
}

function heapify(heap: PartitionScore): void {
  for (let i = (heap.ends.length >> 1) - 1; i >= 0; i--) siftDown(heap, i);
}

function siftDown(heap: PartitionScore, from: number): void {
  const { ends, starts } = heap;
  const n = ends.length;
  const end = ends[from];
  const start = starts[from];
  let i = from;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= n) break;
    const right = left + 1;
    const child = right < n && ends[right] < ends[left] ? right : left;
    if (ends[child] >= end) break;
    ends[i] = ends[child];
    starts[i] = starts[child];
    i = child;
  }
  ends[i] = end;
  starts[i] = start;
}
