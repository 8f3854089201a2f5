/**
 * Small hand-built automata and seeded symbol sources shared by the CEF model tests.
 *
 * @module
 */

import type { SymbolicDfa } from "../../../../models/cef/automaton/dfa.ts";
import type { ContextModel } from "../../../../models/cef/forecast/context_model.ts";
import { Random } from "../../../../policies/search/random.ts";

/**
 * ";(A,B)" over symbols A = 0, B = 1, C = 2, found anywhere, restarting after a match:
 * state 0 start, 1 after an A, 2 accepting (moves like the start).
 */
export const AB_DFA: SymbolicDfa = {
  symbolCount: 3,
  stateCount: 3,
  start: 0,
  delta: Int32Array.from([1, 0, 0, 1, 2, 0, 1, 0, 0]),
  accepting: Uint8Array.from([0, 0, 1]),
};

/** "A" over symbols A = 0, B = 1: every A is a match. */
export const A_DFA: SymbolicDfa = {
  symbolCount: 2,
  stateCount: 2,
  start: 0,
  delta: Int32Array.from([1, 0, 1, 0]),
  accepting: Uint8Array.from([0, 1]),
};

/** Draws an index from a discrete distribution. */
export function draw(random: Random, distribution: ArrayLike<number>): number {
  let u = random.next();
  for (let i = 0; i < distribution.length - 1; i++) {
    u -= distribution[i];
    if (u < 0) return i;
  }
  return distribution.length - 1;
}

/**
 * An order-2 source over 3 symbols: after (a, b) (a the most recent) the next symbol is
 * (a + b) mod 3 with probability 0.5, each other symbol with 0.25. Given a alone the next symbol
 * is close to uniform, so the order-2 contexts matter and deeper ones add nothing.
 */
export function order2Next(a: number, b: number): number[] {
  const next = [0.25, 0.25, 0.25];
  next[(a + b) % 3] = 0.5;
  return next;
}

/** `count` sequences of `length` symbols of the order-2 source. */
export function order2Sequences(seed: number, count: number, length: number): Int32Array[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const sequence = new Int32Array(length);
    for (let t = 0; t < length; t++) {
      sequence[t] = t < 2
        ? random.below(3)
        : draw(random, order2Next(sequence[t - 1], sequence[t - 2]));
    }
    return sequence;
  });
}

/**
 * Monte-Carlo waiting times of `model` driving `dfa` from (context, state): the share of `runs`
 * simulated runs whose first match comes exactly n events ahead, at index n - 1.
 */
export function simulateWaitingTimes(
  model: ContextModel,
  dfa: SymbolicDfa,
  from: { context: number; state: number },
  horizon: number,
  runs: number,
  seed: number,
): Float64Array {
  const random = new Random(seed);
  const k = model.symbolCount;
  const hits = new Float64Array(horizon);
  for (let run = 0; run < runs; run++) {
    let { context, state } = from;
    for (let n = 0; n < horizon; n++) {
      const symbol = draw(random, model.probability.subarray(context * k, context * k + k));
      state = dfa.delta[state * k + symbol];
      context = model.next[context * k + symbol];
      if (dfa.accepting[state] === 1) {
        hits[n]++;
        break;
      }
    }
  }
  return hits.map((h) => h / runs);
}
