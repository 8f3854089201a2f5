/**
 * The contract between a learned next-symbol model and the forecaster: a finite set of contexts
 * (PST nodes, or the states of a disambiguated DFA), a deterministic context transition per
 * symbol, and a next-symbol distribution per context. Together with the pattern's DFA this is a
 * Markov chain over (context, DFA state) pairs, which is what waiting times are computed on.
 *
 * @module
 */

/** Longest context (order m) any model may use; runs keep this many recent symbols. */
export const MAX_ORDER = 5;

/** A next-symbol model over minterm symbols whose contexts move deterministically. */
export interface ContextModel {
  readonly symbolCount: number;
  readonly contextCount: number;
  /** Context of a partition that has seen no event. */
  readonly start: number;
  /** `next[context * symbolCount + symbol]`: the context after reading `symbol`. */
  readonly next: Int32Array;
  /** `probability[context * symbolCount + symbol]`: P(symbol next | context); rows sum to 1. */
  readonly probability: Float64Array;
  /**
   * The context of a run whose pattern DFA is at `state` after the symbols `recent` (most
   * recent first, possibly fewer than the model's order); used to adopt runs on a model swap.
   */
  contextOf(state: number, recent: readonly number[]): number;
}

/** Checks the order m of a model: an integer in [1, MAX_ORDER]. */
export function checkOrder(order: number): void {
  if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
    throw new RangeError(
      `order must be an integer in [1, ${MAX_ORDER}]: current value is ${order}`,
    );
  }
}
