/**
 * DFA minimisation by Hopcroft's partition refinement (O(k n log n)): unreachable states are
 * dropped, equivalent states merged, and states renumbered breadth-first from the start (so the
 * start is 0 and equal languages give identical tables).
 *
 * @module
 */

import type { SymbolicDfa } from "./dfa.ts";

/** The minimal complete DFA accepting the same language as `dfa`. */
export function minimise(dfa: SymbolicDfa): SymbolicDfa {
  const reachable = breadthFirst(dfa, dfa.start, (s) => s);
  const blockOf = refine(dfa, reachable);
  const order = breadthFirst(dfa, dfa.start, (state) => blockOf[state]);
  // A representative original state for each block, then the quotient table.
  const representative = new Int32Array(order.length);
  const rank = new Map<number, number>();
  order.forEach((block, i) => rank.set(block, i));
  for (const state of reachable) representative[rank.get(blockOf[state])!] = state;
  const k = dfa.symbolCount;
  const delta = new Int32Array(order.length * k);
  const accepting = new Uint8Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const state = representative[i];
    accepting[i] = dfa.accepting[state];
    for (let symbol = 0; symbol < k; symbol++) {
      delta[i * k + symbol] = rank.get(blockOf[dfa.delta[state * k + symbol]])!;
    }
  }
  return { symbolCount: k, stateCount: order.length, start: 0, delta, accepting };
}

/** Visits classes `classOf(state)` breadth-first from `start`; returns them in visit order. */
function breadthFirst(
  dfa: SymbolicDfa,
  start: number,
  classOf: (state: number) => number,
): number[] {
  const k = dfa.symbolCount;
  const seen = new Set([classOf(start)]);
  const order = [classOf(start)];
  const states = [start];
  for (let i = 0; i < states.length; i++) {
    for (let symbol = 0; symbol < k; symbol++) {
      const next = dfa.delta[states[i] * k + symbol];
      const cls = classOf(next);
      if (!seen.has(cls)) {
        seen.add(cls);
        order.push(cls);
        states.push(next);
      }
    }
  }
  return order;
}

/** Hopcroft refinement over the reachable states; returns each state's block. */
function refine(dfa: SymbolicDfa, reachable: readonly number[]): Int32Array {
  const k = dfa.symbolCount;
  const n = dfa.stateCount;
  const predecessors = inverse(dfa, reachable);
  // Blocks are contiguous ranges of `elements`; marked states are moved to the range's front.
  const elements = Int32Array.from(reachable);
  const position = new Int32Array(n);
  const blockOf = new Int32Array(n).fill(-1);
  const first: number[] = [];
  const end: number[] = [];
  const marked: number[] = [];
  const inWork: boolean[] = [];
  const work: number[] = [];

  elements.sort((a, b) => dfa.accepting[b] - dfa.accepting[a]);
  const acceptingCount = reachable.filter((s) => dfa.accepting[s] === 1).length;
  const addBlock = (from: number, to: number): number => {
    const block = first.length;
    first.push(from);
    end.push(to);
    marked.push(0);
    inWork.push(false);
    for (let i = from; i < to; i++) blockOf[elements[i]] = block;
    return block;
  };
  elements.forEach((state, i) => (position[state] = i));
  const blocks = [[0, acceptingCount], [acceptingCount, elements.length]]
    .filter(([from, to]) => to > from)
    .map(([from, to]) => addBlock(from, to));
  if (blocks.length === 2) {
    const smaller = acceptingCount <= elements.length - acceptingCount ? blocks[0] : blocks[1];
    work.push(smaller);
    inWork[smaller] = true;
  }

  const mark = (state: number) => {
    const block = blockOf[state];
    const target = first[block] + marked[block];
    const other = elements[target];
    const at = position[state];
    elements[at] = other;
    position[other] = at;
    elements[target] = state;
    position[state] = target;
    marked[block]++;
  };

  while (work.length > 0) {
    const splitter = work.pop()!;
    inWork[splitter] = false;
    const members = elements.slice(first[splitter], end[splitter]);
    for (let symbol = 0; symbol < k; symbol++) {
      const touched: number[] = [];
      for (const target of members) {
        const slot = target * k + symbol;
        for (let p = predecessors.offsets[slot]; p < predecessors.offsets[slot + 1]; p++) {
          const state = predecessors.states[p];
          if (marked[blockOf[state]] === 0) touched.push(blockOf[state]);
          mark(state);
        }
      }
      for (const block of touched) {
        const count = marked[block];
        marked[block] = 0;
        if (count === end[block] - first[block]) continue;
        const split = addBlock(first[block], first[block] + count);
        first[block] += count;
        if (inWork[block]) {
          work.push(split);
          inWork[split] = true;
        } else {
          const smaller = count <= end[block] - first[block] ? split : block;
          work.push(smaller);
          inWork[smaller] = true;
        }
      }
    }
  }
  return blockOf;
}

/** Predecessors of each (state, symbol) among reachable states, as offset ranges. */
function inverse(
  dfa: SymbolicDfa,
  reachable: readonly number[],
): { offsets: Int32Array; states: Int32Array } {
  const k = dfa.symbolCount;
  const offsets = new Int32Array(dfa.stateCount * k + 1);
  for (const state of reachable) {
    for (let symbol = 0; symbol < k; symbol++) {
      offsets[dfa.delta[state * k + symbol] * k + symbol + 1]++;
    }
  }
  for (let i = 1; i < offsets.length; i++) offsets[i] += offsets[i - 1];
  const fill = offsets.slice(0, -1);
  const states = new Int32Array(reachable.length * k);
  for (const state of reachable) {
    for (let symbol = 0; symbol < k; symbol++) {
      states[fill[dfa.delta[state * k + symbol] * k + symbol]++] = state;
    }
  }
  return { offsets, states };
}
