/**
 * Disambiguation for full-order Markov models (Nuel 2008): splits DFA states until each one
 * determines the last m minterms read, so that "next minterm given the state" is "next minterm
 * given the last m minterms". A new state is a pair (original state, recent minterms); only
 * pairs that can actually occur are built, so a state is split only as far as needed. States
 * reached before m events have been read carry their shorter history, unless the start is given
 * one (Wayeb's start carries the history its disambiguation left it: `wayeb_start_history.ts`).
 *
 * @module
 */

import type { SymbolicDfa } from "./dfa.ts";

/** Largest order `disambiguate` accepts. */
export const MAX_ORDER = 10;

/** A DFA whose every state has one history of recent minterms. */
export interface DisambiguatedDfa extends SymbolicDfa {
  readonly order: number;
  /** State of the original DFA each state refines. */
  readonly origin: Int32Array;
  /** Recent minterms of each state, most recent first; length m except near the stream's start. */
  readonly histories: readonly (readonly number[])[];
}

/**
 * Refines `dfa` so every state has a unique length-`order` minterm history; the start has
 * `startHistory` (most recent first, at most `order` minterms), none by default.
 */
export function disambiguate(
  dfa: SymbolicDfa,
  order: number,
  maxStates = 1_000_000,
  startHistory: readonly number[] = [],
): DisambiguatedDfa {
  if (!Number.isInteger(order) || order < 0 || order > MAX_ORDER) {
    throw new RangeError(
      `order must be an integer in [0, ${MAX_ORDER}]: current value is ${order}`,
    );
  }
  const k = dfa.symbolCount;
  if (
    startHistory.length > order ||
    startHistory.some((s) => !Number.isInteger(s) || s < 0 || s >= k)
  ) {
    throw new RangeError(
      `startHistory must be at most ${order} symbols in [0, ${k}): current value is ${
        JSON.stringify(startHistory)
      }`,
    );
  }
  const origin: number[] = [];
  const histories: number[][] = [];
  const indexByKey = new Map<string, number>();
  const delta: number[] = [];
  const stateOf = (state: number, history: number[]): number => {
    const key = `${state}|${history.join(",")}`;
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = origin.length;
      if (index >= maxStates) {
        throw new RangeError(
          `disambiguated automaton needs more than maxStates states: current value is ${maxStates}`,
        );
      }
      indexByKey.set(key, index);
      origin.push(state);
      histories.push(history);
    }
    return index;
  };

  stateOf(dfa.start, [...startHistory]);
  for (let i = 0; i < origin.length; i++) {
    const state = origin[i];
    const history = histories[i];
    for (let symbol = 0; symbol < k; symbol++) {
      const next = dfa.delta[state * k + symbol];
      delta.push(stateOf(next, [symbol, ...history].slice(0, order)));
    }
  }
  return {
    symbolCount: k,
    stateCount: origin.length,
    start: 0,
    delta: Int32Array.from(delta),
    accepting: Uint8Array.from(origin, (state) => dfa.accepting[state]),
    order,
    origin: Int32Array.from(origin),
    histories,
  };
}
