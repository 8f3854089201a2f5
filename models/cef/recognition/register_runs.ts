/**
 * Runs per start event over the register automaton (Wayeb's `nsra`): every event starts a run;
 * a run is the set of (state, registers) configurations its events can lead to, so a register
 * filled on one path never leaks into another. A run reports a match on every event after which
 * one of its configurations is at the end, so there is one match per (start, end) pair. Windows
 * bound a run as in `NfaRuns`. The deterministic register model (Wayeb's `dsra`) runs the same
 * way but reports at most one match per event.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";
import type { WindowType } from "../pattern/ast.ts";
import type { PatternRuns } from "./pattern_runs.ts";
import type { RegisterNfa, Registers } from "./register_nfa.ts";

/** A state of the automaton with the registers filled on the way there. */
interface Configuration {
  readonly state: number;
  readonly registers: Registers;
}

/** One run: its configurations, the events it consumed and when it started (ms). */
interface Run {
  configurations: Configuration[];
  length: number;
  readonly startedAt: number;
}

/** Every live run of every partition. */
export class RegisterRuns implements PatternRuns {
  readonly #nfa: RegisterNfa;
  readonly #window: { readonly size: number; readonly type: WindowType } | null;
  readonly #runs = new Map<string, Run[]>();
  readonly #ids = new WeakMap<StreamEvent, number>();
  readonly #onePerEvent: boolean;
  #nextId = 0;

  /** Runs `nfa` from every event, bounded by `window`; `onePerEvent` for Wayeb's dsra. */
  constructor(
    nfa: RegisterNfa,
    window: { readonly size: number; readonly type: WindowType } | null,
    options: { onePerEvent?: boolean } = {},
  ) {
    this.#nfa = nfa;
    this.#window = window;
    this.#onePerEvent = options.onePerEvent ?? false;
  }

  /** Starts a run at `event`, advances every run of partition `key`; the matches completed. */
  step(event: StreamEvent, key: string): number {
    this.#ids.set(event, this.#nextId++);
    const runs = this.#runs.get(key) ?? [];
    const fresh = this.#closure([{ state: this.#nfa.start, registers: new Map() }]);
    runs.push({ configurations: fresh, length: 0, startedAt: event.timestamp });
    const window = this.#window;
    let matches = 0;
    let kept = 0;
    for (const run of runs) {
      run.configurations = this.#advance(run.configurations, event);
      run.length++;
      if (run.configurations.length === 0) continue;
      if (window !== null) {
        const span = window.type === "count"
          ? run.length
          : (event.timestamp - run.startedAt) / 1000;
        if (window.type === "count" ? span > window.size : span >= window.size) continue;
      }
      if (run.configurations.some((c) => c.state === this.#nfa.end)) matches++;
      runs[kept++] = run;
    }
    runs.length = kept;
    this.#runs.set(key, runs);
    return this.#onePerEvent ? Math.min(matches, 1) : matches;
  }

  /** Drops every run of partition `key`. */
  reset(key: string): void {
    this.#runs.delete(key);
  }

  #advance(configurations: readonly Configuration[], event: StreamEvent): Configuration[] {
    const moved: Configuration[] = [];
    for (const { state, registers } of configurations) {
      for (const edge of this.#nfa.edges[state]) {
        if (!edge.test(event, registers)) continue;
        const next = edge.store === undefined
          ? registers
          : new Map(registers).set(edge.store, event);
        moved.push({ state: edge.to, registers: next });
      }
    }
    return this.#closure(moved);
  }

  /** The configurations reachable through epsilon edges, each (state, registers) once. */
  #closure(configurations: readonly Configuration[]): Configuration[] {
    const seen = new Map<string, Configuration>();
    const pending = [...configurations];
    while (pending.length > 0) {
      const configuration = pending.pop()!;
      const key = this.#keyOf(configuration);
      if (seen.has(key)) continue;
      seen.set(key, configuration);
      for (const to of this.#nfa.epsilon[configuration.state]) {
        pending.push({ state: to, registers: configuration.registers });
      }
    }
    return [...seen.values()];
  }

  #keyOf({ state, registers }: Configuration): string {
    let key = String(state);
    for (const [name, event] of registers) key += `|${name}=${this.#ids.get(event)}`;
    return key;
  }
}
