/**
 * Full-order Markov learning: disambiguate the pattern's DFA to order m, run it over each
 * partition's symbols, and count the transitions of every state (maximum likelihood).
 *
 * @module
 */

import type { SymbolicDfa } from "../automaton/dfa.ts";
import { disambiguate } from "../compile.ts";
import { checkOrder } from "../forecast/context_model.ts";
import { FullOrderMarkovChain } from "./chain.ts";

/**
 * Learns the order-`order` chain of `dfa` from per-partition symbol sequences; each run starts
 * from the start state with `startHistory` (see `disambiguate`).
 */
export function learnMarkov(
  dfa: SymbolicDfa,
  sequences: readonly Int32Array[],
  order: number,
  startHistory: readonly number[] = [],
): FullOrderMarkovChain {
  checkOrder(order);
  const disambiguated = disambiguate(dfa, order, undefined, startHistory);
  return new FullOrderMarkovChain(disambiguated, countTransitions(disambiguated, sequences));
}

/** Counts the transitions of `dfa` over per-partition symbol sequences, from its start. */
export function countTransitions(dfa: SymbolicDfa, sequences: readonly Int32Array[]): Int32Array {
  const k = dfa.symbolCount;
  const counts = new Int32Array(dfa.stateCount * k);
  for (const sequence of sequences) {
    let state = dfa.start;
    for (let t = 0; t < sequence.length; t++) {
      const symbol = sequence[t];
      if (!(symbol >= 0 && symbol < k)) {
        throw new RangeError(
          `symbols must be integers in [0, ${k}): current value is ${symbol} at position ${t}`,
        );
      }
      counts[state * k + symbol]++;
      state = dfa.delta[state * k + symbol];
    }
  }
  return counts;
}
