/**
 * The complete symbolic DFA over minterm symbols: the contract between the pattern compiler
 * (parser, minterms, NFA -> DFA) and the learners and forecasters built on it.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";

/** A complete DFA whose symbols are minterm indices 0..symbolCount-1. */
export interface SymbolicDfa {
  readonly symbolCount: number;
  readonly stateCount: number;
  readonly start: number;
  /** Transition table: `delta[state * symbolCount + symbol]` is the next state. */
  readonly delta: Int32Array;
  /** 1 where the state is accepting (a match completes on entering it). */
  readonly accepting: Uint8Array;
}

/** Maps events to minterm symbols. */
export interface Alphabet {
  readonly symbolCount: number;
  /** The one minterm the event satisfies. */
  symbolOf(event: StreamEvent): number;
  /**
   * Why `event` cannot be given a minterm (it lacks an attribute a predicate reads, or has it
   * with the wrong type), or undefined when it can.
   */
  refusal(event: StreamEvent): string | undefined;
  /** Human-readable minterm, e.g. `P0 & !P1`. */
  describe(symbol: number): string;
}

/** A pattern compiled to its alphabet and automaton. */
export interface CompiledPattern {
  readonly source: string;
  readonly alphabet: Alphabet;
  readonly dfa: SymbolicDfa;
  /** Attribute that partitions runs, if the pattern names one. */
  readonly partitionBy: string | null;
  /** Order given in the pattern's `{order:m}` suffix, if any. */
  readonly order: number | null;
}
