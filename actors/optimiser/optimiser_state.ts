/**
 * The optimiser's state: the parameters the next retrain uses, the evaluations of the last
 * completed run and the jobs it ran, which a restart keeps, apart from the read-only view it
 * reports.
 *
 * @module
 */

import { z } from "zod";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { Instruction } from "../../protocol/messages.ts";
import {
  countSchema as count,
  hyperParametersSchema as paramsSchema,
  parseSnapshot,
  scoresSchema,
} from "../role_snapshot.ts";
import type { Evaluation } from "./optimisation_run.ts";

/** An `Evaluation` as a snapshot holds it. */
export const evaluationSchema = z.strictObject({
  point: z.record(z.string(), z.number()),
  params: paramsSchema,
  mcc: z.number(),
  scores: scoresSchema.nullable(),
});

const optimiserSnapshotSchema = z.strictObject({
  currentParams: paramsSchema.nullable(),
  previous: z.array(evaluationSchema),
  jobs: z.array(z.strictObject({
    action: z.enum(["train", "optimise"]),
    status: z.enum(["completed", "abandoned", "failed"]),
    reason: z.string(),
    modelVersion: count.nullable(),
    wallMs: z.number().nonnegative(),
    evaluations: count,
  })),
  dropped: count,
});

/**
 * What survives an optimiser restart:
 * - `currentParams`: the best parameters found so far, which the next retrain uses (null: the
 *   configured initial ones);
 * - `previous`: the points asked and the scores told in the last completed run, which the next
 *   run reuses;
 * - `jobs` (one per job) and `dropped`: the run's record of adaptations, for the summary; the
 *   number of optimisations also seeds the next run's strategy.
 * A job running when the optimiser stops is ended (its run aborted at the factory) and recorded
 * before the snapshot is taken, so no run is half-kept.
 */
export type OptimiserSnapshot = z.infer<typeof optimiserSnapshotSchema>;

/** One job the optimiser ran, for the run's report. */
export interface AdaptationRecord {
  action: Instruction["action"];
  status: "completed" | "abandoned" | "failed";
  reason: string;
  modelVersion: number | null;
  wallMs: number;
  evaluations: number;
}

/** What the optimiser reports. */
export interface OptimiserView extends OptimiserSnapshot {
  /** A job is running. */
  busy: boolean;
}

/** The optimiser's own state; only the optimiser changes it. */
export class OptimiserState {
  currentParams: HyperParameters | null = null;
  previous: readonly Evaluation[] = [];
  readonly jobs: Readonly<AdaptationRecord>[] = [];
  dropped = 0;
  busy = false;

  /** A state restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): OptimiserState {
    const data = parseSnapshot("optimiser", optimiserSnapshotSchema, snapshot);
    const state = new OptimiserState();
    state.currentParams = data.currentParams;
    state.previous = data.previous;
    state.jobs.push(...data.jobs.map((job) => Object.freeze(job)));
    state.dropped = data.dropped;
    return state;
  }

  /** What a restart keeps, as plain data. */
  snapshot(): OptimiserSnapshot {
    return structuredClone({
      currentParams: this.currentParams,
      previous: [...this.previous],
      jobs: [...this.jobs],
      dropped: this.dropped,
    });
  }

  /** A copy of what the optimiser reports. */
  view(): Readonly<OptimiserView> {
    return {
      currentParams: this.currentParams,
      previous: [...this.previous],
      jobs: [...this.jobs],
      dropped: this.dropped,
      busy: this.busy,
    };
  }
}
