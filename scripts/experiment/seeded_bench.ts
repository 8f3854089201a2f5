/**
 * The drift bench over several optimiser seeds (`deno task experiment --bench --seeds=...`). One
 * row's figure at one seed is exact but not robust: the adaptive rows spread by 0.1-0.2 over the
 * optimiser's seeds, so a change is judged on the rows' means over seeds, and on their worst seed.
 *
 * @module
 */

import { type BenchRow, FIGURE_HEADER, figureCells, formatColumns } from "./drift_bench.ts";

/** A bench row over seeds: the figures are means; the adaptive figure also per seed and at worst. */
export interface SeededRow extends BenchRow {
  adaptiveBySeed: number[];
  adaptiveMin: number;
}

/** The figure the bench aims at (issue 14): adaptive mean weekly MCC of at least this. */
export const AIM = 0.75;

/** The optimiser seeds of `--seeds=<a,b,...>`: non-negative integers, at least one, no repeats. */
export function parseSeeds(text: string): number[] {
  const seeds = text.split(",").map((part) => part.trim());
  const valid = seeds.every((seed) => /^\d+$/.test(seed) && Number.isSafeInteger(Number(seed)));
  if (!valid || new Set(seeds.map(Number)).size !== seeds.length) {
    throw new RangeError(
      `seeds: expected distinct non-negative integers separated by commas (e.g. 1234,1,2): ` +
        `current value is ${JSON.stringify(text)}`,
    );
  }
  return seeds.map(Number);
}

/** Each row's figures averaged over the seeds; `bySeed[i]` holds the rows of one seed's run. */
export function acrossSeeds(bySeed: readonly (readonly BenchRow[])[]): SeededRow[] {
  if (bySeed.length === 0) throw new RangeError("bySeed: expected the rows of at least one seed");
  const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  return bySeed[0].map((first) => {
    const same = bySeed.map((rows) => {
      const row = rows.find((r) => r.stream === first.stream && r.policy === first.policy);
      if (row === undefined) {
        throw new RangeError(`bySeed: a seed has no row ${first.stream} / ${first.policy}`);
      }
      return row;
    });
    const adaptiveBySeed = same.map((row) => row.adaptive);
    return {
      stream: first.stream,
      policy: first.policy,
      initial: mean(same.map((row) => row.initial)),
      retrainOnly: mean(same.map((row) => row.retrainOnly)),
      optimiseOnly: mean(same.map((row) => row.optimiseOnly)),
      adaptive: mean(adaptiveBySeed),
      retrains: mean(same.map((row) => row.retrains)),
      optimisations: mean(same.map((row) => row.optimisations)),
      adaptiveBySeed,
      adaptiveMin: Math.min(...adaptiveBySeed),
    };
  });
}

/** The table over seeds as text: means, the worst seed's adaptive figure, and a summary line. */
export function formatSeededTable(seeds: readonly number[], rows: readonly SeededRow[]): string {
  const lines = rows.map((r) => [...figureCells(r), r.adaptiveMin.toFixed(3)]);
  const meanOfMeans = rows.reduce((sum, r) => sum + r.adaptive, 0) / rows.length;
  const reaching = rows.filter((r) => r.adaptive >= AIM).length;
  return [
    `means over optimiser seeds ${seeds.join(", ")}`,
    ...formatColumns([...FIGURE_HEADER, "min"], lines),
    `adaptive, mean of the rows: ${meanOfMeans.toFixed(3)}; rows whose mean reaches ${AIM}: ` +
    `${reaching} of ${rows.length}`,
  ].join("\n");
}
