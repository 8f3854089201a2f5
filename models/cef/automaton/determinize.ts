/**
 * Subset construction over minterms: a complete DFA from an NFA fragment.
 *
 * For stream recognition it also handles what a plain DFA over the pattern cannot:
 * - the "match anywhere" prefix is a TRUE self-loop state whose runs never age;
 * - a count window N: each run carries the number of events it has consumed; a run at a state
 *   only needs its youngest age (it can do whatever an older one can, with more budget left),
 *   so a DFA state is a map NFA state -> youngest age, and runs that reach N events drop out;
 * - the non-overlapping count policy: every accepting subset becomes one accepting state whose
 *   transitions are the start state's, i.e. the automaton restarts after a match.
 *
 * @module
 */

import type { SymbolicDfa } from "./dfa.ts";
import type { Nfa } from "./nfa.ts";

/** How the subset construction treats runs. */
export interface DeterminizeOptions {
  /** Count window N (a match spans at most N events), or null for none. */
  readonly window: number | null;
  /** The TRUE self-loop prefix state, whose runs have not started yet (age 0 forever). */
  readonly loopState: number | null;
  /** Restart at the start state after every match (non-overlapping policy). */
  readonly restartOnMatch: boolean;
  /** Upper bound on DFA states; the construction fails beyond it. */
  readonly maxStates: number;
}

/** Runs of the NFA: state -> youngest age. */
type RunSet = Map<number, number>;

/** Builds the complete DFA accepting what the fragment `start -> end` accepts. */
export function determinize(
  nfa: Nfa,
  start: number,
  end: number,
  symbolCount: number,
  options: DeterminizeOptions,
): SymbolicDfa {
  const { window, loopState, restartOnMatch, maxStates } = options;
  const startRuns = closure(nfa, new Map([[start, 0]]));
  const runSets: RunSet[] = [];
  const accepting: number[] = [];
  const indexByKey = new Map<string, number>();
  const delta: number[] = [];

  const stateOf = (runs: RunSet, accepts: boolean): number => {
    const key = `${accepts ? "A" : "-"}${[...runs].sort((a, b) => a[0] - b[0]).join(";")}`;
    let index = indexByKey.get(key);
    if (index === undefined) {
      index = runSets.length;
      if (index >= maxStates) {
        throw new RangeError(
          `automaton needs more than maxStates states: current value is ${maxStates}` +
            (window === null ? "" : ` (window ${window} may be too large for this pattern)`),
        );
      }
      indexByKey.set(key, index);
      runSets.push(runs);
      accepting.push(accepts ? 1 : 0);
    }
    return index;
  };

  stateOf(startRuns, startRuns.has(end));
  for (let state = 0; state < runSets.length; state++) {
    const runs = runSets[state];
    for (let symbol = 0; symbol < symbolCount; symbol++) {
      const moved: RunSet = new Map();
      for (const [from, age] of runs) {
        for (const edge of nfa.edges[from]) {
          if (edge.label[symbol] === 0) continue;
          const next = window === null || edge.to === loopState ? 0 : age + 1;
          keepYoungest(moved, edge.to, next);
        }
      }
      const reached = closure(nfa, moved);
      const accepts = reached.has(end);
      if (accepts && restartOnMatch) {
        delta.push(stateOf(startRuns, true));
        continue;
      }
      if (window !== null) {
        // A run that has used the whole window can no longer complete a match.
        for (const [at, age] of reached) if (age >= window) reached.delete(at);
      }
      delta.push(stateOf(reached, accepts));
    }
  }
  return {
    symbolCount,
    stateCount: runSets.length,
    start: 0,
    delta: Int32Array.from(delta),
    accepting: Uint8Array.from(accepting),
  };
}

/** Epsilon closure of runs; a state reached several ways keeps its youngest age. */
function closure(nfa: Nfa, runs: RunSet): RunSet {
  const result: RunSet = new Map(runs);
  const pending = [...runs.keys()];
  while (pending.length > 0) {
    const from = pending.pop()!;
    const age = result.get(from)!;
    for (const to of nfa.epsilon[from]) {
      if (keepYoungest(result, to, age)) pending.push(to);
    }
  }
  return result;
}

/** Records `age` for `state` if younger than what is there; true if it changed. */
function keepYoungest(runs: RunSet, state: number, age: number): boolean {
  const known = runs.get(state);
  if (known !== undefined && known <= age) return false;
  runs.set(state, age);
  return true;
}
