/**
 * Random search: uniform, seeded, never repeating a point. The baseline Bayesian optimisation must
 * beat at equal budget.
 *
 * @module
 */

import { EvaluationLedger } from "./evaluation_ledger.ts";
import { Random } from "./random.ts";
import type { Point } from "./space.ts";
import type { Sample, SearchConfig, SearchStrategy } from "./strategy.ts";

/** Uniformly random asks over the search space. */
export class RandomSearch implements SearchStrategy {
  readonly #ledger: EvaluationLedger;
  readonly #random: Random;

  /** Validates `config` and tells the reused samples. */
  constructor(config: SearchConfig) {
    this.#random = new Random(config.seed ?? 0);
    this.#ledger = new EvaluationLedger(config);
  }

  /** A uniformly random point not asked before. */
  ask(): Point {
    this.#ledger.ensureBudget();
    return this.#ledger.claim(this.#ledger.drawFree(this.#random));
  }

  /** Records the value of an evaluated point. */
  tell(point: Point, value: number): void {
    this.#ledger.record(point, value);
  }

  /** The best sample told so far. */
  best(): Sample | null {
    return this.#ledger.best();
  }

  /** Every sample told, reused ones first. */
  get history(): readonly Sample[] {
    return this.#ledger.history;
  }
}
