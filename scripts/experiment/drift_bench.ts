/**
 * The drift benchmark (`deno task experiment --bench`): the repo's own seeded drifting streams
 * (`scripts/drift_stream.ts`), in three drift shapes (sudden, gradual, recurring) and two
 * textures (card-fraud-like: many cards taking turns; maritime-like: a few vessels), each run in
 * lockstep (so every figure is reproducible) with the initial model only, with retraining only,
 * with optimisation only and with both (the adaptive system), for each retrain policy. The figure
 * is the mean weekly MCC (`weekly_mcc.ts`): each week's MCC from its reports' summed counts.
 *
 * The streams share the pattern ABC and its alphabet: "card-fraud-like" and "maritime-like" name
 * the shape of the traffic (keys and their interleaving), not real data.
 *
 * @module
 */

import type { RetuneConfig } from "../../config/schema.ts";
import { configSchema } from "../../config/schema.ts";
import { type DriftStreamOptions, REGIMES } from "../drift_stream.ts";
import { generate } from "../generate_drift.ts";
import { runOnce, runReport } from "./run_once.ts";
import type { RunReport } from "./report.ts";
import { meanWeeklyMcc, WEEK_MS } from "./weekly_mcc.ts";

/** Weeks of stream time every bench stream spans. */
const WEEKS = 20;

/** A bench stream: its name and how to generate it. */
export interface BenchStream {
  name: string;
  options: DriftStreamOptions;
}

/** One run: its report and its mean weekly MCC. */
interface Scored {
  report: RunReport;
  weekly: number;
}

/** What a run may ask for: nothing (the initial model), retrains, optimisations or both. */
export type BenchVariant = "initial" | "train" | "optimise" | "both";

/** One row of the table: a stream and a retrain policy, with the mean weekly MCC of each variant. */
export interface BenchRow {
  stream: string;
  policy: string;
  initial: number;
  retrainOnly: number;
  optimiseOnly: number;
  adaptive: number;
  /** Retrains and optimisations the adaptive run completed. */
  retrains: number;
  optimisations: number;
}

/** The bench's size: the whole table, or one stream and policy for a smoke test. */
export interface BenchOptions {
  quick: boolean;
  /** Only the stream of this name (e.g. `sudden maritime-like`). */
  stream?: string;
  /** Only this retrain policy (e.g. `trend`). */
  policy?: string;
  /** How often the engine reports, per week of stream time; 1 unless told. */
  reportsPerWeek?: number;
}

/** The texture of a stream's traffic: how many keys take turns. */
const TEXTURES = [
  { name: "card-fraud-like", keys: 16 },
  { name: "maritime-like", keys: 2 },
] as const;

/** Drift shapes: where the regime changes and how fast. */
const SHAPES = [
  { name: "sudden", driftAt: [0.3], regimes: ["runs", "alternating"], transition: 0 },
  { name: "gradual", driftAt: [0.3], regimes: ["runs", "alternating"], transition: 0.15 },
  {
    name: "recurring",
    driftAt: [0.3, 0.55, 0.8],
    regimes: ["runs", "alternating", "runs", "alternating"],
    transition: 0,
  },
] as const;

/** The streams of the bench (the quick bench: the first, shorter), or the one `stream` names. */
export function benchStreams({ quick, stream }: BenchOptions): BenchStream[] {
  const events = quick ? 12_000 : 40_000;
  const streams = TEXTURES.flatMap((texture) =>
    SHAPES.map((shape): BenchStream => ({
      name: `${shape.name} ${texture.name}`,
      options: {
        events,
        keys: texture.keys,
        seed: 7,
        driftAt: shape.driftAt,
        regimes: shape.regimes.map((name) => REGIMES[name]),
        transition: shape.transition,
        // Each key's clock steps so the whole stream spans WEEKS weeks.
        stepMs: Math.floor((WEEKS * WEEK_MS * texture.keys) / events),
      },
    }))
  );
  if (stream !== undefined) {
    const named = streams.filter((s) => s.name === stream);
    if (named.length === 0) {
      throw new RangeError(
        `stream: no bench stream ${JSON.stringify(stream)} (${
          streams.map((s) => s.name).join(", ")
        })`,
      );
    }
    return named;
  }
  return quick ? streams.slice(0, 1) : streams;
}

/**
 * The retrain policies compared (the quick bench: the first), or the one `policy` names, with
 * their defaults, which are set for weekly reports, kept in weeks: the trend's window, guard and
 * slope per report, and Page-Hinkley's guard, scale with `reportsPerWeek`.
 */
export function benchPolicies(
  { quick, policy, reportsPerWeek = 1 }: BenchOptions,
): RetuneConfig["observer"]["policy"][] {
  if (!Number.isSafeInteger(reportsPerWeek) || reportsPerWeek < 1) {
    throw new RangeError(
      `reportsPerWeek must be an integer >= 1: current value is ${reportsPerWeek}`,
    );
  }
  const kinds = ["trend", "page_hinkley"] as const;
  if (policy !== undefined && !kinds.some((kind) => kind === policy)) {
    throw new RangeError(`policy: expected one of ${kinds.join(", ")}, got ${policy}`);
  }
  const chosen = policy !== undefined
    ? kinds.filter((kind) => kind === policy)
    : quick
    ? kinds.slice(0, 1)
    : kinds;
  return chosen.map((kind) => {
    const defaults = configSchema.shape.observer.parse({ policy: { kind } }).policy;
    if (defaults.kind === "trend") {
      return {
        ...defaults,
        k: defaults.k * reportsPerWeek,
        guard: defaults.guard * reportsPerWeek,
        slopeThreshold: defaults.slopeThreshold / reportsPerWeek,
      };
    }
    return defaults.kind === "page_hinkley"
      ? { ...defaults, guard: defaults.guard * reportsPerWeek }
      : defaults;
  });
}

/**
 * The configuration of one bench run: `base` (the drift example's model and budgets) reporting
 * `reportsPerWeek` times a week, collecting half-weekly buckets, training the initial model on the
 * first two weeks, in lockstep, with `policy` restricted to what `variant` may ask for.
 */
export function benchConfig(
  base: RetuneConfig,
  policy: RetuneConfig["observer"]["policy"],
  variant: BenchVariant,
  reportsPerWeek = 1,
): RetuneConfig {
  return {
    ...base,
    topics: { ...base.topics, input: { ...base.topics.input, partitions: 1 } },
    model: { ...base.model, initialTraining: { spanMs: 2 * WEEK_MS } },
    engine: { ...base.engine, report: { everyStreamMs: Math.round(WEEK_MS / reportsPerWeek) } },
    collector: { ...base.collector, bucket: { byStreamMs: WEEK_MS / 2 } },
    observer: { ...base.observer, policy, actions: variant === "initial" ? "both" : variant },
    replayer: { ...base.replayer, rate: { kind: "max" } },
    experiment: { ...base.experiment, mode: "lockstep" },
  };
}

/**
 * Runs the bench on streams written under `dir`; calls `progress` after each row with the row and
 * its adaptive run's report (each model version and decision).
 */
export async function runDriftBench(
  base: RetuneConfig,
  dir: string,
  options: BenchOptions,
  progress: (row: BenchRow, adaptive: RunReport) => void | Promise<void> = () => {},
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const policies = benchPolicies(options);
  for (const stream of benchStreams(options)) {
    const input = `${dir}/${stream.name.replaceAll(" ", "_")}.csv`;
    await generate({ out: input, format: "csv", options: stream.options });
    const mean = async (policy: RetuneConfig["observer"]["policy"], variant: BenchVariant) => {
      const config = benchConfig(base, policy, variant, options.reportsPerWeek);
      const summary = await runOnce(config, input, variant !== "initial");
      return {
        report: runReport(variant, summary),
        weekly: meanWeeklyMcc(summary.reports, options.reportsPerWeek),
      };
    };
    // Lockstep runs give the same figures however loaded the machine is: run them side by side.
    const [first, ...byPolicy] = await Promise.all([
      mean(policies[0], "initial"),
      ...policies.map((policy) =>
        Promise.all([mean(policy, "train"), mean(policy, "optimise"), mean(policy, "both")])
      ),
    ]) as [Scored, ...Scored[][]];
    for (const [i, policy] of policies.entries()) {
      const [retrainOnly, optimiseOnly, adaptive] = byPolicy[i];
      const row: BenchRow = {
        stream: stream.name,
        policy: policy.kind,
        initial: first.weekly,
        retrainOnly: retrainOnly.weekly,
        optimiseOnly: optimiseOnly.weekly,
        adaptive: adaptive.weekly,
        retrains: adaptive.report.retrains,
        optimisations: adaptive.report.optimisations,
      };
      rows.push(row);
      await progress(row, adaptive.report);
    }
  }
  return rows;
}

/** The columns every bench table starts with: the row and its four figures. */
export const FIGURE_HEADER = [
  "stream",
  "policy",
  "initial",
  "retrain only",
  "optimise only",
  "adaptive",
] as const;

/** A row's cells under `FIGURE_HEADER`. */
export function figureCells(r: BenchRow): string[] {
  return [
    r.stream,
    r.policy,
    ...[r.initial, r.retrainOnly, r.optimiseOnly, r.adaptive].map((x) => x.toFixed(3)),
  ];
}

/** The table as text: one line per stream and policy. */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const lines = rows.map((r) => [...figureCells(r), `${r.retrains}T ${r.optimisations}O`]);
  return formatColumns([...FIGURE_HEADER, "jobs"], lines).join("\n");
}

/** Header and rows in aligned columns: the first two (stream, policy) left, the figures right. */
export function formatColumns(
  header: readonly string[],
  lines: readonly (readonly string[])[],
): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const format = (cells: readonly string[]) =>
    cells.map((cell, i) => i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])).join("  ");
  return [format(header), ...lines.map(format)];
}
