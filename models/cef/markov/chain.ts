/**
 * A full-order Markov model of order m over a disambiguated DFA (Nuel 2008): every state knows
 * its last m minterms, so "next minterm given the state" is the order-m model, and the states
 * themselves are the contexts. Probabilities are maximum-likelihood estimates from transition
 * counts; a state never seen in training gets the uniform distribution, since the data say
 * nothing about it.
 *
 * @module
 */

import type { DisambiguatedDfa } from "../compile.ts";
import type { ContextModel } from "../forecast/context_model.ts";

/** A state's counts as stored: the original DFA state, its history and next-symbol counts. */
export interface MarkovRow {
  origin: number;
  /** Recent minterms, most recent first. */
  history: number[];
  counts: number[];
}

/** The order-m Markov chain over the states of a disambiguated DFA. */
export class FullOrderMarkovChain implements ContextModel {
  readonly symbolCount: number;
  readonly contextCount: number;
  readonly start: number;
  readonly next: Int32Array;
  readonly probability: Float64Array;
  readonly order: number;
  readonly dfa: DisambiguatedDfa;
  /** `counts[state * K + symbol]`: transitions seen in training. */
  readonly counts: Int32Array;
  readonly #byKey = new Map<string, number>();
  readonly #byOrigin = new Map<number, number[]>();

  /** The chain of `dfa` with transition `counts` (stateCount * K entries). */
  constructor(dfa: DisambiguatedDfa, counts: Int32Array) {
    const k = dfa.symbolCount;
    if (counts.length !== dfa.stateCount * k) {
      throw new RangeError(
        `counts must have stateCount * symbolCount = ${
          dfa.stateCount * k
        } entries: current value is ${counts.length}`,
      );
    }
    this.dfa = dfa;
    this.order = dfa.order;
    this.symbolCount = k;
    this.contextCount = dfa.stateCount;
    this.start = dfa.start;
    this.next = dfa.delta;
    this.counts = counts;
    this.probability = new Float64Array(counts.length);
    for (let state = 0; state < dfa.stateCount; state++) {
      let total = 0;
      for (let x = 0; x < k; x++) total += counts[state * k + x];
      for (let x = 0; x < k; x++) {
        this.probability[state * k + x] = total === 0 ? 1 / k : counts[state * k + x] / total;
      }
      this.#byKey.set(keyOf(dfa.origin[state], dfa.histories[state]), state);
      const siblings = this.#byOrigin.get(dfa.origin[state]) ?? [];
      siblings.push(state);
      this.#byOrigin.set(dfa.origin[state], siblings);
    }
  }

  /** The chain with the stored rows; a row that is no state of `dfa` is a RangeError. */
  static fromRows(dfa: DisambiguatedDfa, rows: readonly MarkovRow[]): FullOrderMarkovChain {
    const k = dfa.symbolCount;
    const index = new Map<string, number>();
    for (let state = 0; state < dfa.stateCount; state++) {
      index.set(keyOf(dfa.origin[state], dfa.histories[state]), state);
    }
    const counts = new Int32Array(dfa.stateCount * k);
    for (const row of rows) {
      const state = index.get(keyOf(row.origin, row.history));
      if (state === undefined) {
        throw new RangeError(
          `row (state ${row.origin}, history ${
            JSON.stringify(row.history)
          }) is not a state of the order-${dfa.order} automaton`,
        );
      }
      if (row.counts.length !== k || row.counts.some((c) => !Number.isInteger(c) || c < 0)) {
        throw new RangeError(
          `row (state ${row.origin}, history ${
            JSON.stringify(row.history)
          }): counts must be ${k} non-negative integers`,
        );
      }
      counts.set(row.counts, state * k);
    }
    return new FullOrderMarkovChain(dfa, counts);
  }

  /** The rows of every state seen in training. */
  rows(): MarkovRow[] {
    const k = this.symbolCount;
    const rows: MarkovRow[] = [];
    for (let state = 0; state < this.contextCount; state++) {
      const counts = Array.from(this.counts.subarray(state * k, state * k + k));
      if (counts.every((c) => c === 0)) continue;
      rows.push({
        origin: this.dfa.origin[state],
        history: [...this.dfa.histories[state]],
        counts,
      });
    }
    return rows;
  }

  /**
   * The state refining DFA state `state` with history `recent`. When the run's known history
   * is shorter than m (it came from a lower-order model), the state of that origin whose
   * history agrees with it longest is taken; ties go to the state built first.
   */
  contextOf(state: number, recent: readonly number[]): number {
    const exact = this.#byKey.get(keyOf(state, recent.slice(0, this.order)));
    if (exact !== undefined) return exact;
    const candidates = this.#byOrigin.get(state);
    if (candidates === undefined) {
      throw new RangeError(`state must be a reachable DFA state: current value is ${state}`);
    }
    let best = candidates[0];
    let bestAgreement = -1;
    for (const candidate of candidates) {
      const history = this.dfa.histories[candidate];
      let agreement = 0;
      while (
        agreement < history.length && agreement < recent.length &&
        history[agreement] === recent[agreement]
      ) agreement++;
      if (agreement > bestAgreement) {
        best = candidate;
        bestAgreement = agreement;
      }
    }
    return best;
  }
}

function keyOf(origin: number, history: readonly number[]): string {
  return `${origin}|${history.join(",")}`;
}
