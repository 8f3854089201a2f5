/**
 * A prediction suffix tree and the automaton that runs it.
 *
 * The tree is a suffix-closed set of contexts (most recent symbol first; dropping the oldest
 * symbol of a node gives a node, down to the empty root), each with its smoothed next-symbol
 * distribution. The prediction after a history is that of the deepest node matching its most
 * recent symbols.
 *
 * The deepest node after one more symbol is not a function of the current deepest node alone
 * (nodes [0] and [0,1,2] say nothing about whether a 2 preceded the 1 of history [1,2]), so
 * forecasting runs the equivalent prediction suffix automaton (Ron, Singer, Tishby 1996). Its
 * states are every contiguous piece of a node's context, a set closed under dropping the oldest
 * and the most recent symbol. A history's state is its longest match in that set; after symbol
 * x, the new state is the longest match of x·state (any match x·w has w in the set and w a
 * prefix of the history, so w is a prefix of the state); and the history's deepest node is the
 * deepest node matching the state. So the forecaster moves by `next[state * K + x]` and never
 * re-reads its history.
 *
 * @module
 */

import { type ContextModel, MAX_ORDER } from "../forecast/context_model.ts";
import { smoothInto } from "./smoothing.ts";

/** A node as stored: its context (most recent symbol first) and next-symbol counts. */
export interface PstNode {
  context: number[];
  counts: number[];
}

/** A PST over minterm symbols, run as its automaton by the forecaster. */
export class PredictionSuffixTree implements ContextModel {
  readonly symbolCount: number;
  /** Maximum context length m the tree was grown with. */
  readonly order: number;
  readonly gamma: number;
  /** The tree's nodes: the root first, then by depth. */
  readonly nodes: readonly PstNode[];
  /** The automaton's states (contexts): the empty one first, then by length. */
  readonly contexts: readonly (readonly number[])[];
  /** For each automaton state, the index of the deepest node matching it. */
  readonly nodeOfContext: Int32Array;
  readonly contextCount: number;
  readonly start = 0;
  readonly next: Int32Array;
  /** Each state's row is its node's smoothed distribution. */
  readonly probability: Float64Array;
  readonly #states: CodeIndex;

  /**
   * Builds the tree from its nodes; throws a RangeError if they are not a suffix-closed set of
   * distinct contexts of length <= `order` with a root, or if a count row is not K counts with a
   * positive total.
   */
  constructor(symbolCount: number, order: number, gamma: number, nodes: readonly PstNode[]) {
    if (!Number.isInteger(symbolCount) || symbolCount < 1) {
      throw new RangeError(
        `symbolCount must be a positive integer: current value is ${symbolCount}`,
      );
    }
    if (!Number.isInteger(order) || order < 1 || order > MAX_ORDER) {
      throw new RangeError(
        `order must be an integer in [1, ${MAX_ORDER}]: current value is ${order}`,
      );
    }
    const k = symbolCount;
    this.symbolCount = k;
    this.order = order;
    this.gamma = gamma;
    this.nodes = [...nodes].sort((a, b) => a.context.length - b.context.length);
    if (!this.nodes.some((node) => node.context.length === 0)) {
      throw new RangeError("the tree has no root (empty context)");
    }
    const tree = new CodeIndex(k, order);
    this.nodes.forEach((node, index) => {
      checkNode(node, k, order);
      if (tree.find(node.context) !== -1) {
        throw new RangeError(`node ${JSON.stringify(node.context)}: context appears twice`);
      }
      if (node.context.length > 0 && tree.find(node.context.slice(0, -1)) === -1) {
        throw new RangeError(
          `node ${JSON.stringify(node.context)}: its suffix ${
            JSON.stringify(node.context.slice(0, -1))
          } is missing`,
        );
      }
      tree.add(node.context, index);
    });

    const contexts = piecesOf(this.nodes.map((node) => node.context));
    this.contexts = contexts;
    this.contextCount = contexts.length;
    this.#states = new CodeIndex(k, order);
    contexts.forEach((context, index) => this.#states.add(context, index));

    this.nodeOfContext = Int32Array.from(contexts, (context) => tree.longestMatch(context));
    const rows = new Float64Array(this.nodes.length * k);
    this.nodes.forEach((node, index) => smoothInto(node.counts, gamma, rows, index * k));
    this.probability = new Float64Array(this.contextCount * k);
    this.nodeOfContext.forEach((node, state) => {
      this.probability.set(rows.subarray(node * k, node * k + k), state * k);
    });
    this.next = new Int32Array(this.contextCount * k);
    contexts.forEach((context, state) => {
      for (let x = 0; x < k; x++) {
        this.next[state * k + x] = this.#states.longestMatch([x, ...context]);
      }
    });
  }

  /** The automaton state of a history `recent` (most recent first); the DFA state plays no part. */
  contextOf(_state: number, recent: readonly number[]): number {
    return this.#states.longestMatch(recent);
  }
}

/** Contexts by length and code (sum_i context[i] * K^i), for a set closed under dropping the oldest symbol. */
class CodeIndex {
  readonly #k: number;
  readonly #byCode: Map<number, number>[];

  constructor(k: number, order: number) {
    this.#k = k;
    this.#byCode = Array.from({ length: order + 1 }, () => new Map<number, number>());
  }

  add(context: readonly number[], index: number): void {
    this.#byCode[context.length].set(codeOf(context, this.#k, context.length), index);
  }

  find(context: readonly number[]): number {
    return this.#byCode[context.length]?.get(codeOf(context, this.#k, context.length)) ?? -1;
  }

  /** Index of the longest member that is a prefix of `symbols` (the set holds the empty one). */
  longestMatch(symbols: readonly number[]): number {
    let found = this.#byCode[0].get(0)!;
    let code = 0;
    const depth = Math.min(symbols.length, this.#byCode.length - 1);
    for (let d = 1; d <= depth; d++) {
      code += symbols[d - 1] * this.#k ** (d - 1);
      const index = this.#byCode[d].get(code);
      // Closed under dropping the oldest symbol: no longer member once a length has none.
      if (index === undefined) break;
      found = index;
    }
    return found;
  }
}

/** Every contiguous piece of the contexts (including the empty one), shortest first. */
function piecesOf(contexts: readonly (readonly number[])[]): number[][] {
  const seen = new Set<string>();
  const pieces: number[][] = [];
  for (const context of contexts) {
    for (let from = 0; from <= context.length; from++) {
      for (let to = from; to <= context.length; to++) {
        const piece = context.slice(from, to);
        const key = piece.join(",");
        if (!seen.has(key)) {
          seen.add(key);
          pieces.push(piece);
        }
      }
    }
  }
  return pieces.sort((a, b) => a.length - b.length);
}

function checkNode(node: PstNode, k: number, order: number): void {
  const where = `node ${JSON.stringify(node.context)}`;
  if (node.context.length > order) {
    throw new RangeError(
      `${where}: context length must be at most ${order}: current value is ${node.context.length}`,
    );
  }
  if (node.context.some((s) => !Number.isInteger(s) || s < 0 || s >= k)) {
    throw new RangeError(`${where}: symbols must be integers in [0, ${k})`);
  }
  if (node.counts.length !== k || node.counts.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new RangeError(
      `${where}: counts must be ${k} non-negative integers: current value is ${
        JSON.stringify(node.counts)
      }`,
    );
  }
  if (!node.counts.some((c) => c > 0)) {
    throw new RangeError(
      `${where}: counts must have a positive total: current value is ${
        JSON.stringify(node.counts)
      }`,
    );
  }
}

function codeOf(context: readonly number[], k: number, length: number): number {
  let code = 0;
  for (let i = length - 1; i >= 0; i--) code = code * k + context[i];
  return code;
}
