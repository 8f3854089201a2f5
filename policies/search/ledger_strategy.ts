/**
 * The half of every search strategy that is bookkeeping: the budget, claiming asked points and
 * recording told ones, all kept by an `EvaluationLedger`. A strategy only says which free unit
 * point to ask next.
 *
 * @module
 */

import { EvaluationLedger } from "./evaluation_ledger.ts";
import type { Point } from "./space.ts";
import type { Sample, SearchConfig, SearchStrategy } from "./strategy.ts";

/** A search strategy over an evaluation ledger; subclasses choose the points. */
export abstract class LedgerStrategy implements SearchStrategy {
  /** Budget, history and outstanding asks of the run. */
  protected readonly ledger: EvaluationLedger;

  /** Validates the shared configuration (budget first) and tells the reused samples. */
  constructor(config: SearchConfig) {
    this.ledger = new EvaluationLedger(config);
  }

  /** The point `nextUnit` chooses, claimed as asked; throws once the budget is spent. */
  ask(): Point {
    this.ledger.ensureBudget();
    return this.ledger.claim(this.nextUnit());
  }

  /** Records the value of an evaluated point. */
  tell(point: Point, value: number): void {
    this.ledger.record(point, value);
  }

  /** The best sample told so far. */
  best(): Sample | null {
    return this.ledger.best();
  }

  /** Every sample told, reused ones first. */
  get history(): readonly Sample[] {
    return this.ledger.history;
  }

  /** Snapped unit coordinates of a point not asked or told before. */
  protected abstract nextUnit(): number[];
}
