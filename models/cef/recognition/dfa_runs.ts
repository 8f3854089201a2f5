/**
 * Deterministic runs (Wayeb's `dsfa`): one automaton state per partition, at most one match per
 * event. The counting policy is compiled into the DFA (non-overlapping: an accepting state moves
 * like the start).
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { Alphabet, SymbolicDfa } from "../automaton/dfa.ts";
import type { PatternRuns } from "./pattern_runs.ts";

/** One DFA state per partition. */
export class DfaRuns implements PatternRuns {
  readonly #alphabet: Alphabet;
  readonly #dfa: SymbolicDfa;
  readonly #states = new Map<string, number>();

  /** Runs `dfa` (a stream DFA, see `streamDfa`) over the minterms of `alphabet`. */
  constructor(alphabet: Alphabet, dfa: SymbolicDfa) {
    this.#alphabet = alphabet;
    this.#dfa = dfa;
  }

  /** Advances partition `key` by `event`; 1 when it completed a match, else 0. */
  step(event: StreamEvent, key: string): number {
    const dfa = this.#dfa;
    const from = this.#states.get(key) ?? dfa.start;
    const state = dfa.delta[from * dfa.symbolCount + this.#alphabet.symbolOf(event)];
    this.#states.set(key, state);
    return dfa.accepting[state];
  }

  /** Puts partition `key` back at the start state. */
  reset(key: string): void {
    this.#states.delete(key);
  }
}
