/**
 * Search benchmark: Bayesian optimisation (RTCEF's defaults, and nu = 2.5) against random search
 * on Branin and Hartmann-6 over several seeds, reporting the gap to the global minimum and the
 * wall time per run, plus the run time of one RTCEF-sized optimisation (20 evaluations, 5 reused).
 *
 * Run: `deno task bench search -- [seeds=10]`, or `deno run --allow-all bench/search.ts [seeds]`
 *
 * @module
 */

import { createStrategy } from "../config/build_policies.ts";
import { configSchema } from "../config/schema.ts";
import { RTCEF_SPACE } from "../policies/search/space.ts";
import type { SearchStrategy } from "../policies/search/strategy.ts";
import { BRANIN, HARTMANN6, median } from "../tests/policies/search/test_functions.ts";

/** Prints the comparison over `args[0]` seeds (default 10), then the RTCEF-sized run. */
export function run(args: string[]): Promise<void> {
  return Promise.try(() => {
    const seeds = Number(args[0] ?? 10);
    if (!Number.isSafeInteger(seeds) || seeds < 1) {
      throw new RangeError(`seeds must be a positive integer: current value is ${args[0]}`);
    }
    compareStrategies(seeds);
    timeRtcefRun();
  });
}

const problems = [
  { name: "branin", problem: BRANIN, budgets: [30, 40] },
  { name: "hartmann6", problem: HARTMANN6, budgets: [50, 60] },
];
const variants = [
  { name: "bo (nu 1.5, hedge)", kind: "bayesian", nu: 1.5 },
  { name: "bo (nu 2.5, hedge)", kind: "bayesian", nu: 2.5 },
  { name: "random", kind: "random", nu: 1.5 },
] as const;

/** Median and worst gap to the minimum, and seconds per run, of every strategy and budget. */
function compareStrategies(seeds: number): void {
  console.log(`seeds 0..${seeds - 1}`);
  console.log("problem    budget  strategy            median gap  max gap   s/run");
  for (const { name, problem, budgets } of problems) {
    for (const budget of budgets) {
      for (const variant of variants) {
        const gaps: number[] = [];
        const started = performance.now();
        for (let seed = 0; seed < seeds; seed++) {
          const strategy = createStrategy(
            optimiser({ strategy: variant.kind, evaluations: budget, nu: variant.nu }),
            { space: problem.space, seed, direction: "minimise" },
          );
          gaps.push(drive(strategy, budget, problem.evaluate) - problem.minimum);
        }
        const seconds = (performance.now() - started) / 1000 / seeds;
        console.log(
          [
            name.padEnd(10),
            String(budget).padStart(6),
            ` ${variant.name.padEnd(19)}`,
            median(gaps).toFixed(4).padStart(10),
            Math.max(...gaps).toFixed(4).padStart(8),
            seconds.toFixed(2).padStart(7),
          ].join(" "),
        );
      }
    }
  }
}

/** Wall time of one RTCEF-sized optimisation: 15 asks after reusing 5 of a previous run. */
function timeRtcefRun(): void {
  const previous = createStrategy(optimiser({ strategy: "random", evaluations: 20 }), {
    space: RTCEF_SPACE,
    seed: 1,
  });
  drive(previous, 20, syntheticMcc);
  const started = performance.now();
  const rtcef = createStrategy(optimiser({ strategy: "bayesian", evaluations: 20 }), {
    space: RTCEF_SPACE,
    seed: 0,
    reuse: { samples: previous.history, count: 5 },
  });
  const best = drive(rtcef, 15, syntheticMcc);
  console.log(
    `RTCEF-sized run (4-D, 15 asks after 5 reused): ${
      (performance.now() - started).toFixed(0)
    } ms, ` +
      `best synthetic MCC ${best.toFixed(3)} (reused best ${previous.best()!.value.toFixed(3)})`,
  );
}

/** The optimiser section `settings` describe, validated, with the defaults for the rest. */
function optimiser(settings: Record<string, unknown>) {
  return configSchema.shape.optimiser.parse(settings);
}

/** Asks and tells `count` times; returns the best value. */
function drive(
  strategy: SearchStrategy,
  count: number,
  evaluate: (point: Record<string, number>) => number,
): number {
  for (let i = 0; i < count; i++) {
    const point = strategy.ask();
    strategy.tell(point, evaluate(point));
  }
  return strategy.best()!.value;
}

/** A smooth stand-in for held-out MCC over RTCEF's space (best 0.8). */
function syntheticMcc(p: Record<string, number>): number {
  return 0.8 - 0.05 * (p.order - 3) ** 2 - (p.threshold - 0.6) ** 2 -
    0.02 * Math.log10(p.pMin / 0.001) ** 2 - 0.01 * Math.log10(p.gamma / 0.0003) ** 2;
}

if (import.meta.main) await run(Deno.args);
