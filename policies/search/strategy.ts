/**
 * The ask/tell surface shared by every search strategy, the configuration they share, and the
 * factory that builds one from configuration.
 *
 * @module
 */

import { BayesianOptimiser, type BayesianOptimiserConfig } from "./bayesian_optimiser.ts";
import { RandomSearch } from "./random_search.ts";
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
  /** Seed of every random choice; 0 unless told. */
  seed?: number;
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

/** Which strategy to build, with its configuration. */
export type StrategyConfig =
  | ({ kind: "bayesian" } & BayesianOptimiserConfig)
  | ({ kind: "random" } & SearchConfig);

/** Builds the strategy `config.kind` names. */
export function createStrategy(config: StrategyConfig): SearchStrategy {
  switch (config.kind) {
    case "bayesian":
      return new BayesianOptimiser(config);
    case "random":
      return new RandomSearch(config);
    default:
      throw new RangeError(
        `kind must be 'bayesian' or 'random': current value is '${
          (config as { kind: unknown }).kind
        }'`,
      );
  }
}
