/**
 * The counter suffix tree: for every context s of length 0..m (most recent symbol first) that
 * occurs in the training sequences, how often each symbol followed it. Each sequence is one
 * partition's stream, so no context spans two partitions.
 *
 * A context of length d is the integer code sum_i s[i] * K^i (s[0] the most recent symbol), so
 * counting is one hash lookup per depth per event and the counts live in flat typed arrays.
 *
 * @module
 */

import { checkOrder } from "../forecast/context_model.ts";

/** Next-symbol counts of every observed context up to a maximum length. */
export class ContextCounts {
  readonly symbolCount: number;
  readonly maxDepth: number;
  /** Number of symbols counted (every position of every sequence). */
  readonly total: number;
  /** `powers[d]` = K^d, the number of codes of length-d contexts. */
  readonly powers: readonly number[];
  readonly #rows: readonly Map<number, number>[];
  readonly #counts: readonly Int32Array[];
  readonly #totals: readonly Int32Array[];

  /** Built by `countContexts`. */
  constructor(
    symbolCount: number,
    powers: readonly number[],
    total: number,
    rows: readonly Map<number, number>[],
    counts: readonly Int32Array[],
    totals: readonly Int32Array[],
  ) {
    this.symbolCount = symbolCount;
    this.maxDepth = powers.length - 1;
    this.powers = powers;
    this.total = total;
    this.#rows = rows;
    this.#counts = counts;
    this.#totals = totals;
  }

  /** Row of context `code` at `depth`, or -1 if it never occurred. */
  row(depth: number, code: number): number {
    return this.#rows[depth].get(code) ?? -1;
  }

  /** Codes and rows of every observed context of length `depth`. */
  contexts(depth: number): IterableIterator<[code: number, row: number]> {
    return this.#rows[depth].entries();
  }

  /** Next-symbol counts of a row (a view, K entries). */
  countsOf(depth: number, row: number): Int32Array {
    const k = this.symbolCount;
    return this.#counts[depth].subarray(row * k, row * k + k);
  }

  /** How often the context of a row occurred (followed by any symbol). */
  occurrences(depth: number, row: number): number {
    return this.#totals[depth][row];
  }

  /** The symbols of a context code, most recent first. */
  decode(depth: number, code: number): number[] {
    const k = this.symbolCount;
    const symbols: number[] = [];
    let rest = code;
    for (let i = 0; i < depth; i++) {
      symbols.push(rest % k);
      rest = Math.floor(rest / k);
    }
    return symbols;
  }
}

/** Counts every context up to length `maxDepth` in `sequences` (one per partition). */
export function countContexts(
  sequences: readonly Int32Array[],
  symbolCount: number,
  maxDepth: number,
): ContextCounts {
  if (!Number.isInteger(symbolCount) || symbolCount < 1) {
    throw new RangeError(`symbolCount must be a positive integer: current value is ${symbolCount}`);
  }
  checkOrder(maxDepth);
  const k = symbolCount;
  const powers = Array.from({ length: maxDepth + 1 }, (_, d) => k ** d);
  if (powers[maxDepth] > Number.MAX_SAFE_INTEGER) {
    throw new RangeError(
      `symbolCount ^ order must be a safe integer for context codes: current value is ${k} ^ ${maxDepth}`,
    );
  }
  const rows = powers.map(() => new Map<number, number>());
  const tables = powers.map(() => new GrowingCounts(k));
  rows[0].set(0, tables[0].addRow());

  let total = 0;
  for (const sequence of sequences) {
    // Code of the last min(known, maxDepth) symbols, most recent first.
    let code = 0;
    let known = 0;
    for (let t = 0; t < sequence.length; t++) {
      const symbol = sequence[t];
      if (!(symbol >= 0 && symbol < k)) {
        throw new RangeError(
          `symbols must be integers in [0, ${k}): current value is ${symbol} at position ${t}`,
        );
      }
      tables[0].increment(0, symbol);
      const depths = known < maxDepth ? known : maxDepth;
      for (let d = 1; d <= depths; d++) {
        const context = code % powers[d];
        let row = rows[d].get(context);
        if (row === undefined) {
          row = tables[d].addRow();
          rows[d].set(context, row);
        }
        tables[d].increment(row, symbol);
      }
      code = symbol + k * (code % powers[maxDepth - 1]);
      known++;
    }
    total += sequence.length;
  }
  return new ContextCounts(
    k,
    powers,
    total,
    rows,
    tables.map((t) => t.counts()),
    tables.map((t) => t.totals()),
  );
}

/** Rows of K counts plus row totals, in typed arrays that double when full. */
class GrowingCounts {
  readonly #k: number;
  #counts: Int32Array;
  #totals: Int32Array;
  #rows = 0;

  constructor(k: number) {
    this.#k = k;
    this.#counts = new Int32Array(k * 16);
    this.#totals = new Int32Array(16);
  }

  addRow(): number {
    if (this.#rows === this.#totals.length) {
      const counts = new Int32Array(this.#counts.length * 2);
      counts.set(this.#counts);
      this.#counts = counts;
      const totals = new Int32Array(this.#totals.length * 2);
      totals.set(this.#totals);
      this.#totals = totals;
    }
    return this.#rows++;
  }

  increment(row: number, symbol: number): void {
    this.#counts[row * this.#k + symbol]++;
    this.#totals[row]++;
  }

  counts(): Int32Array {
    return this.#counts.subarray(0, this.#rows * this.#k);
  }

  totals(): Int32Array {
    return this.#totals.subarray(0, this.#rows);
  }
}
