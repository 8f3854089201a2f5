/**
 * Wayeb's own `nsra` runs, for `compat: "wayeb"`. Two things in Wayeb 0.6 depart from the plain
 * meaning that `RegisterRuns` gives:
 * 1. Its automaton: Wayeb puts a skip state (a `TruePredicate` self-loop that takes no event)
 *    before the pattern and removes epsilon edges by a subset construction that merges every
 *    edge of a state set testing the same condition into one edge, keeping the pattern's output
 *    and register writes (`NSRAUtils.eliminateEpsilonWithTracker`). A pattern whose first
 *    condition is `TruePredicate` thus swallows the skip loop: the loop now takes its event and
 *    writes the register.
 * 2. Its runs (`ERFEngine`): a partition gets a new run only when it has none; a run forks one
 *    clone per further edge it can take and dies when it can take none or when the event is a
 *    window or more past the first event the run took (a match clears the run's events but not
 *    that first one).
 * Together: with `;(TruePredicate["x"], ...){window:N}` one run lives N events, then the next
 * event starts the only new one, so Wayeb reports far fewer matches than the pattern means.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { WindowType } from "../pattern/ast.ts";
import type { PatternRuns } from "./pattern_runs.ts";
import type { RegisterEdge, RegisterNfa, Registers } from "./register_nfa.ts";

/** The skip loop's condition, as `sentenceOf` writes a bare `TruePredicate`. */
const SKIP_SENTENCE = "TruePredicate()";

/** An edge of the merged automaton: one per condition leaving a state set. */
interface MergedEdge {
  readonly test: RegisterEdge["test"];
  /** Whether the event becomes part of the match (false only for the bare skip loop). */
  readonly takes: boolean;
  readonly stores: readonly string[];
  readonly to: number;
}

/** One Wayeb run: its merged state, registers, event counter and first taken event. */
interface Run {
  state: number;
  registers: Registers;
  counter: number;
  /** Counter (count window) or stream time in s (time window) of its first taken event. */
  first: number | null;
}

/** Every live run of every partition, as Wayeb's engine keeps them. */
export class WayebRegisterRuns implements PatternRuns {
  readonly #nfa: RegisterNfa;
  readonly #window: { readonly size: number; readonly type: WindowType } | null;
  readonly #skip: number;
  /** Merged states: the sorted NFA state sets they stand for, and their edges once built. */
  readonly #sets: number[][] = [];
  readonly #ids = new Map<string, number>();
  readonly #edges: (MergedEdge[] | undefined)[] = [];
  readonly #runs = new Map<string, Run[]>();

  /** Runs `nfa` as Wayeb's nsra engine does, bounded by `window`. */
  constructor(
    nfa: RegisterNfa,
    window: { readonly size: number; readonly type: WindowType } | null,
  ) {
    this.#nfa = nfa;
    this.#window = window;
    this.#skip = nfa.edges.length;
    this.#idOf(this.#closure([this.#skip]));
  }

  /** Advances partition `key` by `event` (a new run if it has none); the matches completed. */
  step(event: StreamEvent, key: string): number {
    let runs = this.#runs.get(key);
    if (runs === undefined || runs.length === 0) {
      runs = [{ state: 0, registers: new Map(), counter: 0, first: null }];
    }
    const next: Run[] = [];
    let matches = 0;
    for (const run of runs) {
      run.counter++;
      if (!this.#withinWindow(run, event)) continue;
      for (const edge of this.#edgesOf(run.state)) {
        if (!edge.test(event, run.registers)) continue;
        let registers = run.registers;
        if (edge.stores.length > 0) {
          const stored = new Map(registers);
          for (const name of edge.stores) stored.set(name, event);
          registers = stored;
        }
        const moved: Run = { state: edge.to, registers, counter: run.counter, first: run.first };
        if (edge.takes && moved.first === null) moved.first = this.#mark(moved, event);
        if (this.#sets[edge.to].includes(this.#nfa.end)) matches++;
        next.push(moved);
      }
    }
    this.#runs.set(key, next);
    return matches;
  }

  /** Kills every run of partition `key`; its next event starts a new one. */
  reset(key: string): void {
    this.#runs.delete(key);
  }

  #mark(run: Run, event: StreamEvent): number {
    return this.#window?.type === "time" ? event.timestamp / 1000 : run.counter;
  }

  #withinWindow(run: Run, event: StreamEvent): boolean {
    if (this.#window === null || run.first === null) return true;
    return Math.abs(this.#mark(run, event) - run.first) < this.#window.size;
  }

  /** The merged edges of state `id`, built on first use as Wayeb's tracker does. */
  #edgesOf(id: number): MergedEdge[] {
    const built = this.#edges[id];
    if (built !== undefined) return built;
    const bySentence = new Map<string, { edges: RegisterEdge[]; targets: Set<number> }>();
    for (const state of this.#sets[id]) {
      const leaving: readonly RegisterEdge[] = state === this.#skip
        ? [{ test: () => true, sentence: SKIP_SENTENCE, store: undefined, to: this.#skip }]
        : this.#nfa.edges[state];
      for (const edge of leaving) {
        const group = bySentence.get(edge.sentence) ?? { edges: [], targets: new Set() };
        group.edges.push(edge);
        for (const target of this.#closure([edge.to])) group.targets.add(target);
        bySentence.set(edge.sentence, group);
      }
    }
    const edges: MergedEdge[] = [];
    for (const { edges: group, targets } of bySentence.values()) {
      // The pattern's edges (which take their event) win over the skip loop testing the same.
      const taking = group.filter((edge) => edge.to !== this.#skip);
      const stores = [...new Set(taking.flatMap((edge) => edge.store ?? []))];
      edges.push({
        test: group[0].test,
        takes: taking.length > 0,
        stores,
        to: this.#idOf([...targets]),
      });
    }
    this.#edges[id] = edges;
    return edges;
  }

  #idOf(states: number[]): number {
    const sorted = [...new Set(states)].sort((a, b) => a - b);
    const key = sorted.join(",");
    let id = this.#ids.get(key);
    if (id === undefined) {
      id = this.#sets.length;
      this.#sets.push(sorted);
      this.#ids.set(key, id);
    }
    return id;
  }

  /** The states reachable from `states` through epsilon edges (the skip state's leads to start). */
  #closure(states: readonly number[]): number[] {
    const seen = new Set<number>();
    const pending = [...states];
    while (pending.length > 0) {
      const state = pending.pop()!;
      if (seen.has(state)) continue;
      seen.add(state);
      pending.push(...(state === this.#skip ? [this.#nfa.start] : this.#nfa.epsilon[state]));
    }
    return [...seen];
  }
}
