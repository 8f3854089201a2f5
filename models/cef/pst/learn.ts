/**
 * PST learning (Ron, Singer, Tishby 1996, as used for complex event forecasting by Alevizos et
 * al., VLDB J. 2022). With empirical probabilities from the counter suffix tree, a context s
 * (most recent symbol first) of length 1..m is a candidate when P(s) >= pMin; the search extends
 * candidates one symbol into the past while P >= pMin and the length is below m, so (counts
 * being monotone: s·y occurs no more often than s) the candidates are exactly the contexts with
 * P(s) >= pMin. A candidate is kept, with all its suffixes, when some symbol x has
 * P(x|s) >= (1 + alpha) * gamma and P(x|s) / P(x|suffix(s)) >= r or <= 1/r, where suffix(s)
 * drops the oldest symbol. Each kept node's next-symbol distribution is then gamma-smoothed.
 *
 * P(s) is the number of times s precedes a symbol over the number of symbols counted; P(x|s) is
 * how often x follows s over how often anything does.
 *
 * @module
 */

import { type ContextCounts, countContexts } from "./context_counts.ts";
import { checkPstParams, type PstParams } from "./params.ts";
import { PredictionSuffixTree, type PstNode } from "./tree.ts";

/** Learns a PST over `symbolCount` symbols from per-partition symbol sequences. */
export function learnPst(
  sequences: readonly Int32Array[],
  symbolCount: number,
  params: PstParams,
): PredictionSuffixTree {
  checkPstParams(params, symbolCount);
  const counts = countContexts(sequences, symbolCount, params.order);
  if (counts.total === 0) {
    throw new RangeError("training sequences must hold at least one symbol: current value is 0");
  }
  return growPst(counts, params);
}

/** Grows the tree from the counts of every context up to length `params.order`. */
function growPst(counts: ContextCounts, params: PstParams): PredictionSuffixTree {
  const { pMin, gamma, alpha, r } = params;
  const k = counts.symbolCount;
  const minOccurrences = pMin * counts.total;
  const minProbability = (1 + alpha) * gamma;
  // kept[d]: codes of the contexts of length d in the tree.
  const kept = Array.from({ length: counts.maxDepth + 1 }, () => new Set<number>());
  kept[0].add(0);

  for (let depth = 1; depth <= counts.maxDepth; depth++) {
    for (const [code, row] of counts.contexts(depth)) {
      const occurrences = counts.occurrences(depth, row);
      if (occurrences < minOccurrences) continue;
      const suffixCode = code % counts.powers[depth - 1];
      const suffixRow = counts.row(depth - 1, suffixCode);
      const here = counts.countsOf(depth, row);
      const there = counts.countsOf(depth - 1, suffixRow);
      const thereTotal = counts.occurrences(depth - 1, suffixRow);
      let significant = false;
      for (let x = 0; x < k && !significant; x++) {
        const p = here[x] / occurrences;
        if (p === 0 || p < minProbability) continue;
        const ratio = p / (there[x] / thereTotal);
        significant = ratio >= r || ratio <= 1 / r;
      }
      if (!significant) continue;
      for (let d = depth; d >= 1 && !kept[d].has(code % counts.powers[d]); d--) {
        kept[d].add(code % counts.powers[d]);
      }
    }
  }

  const nodes: PstNode[] = [];
  kept.forEach((codes, depth) => {
    for (const code of codes) {
      nodes.push({
        context: counts.decode(depth, code),
        counts: Array.from(counts.countsOf(depth, counts.row(depth, code))),
      });
    }
  });
  return new PredictionSuffixTree(k, params.order, gamma, nodes);
}
