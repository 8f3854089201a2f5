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
    case "sequence":
      return buildSequence(nfa, regex.parts, context);
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

/**
 * Parts one after another. Under Wayeb compatibility, a complement whose automaton has a dead
 * state and is followed by another part is followed by `*(TRUE)` too: Wayeb 0.6 gives that dead
 * state's id to the next part's start, which thereby loops on every event, so `;(A,!(B),C)`
 * matches like `;(A,*(TRUE),C)`.
 */
function buildSequence(nfa: Nfa, parts: readonly Regex[], context: ThompsonContext): Fragment {
  const fragments = parts.map((part, i) => {
    if (part.kind !== "complement") return buildFragment(nfa, part, context);
    const complement = buildComplement(nfa, part.body, context);
    if (context.compat !== "wayeb" || !complement.hadDeadState || i === parts.length - 1) {
      return complement;
    }
    const loop = nfa.addState();
    nfa.addEdge(loop, new Uint8Array(context.symbolCount).fill(1), loop);
    nfa.addEpsilon(complement.end, loop);
    return { start: complement.start, end: loop };
  });
  for (let i = 1; i < fragments.length; i++) {
    nfa.addEpsilon(fragments[i - 1].end, fragments[i].start);
  }
  return { start: fragments[0].start, end: fragments[fragments.length - 1].end };
}

/** `!(body)`; `hadDeadState` tells whether the body's own DFA has a state that never accepts. */
function buildComplement(
  nfa: Nfa,
  body: Regex,
  context: ThompsonContext,
): Fragment & { hadDeadState: boolean } {
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
  let hadDeadState = false;
  for (let s = 0; s < stateCount; s++) {
    hadDeadState ||= accepting[s] === 0 && selfLoopsOnly(delta, s, symbolCount);
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
  return { start: first + dfa.start, end, hadDeadState };
}

/** Whether every transition of `state` leads back to it. */
function selfLoopsOnly(delta: Int32Array, state: number, symbolCount: number): boolean {
  for (let symbol = 0; symbol < symbolCount; symbol++) {
    if (delta[state * symbolCount + symbol] !== state) return false;
  }
  return true;
}
