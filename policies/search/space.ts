/**
 * Search-space dimensions and their mapping to and from the unit cube, where the Gaussian process
 * and the acquisition work. Integer dimensions cut the unit interval into equal bins, one per
 * value, so uniform sampling is fair across values and a snapped unit point is exactly what gets
 * evaluated.
 *
 * @module
 */

/** How a dimension's values spread over its bounds. */
export type DimensionKind = "integer" | "real" | "log";

/** One named dimension with inclusive bounds; `log` is a real dimension searched on a log scale. */
export interface Dimension {
  readonly name: string;
  readonly kind: DimensionKind;
  readonly low: number;
  readonly high: number;
}

/** A point of the search space, keyed by dimension name. */
export type Point = Record<string, number>;

/** An ordered set of dimensions with the unit-cube mapping. */
export class SearchSpace {
  readonly dimensions: readonly Dimension[];

  /** Validates every dimension up front (names, bounds, kinds). */
  constructor(dimensions: readonly Dimension[]) {
    if (dimensions.length === 0) {
      throw new RangeError("dimensions must hold at least one dimension: current value is []");
    }
    const names = new Set<string>();
    for (const dimension of dimensions) {
      validateDimension(dimension);
      if (names.has(dimension.name)) {
        throw new RangeError(`dimension names must be unique: '${dimension.name}' repeats`);
      }
      names.add(dimension.name);
    }
    this.dimensions = dimensions.map((dimension) => ({ ...dimension }));
  }

  /** Throws a RangeError naming the first dimension `point` lacks, exceeds or misrepresents. */
  validate(point: Point): void {
    for (const key of Object.keys(point)) {
      if (!this.dimensions.some((dimension) => dimension.name === key)) {
        throw new RangeError(`point has an unknown dimension '${key}'`);
      }
    }
    for (const { name, kind, low, high } of this.dimensions) {
      const value = point[name];
      if (typeof value !== "number" || !(value >= low && value <= high)) {
        throw new RangeError(`${name} must be in [${low}, ${high}]: current value is ${value}`);
      }
      if (kind === "integer" && !Number.isInteger(value)) {
        throw new RangeError(`${name} must be an integer: current value is ${value}`);
      }
    }
  }

  /** The unit-cube coordinates of a valid point. */
  toUnit(point: Point): number[] {
    this.validate(point);
    return this.dimensions.map((dimension) => unitOf(dimension, point[dimension.name]));
  }

  /** The point at unit-cube coordinates (clamped into the cube; integers rounded into bins). */
  fromUnit(unit: readonly number[]): Point {
    if (unit.length !== this.dimensions.length) {
      throw new RangeError(
        `unit point must have ${this.dimensions.length} coordinates: current length is ${unit.length}`,
      );
    }
    const point: Point = {};
    this.dimensions.forEach((dimension, i) => {
      point[dimension.name] = valueOf(dimension, Math.min(1, Math.max(0, unit[i])));
    });
    return point;
  }

  /** Per dimension, the unit width of one value of an integer dimension; null if continuous. */
  get unitBins(): (number | null)[] {
    return this.dimensions.map(({ kind, low, high }) =>
      kind === "integer" ? 1 / (high - low + 1) : null
    );
  }

  /** The unit coordinates of the point `unit` maps to: what the model sees for an evaluation. */
  snap(unit: readonly number[]): number[] {
    return this.toUnit(this.fromUnit(unit));
  }
}

/** RTCEF's search space for the CEF model: Markov order, confidence threshold, pMin and gamma. */
export const RTCEF_SPACE: SearchSpace = new SearchSpace([
  { name: "order", kind: "integer", low: 1, high: 5 },
  { name: "threshold", kind: "real", low: 0, high: 1 },
  { name: "pMin", kind: "log", low: 0.0001, high: 0.01 },
  { name: "gamma", kind: "log", low: 0.0001, high: 0.01 },
]);

function validateDimension({ name, kind, low, high }: Dimension): void {
  if (typeof name !== "string" || name.length === 0) {
    throw new RangeError(`dimension name must be a non-empty string: current value is '${name}'`);
  }
  if (kind !== "integer" && kind !== "real" && kind !== "log") {
    throw new RangeError(
      `dimension '${name}': kind must be integer, real or log: current value is '${kind}'`,
    );
  }
  if (!Number.isFinite(low) || !Number.isFinite(high)) {
    throw new RangeError(
      `dimension '${name}': bounds must be finite: current values are ${low} and ${high}`,
    );
  }
  if (!(low < high)) {
    throw new RangeError(
      `dimension '${name}': low must be < high: current values are ${low} and ${high}`,
    );
  }
  if (kind === "integer" && (!Number.isInteger(low) || !Number.isInteger(high))) {
    throw new RangeError(
      `dimension '${name}': integer bounds must be integers: current values are ${low} and ${high}`,
    );
  }
  if (kind === "log" && low <= 0) {
    throw new RangeError(`dimension '${name}': log bounds must be > 0: current low is ${low}`);
  }
}

function unitOf({ kind, low, high }: Dimension, value: number): number {
  switch (kind) {
    case "integer":
      return (value - low + 0.5) / (high - low + 1);
    case "real":
      return (value - low) / (high - low);
    case "log":
      return Math.log(value / low) / Math.log(high / low);
  }
}

function valueOf({ kind, low, high }: Dimension, unit: number): number {
  switch (kind) {
    case "integer": {
      const values = high - low + 1;
      return low + Math.min(values - 1, Math.floor(unit * values));
    }
    case "real":
      return Math.min(high, low + unit * (high - low));
    case "log":
      // Clamped: exp(log(...)) may overshoot the bounds by a rounding error.
      return Math.min(high, Math.max(low, low * Math.exp(unit * Math.log(high / low))));
  }
}
