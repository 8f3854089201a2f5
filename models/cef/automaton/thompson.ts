/**
 * Thompson construction of an NFA from a pattern whose conditions are already minterm sets.
 * Complement has no Thompson rule: `!(a)` is built by determinising `a` on its own,
 * completing it over the minterms, flipping acceptance and embedding the result.
 *
 * @module
 */

import type { Condition, Regex } from "../pattern/ast.ts";
import { determinize } from "./determinize.ts";
import { minimise } from "./minimise.ts";
import { type Fragment, Nfa } from "./nfa.ts";

/** What the construction needs: the minterm set of each condition and a size bound. */
export interface ThompsonContext {
  readonly symbolCount: number;
  readonly symbolsOf: (condition: Condition) => Uint8Array;
  /** Bound on the states of each complemented sub-automaton. */
  readonly maxStates: number;
  /** `"wayeb"` reproduces Wayeb's complement inside a sequence (see `buildSequence`). */
  readonly compat?: "wayeb";
}

/** Adds the states for `regex` to `nfa` and returns its entry and exit. */
export function buildFragment(nfa: Nfa, regex: Regex, context: ThompsonContext): Fragment {
  switch (regex.kind) {
    case "empty": {
      const start = nfa.addState();
      const end = nfa.addState();
      nfa.addEpsilon(start, end);
      return { start, end };
    }
    case "condition": {
      const start = nfa.addState();
      const end = nfa.addState();
      nfa.addEdge(start, context.symbolsOf(regex.condition), end);
      return { start, end };
    }
    case "sequence": {
      const parts = regex.parts.map((part) => buildFragment(nfa, part, context));
      for (let i = 1; i < parts.length; i++) nfa.addEpsilon(parts[i - 1].end, parts[i].start);
      return { start: parts[0].start, end: parts[parts.length - 1].end };
    }
    case "choice": {
      const start = nfa.addState();
      const end = nfa.addState();
      for (const part of regex.parts) {
        const fragment = buildFragment(nfa, part, context);
        nfa.addEpsilon(start, fragment.start);
        nfa.addEpsilon(fragment.end, end);
      }
      return { start, end };
    }
    case "star": {
      const start = nfa.addState();
      const end = nfa.addState();
      const body = buildFragment(nfa, regex.body, context);
      nfa.addEpsilon(start, body.start);
      nfa.addEpsilon(start, end);
      nfa.addEpsilon(body.end, body.start);
      nfa.addEpsilon(body.end, end);
      return { start, end };
    }
    case "complement":
      return buildComplement(nfa, regex.body, context);
    case "skipTillAny":
    case "skipTillNext":
      throw new RangeError(`${regex.kind} must be expanded before building (expandSelections)`);
  }
}

function buildComplement(nfa: Nfa, body: Regex, context: ThompsonContext): Fragment {
  const inner = new Nfa();
  const fragment = buildFragment(inner, body, context);
  const dfa = minimise(determinize(inner, fragment.start, fragment.end, context.symbolCount, {
    window: null,
    loopState: null,
    restartOnMatch: false,
    maxStates: context.maxStates,
  }));
  const { symbolCount, stateCount, delta, accepting } = dfa;
  const first = nfa.size;
  for (let s = 0; s < stateCount; s++) nfa.addState();
  const end = nfa.addState();
  for (let s = 0; s < stateCount; s++) {
    // One edge per target state, labelled with every minterm that leads there.
    const labels = new Map<number, Uint8Array>();
    for (let symbol = 0; symbol < symbolCount; symbol++) {
      const target = delta[s * symbolCount + symbol];
      let label = labels.get(target);
      if (label === undefined) {
        label = new Uint8Array(symbolCount);
        labels.set(target, label);
      }
      label[symbol] = 1;
    }
    for (const [target, label] of labels) nfa.addEdge(first + s, label, first + target);
    if (accepting[s] === 0) nfa.addEpsilon(first + s, end);
  }
  return { start: first + dfa.start, end };
}
