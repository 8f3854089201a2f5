/**
 * The bookkeeping every strategy shares: the budget (reused samples and outstanding asks count
 * toward it), the told history, the outstanding asks, which points are taken (so nothing is asked
 * twice), and the best sample in the configured direction.
 *
 * @module
 */

import type { Random } from "./random.ts";
import type { Point, SearchSpace } from "./space.ts";
import type { Direction, ReuseConfig, Sample, SearchConfig } from "./strategy.ts";

// Random draws tried before a space with no real dimension is declared exhausted.
const DRAW_ATTEMPTS = 1000;

/** Budget, history and outstanding asks of one search run. */
export class EvaluationLedger {
  readonly space: SearchSpace;
  readonly budget: number;
  readonly direction: Direction;
  /** How many samples were reused from a previous run. */
  readonly reused: number;
  readonly #history: Sample[] = [];
  readonly #toldUnits: number[][] = [];
  readonly #pending = new Map<string, number[]>();
  readonly #taken = new Set<string>();

  /** Validates the shared configuration and tells the reused samples. */
  constructor({ space, budget, direction = "maximise", reuse }: Omit<SearchConfig, "seed">) {
    if (!Number.isSafeInteger(budget) || budget < 1) {
      throw new RangeError(`budget must be a positive integer: current value is ${budget}`);
    }
    if (direction !== "maximise" && direction !== "minimise") {
      throw new RangeError(
        `direction must be 'maximise' or 'minimise': current value is '${direction}'`,
      );
    }
    this.space = space;
    this.budget = budget;
    this.direction = direction;
    const reusedSamples = reuse === undefined ? [] : this.#selectReused(reuse);
    for (const { point, value } of reusedSamples) this.record(point, value);
    this.reused = reusedSamples.length;
  }

  /** Samples told so far, reused ones first. */
  get history(): readonly Sample[] {
    return this.#history;
  }

  /** Unit coordinates of the told samples, in history order. */
  get toldUnits(): readonly (readonly number[])[] {
    return this.#toldUnits;
  }

  /** Unit coordinates of points asked but not yet told. */
  get pendingUnits(): number[][] {
    return [...this.#pending.values()];
  }

  /** Evaluations left: the budget minus told and outstanding ones. */
  get remaining(): number {
    return this.budget - this.#history.length - this.#pending.size;
  }

  /** Throws when no evaluation is left to ask. */
  ensureBudget(): void {
    if (this.remaining <= 0) {
      throw new RangeError(
        `budget of ${this.budget} evaluations is spent (${this.#history.length} told, ${this.#pending.size} outstanding)`,
      );
    }
  }

  /** Whether the snapped unit point was already asked or told. */
  isTaken(unit: readonly number[]): boolean {
    return this.#taken.has(keyOf(unit));
  }

  /** A random free snapped unit point; throws when none is found (the space is used up). */
  drawFree(random: Random): number[] {
    for (let attempt = 0; attempt < DRAW_ATTEMPTS; attempt++) {
      const unit = this.space.snap(this.space.dimensions.map(() => random.next()));
      if (!this.isTaken(unit)) return unit;
    }
    throw new Error(`search space exhausted: no unasked point in ${DRAW_ATTEMPTS} random draws`);
  }

  /** Registers the point at `unit` as asked and returns it. */
  claim(unit: readonly number[]): Point {
    this.ensureBudget();
    const point = this.space.fromUnit(unit);
    // Keyed exactly as `record` will key the told point, so the tell finds this entry.
    const canonical = this.space.toUnit(point);
    const key = keyOf(canonical);
    if (this.#taken.has(key)) throw new Error(`point ${key} was already asked`);
    this.#taken.add(key);
    this.#pending.set(key, canonical);
    return point;
  }

  /** Records a told value (for an asked point or any other valid point). */
  record(point: Point, value: number): void {
    if (!Number.isFinite(value)) {
      throw new RangeError(`value must be finite: current value is ${value}`);
    }
    const unit = this.space.toUnit(point);
    const key = keyOf(unit);
    this.#pending.delete(key);
    this.#taken.add(key);
    this.#toldUnits.push(unit);
    this.#history.push(Object.freeze({ point: Object.freeze({ ...point }), value }));
  }

  /** The value in "lower is better" form, as the model minimises. */
  loss(value: number): number {
    return this.direction === "maximise" ? -value : value;
  }

  /** The best told sample in the configured direction (the first of equals), or null. */
  best(): Sample | null {
    return this.#history.reduce<Sample | null>(
      (best, sample) =>
        best === null || this.loss(sample.value) < this.loss(best.value) ? sample : best,
      null,
    );
  }

  #selectReused({ samples, count }: ReuseConfig): Sample[] {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`reuse.count must be a non-negative integer: current value is ${count}`);
    }
    if (count >= this.budget) {
      throw new RangeError(
        `reuse.count must be < budget (${this.budget}) to leave a new evaluation: current value is ${count}`,
      );
    }
    samples.forEach(({ point, value }, i) => {
      try {
        this.space.validate(point);
        if (!Number.isFinite(value)) {
          throw new RangeError(`value must be finite: current value is ${value}`);
        }
      } catch (error) {
        throw new RangeError(`reuse.samples[${i}]: ${(error as Error).message}`);
      }
    });
    // A stable sort keeps the earlier of equally good samples.
    return [...samples]
      .sort((a, b) => this.loss(a.value) - this.loss(b.value))
      .slice(0, count);
  }
}

// Unit coordinates rounded to 1e-9: points closer than that count as the same point.
function keyOf(unit: readonly number[]): string {
  return unit.map((u) => Math.round(u * 1e9)).join(",");
}
