/**
 * Runs per start event (Wayeb's `nsfa`): every event starts a run of the pattern's body, each
 * run follows the body's DFA on its own and reports a match whenever it is accepting, so there
 * is one match per (start, end) pair and several may end on one event. A run dies when it can
 * no longer accept, or when it outgrows the window: a count window of N lets a match span at
 * most N events of its partition (first and last included), a time window of N seconds keeps
 * `last.timestamp - first.timestamp < N`.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { Alphabet, SymbolicDfa } from "../automaton/dfa.ts";
import type { WindowType } from "../pattern/ast.ts";
import type { PatternRuns } from "./pattern_runs.ts";

/** One run: its body-DFA state, the events it consumed and when it started (ms). */
interface Run {
  state: number;
  length: number;
  readonly startedAt: number;
}

/** Every live run of every partition. */
export class NfaRuns implements PatternRuns {
  readonly #alphabet: Alphabet;
  readonly #dfa: SymbolicDfa;
  readonly #live: Uint8Array;
  readonly #window: { readonly size: number; readonly type: WindowType } | null;
  readonly #runs = new Map<string, Run[]>();

  /** Runs `body` (the DFA of the pattern alone, no prefix loop) from every event. */
  constructor(
    alphabet: Alphabet,
    body: SymbolicDfa,
    window: { readonly size: number; readonly type: WindowType } | null,
  ) {
    this.#alphabet = alphabet;
    this.#dfa = body;
    this.#live = liveStates(body);
    this.#window = window;
  }

  /** Starts a run at `event`, advances every run of partition `key`; the matches completed. */
  step(event: StreamEvent, key: string): number {
    const dfa = this.#dfa;
    const symbol = this.#alphabet.symbolOf(event);
    const runs = this.#runs.get(key) ?? [];
    runs.push({ state: dfa.start, length: 0, startedAt: event.timestamp });
    const window = this.#window;
    let matches = 0;
    let kept = 0;
    for (const run of runs) {
      run.state = dfa.delta[run.state * dfa.symbolCount + symbol];
      run.length++;
      if (this.#live[run.state] === 0) continue;
      if (window !== null) {
        const span = window.type === "count"
          ? run.length
          : (event.timestamp - run.startedAt) / 1000;
        if (window.type === "count" ? span > window.size : span >= window.size) continue;
      }
      matches += dfa.accepting[run.state];
      runs[kept++] = run;
    }
    runs.length = kept;
    this.#runs.set(key, runs);
    return matches;
  }

  /** Drops every run of partition `key`. */
  reset(key: string): void {
    this.#runs.delete(key);
  }
}

/** 1 for the states from which an accepting state can still be reached. */
function liveStates(dfa: SymbolicDfa): Uint8Array {
  const k = dfa.symbolCount;
  const predecessors: number[][] = Array.from({ length: dfa.stateCount }, () => []);
  for (let s = 0; s < dfa.stateCount; s++) {
    for (let symbol = 0; symbol < k; symbol++) predecessors[dfa.delta[s * k + symbol]].push(s);
  }
  const live = new Uint8Array(dfa.stateCount);
  const pending: number[] = [];
  for (let s = 0; s < dfa.stateCount; s++) {
    if (dfa.accepting[s] === 1) {
      live[s] = 1;
      pending.push(s);
    }
  }
  while (pending.length > 0) {
    for (const p of predecessors[pending.pop()!]) {
      if (live[p] === 0) {
        live[p] = 1;
        pending.push(p);
      }
    }
  }
  return live;
}
