/**
 * A nondeterministic automaton whose edges are labelled with sets of minterms, plus
 * epsilon edges: the intermediate form between a pattern and its DFA.
 *
 * @module
 */

/** An edge taken on any minterm `s` with `label[s] === 1`. */
export interface NfaEdge {
  readonly label: Uint8Array;
  readonly to: number;
}

/** A part of an NFA with one entry and one exit state (Thompson construction). */
export interface Fragment {
  readonly start: number;
  readonly end: number;
}

/** States 0..size-1 with labelled and epsilon edges. */
export class Nfa {
  readonly edges: NfaEdge[][] = [];
  readonly epsilon: number[][] = [];

  /** Number of states. */
  get size(): number {
    return this.edges.length;
  }

  /** Adds a state with no edges and returns it. */
  addState(): number {
    this.edges.push([]);
    this.epsilon.push([]);
    return this.edges.length - 1;
  }

  /** Adds an edge taken on every minterm in `label`. */
  addEdge(from: number, label: Uint8Array, to: number): void {
    this.edges[from].push({ label, to });
  }

  /** Adds an edge taken without consuming an event. */
  addEpsilon(from: number, to: number): void {
    this.epsilon[from].push(to);
  }

  /** Every state reachable from `from` through epsilon edges, `from` included. */
  epsilonClosure(from: number): Set<number> {
    const reached = new Set([from]);
    const pending = [from];
    while (pending.length > 0) {
      for (const next of this.epsilon[pending.pop()!]) {
        if (!reached.has(next)) {
          reached.add(next);
          pending.push(next);
        }
      }
    }
    return reached;
  }
}
