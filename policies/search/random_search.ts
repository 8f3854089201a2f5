/**
 * Random search: uniform, seeded, never repeating a point. The baseline Bayesian optimisation must
 * beat at equal budget.
 *
 * @module
 */

import { LedgerStrategy } from "./ledger_strategy.ts";
import { Random } from "./random.ts";
import type { SearchConfig } from "./strategy.ts";

/** Uniformly random asks over the search space. */
export class RandomSearch extends LedgerStrategy {
  readonly #random: Random;

  /** Validates `config` and tells the reused samples. */
  constructor(config: SearchConfig) {
    super(config);
    this.#random = new Random(config.seed);
  }

  /** A uniformly random point not asked before. */
  protected nextUnit(): number[] {
    return this.ledger.drawFree(this.#random);
  }
}
