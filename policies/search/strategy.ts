/**
 * The ask/tell surface shared by every search strategy and the configuration they share;
 * `config/build_policies.ts` builds the configured one.
 *
 * @module
 */

import type { Point, SearchSpace } from "./space.ts";

/** Whether larger (MCC) or smaller objective values are better. */
export type Direction = "maximise" | "minimise";

/** One evaluated point and its objective value. */
export interface Sample {
  readonly point: Readonly<Point>;
  readonly value: number;
}

/** Samples from a previous run to start from: the best `count` of `samples` are told first. */
export interface ReuseConfig {
  readonly samples: readonly Sample[];
  readonly count: number;
}

/** Configuration every strategy takes. */
export interface SearchConfig {
  space: SearchSpace;
  /** Evaluations in total, reused samples included. */
  budget: number;
  /** Seed of every random choice. */
  seed: number;
  /** `maximise` unless told (the objective is MCC). */
  direction?: Direction;
  reuse?: ReuseConfig;
}

/** Ask for a point, evaluate it, tell its value; the best and all told samples on demand. */
export interface SearchStrategy {
  /** The next point to evaluate (several may be outstanding); throws once the budget is spent. */
  ask(): Point;
  /** The objective value of an evaluated point. */
  tell(point: Point, value: number): void;
  /** The best sample told so far (reused ones included), or null before any. */
  best(): Sample | null;
  /** Every sample told, reused ones first, in order. */
  readonly history: readonly Sample[];
}
