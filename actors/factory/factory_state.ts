/**
 * The factory's state: the newest assembled dataset, the optimisation runs it serves and the
 * models it shipped, which a restart keeps, apart from the read-only view it reports.
 *
 * @module
 */

import { z } from "zod";
import type { ModelVersion } from "../../core/versions.ts";
import type { FactoryCommand } from "../../protocol/messages.ts";
import {
  countSchema as count,
  hyperParametersSchema,
  parseSnapshot,
  scoresSchema,
} from "../role_snapshot.ts";

const datasetSchema = z.strictObject({
  version: count,
  uri: z.string().min(1),
  events: count,
  /** A run's: its candidates are tested on the events from this stream time on (epoch ms). */
  since: z.number().int().nullable().optional(),
});

const requestId = z.string().min(1);
const runId = z.string().min(1);
const deadline = z.number();
/** How the live model fared in service (`LiveScore`); absent in commands kept before it. */
const liveScore = {
  liveVersion: z.number().int().nullable().optional(),
  liveMcc: z.number().nullable().optional(),
};

/** `FactoryCommand` as a snapshot holds it. */
const commandSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("train"),
    requestId,
    params: hyperParametersSchema,
    deadline,
    datasetVersion: z.number().int().nullable().optional(),
    ...liveScore,
  }),
  z.strictObject({
    kind: z.literal("opt_init"),
    requestId,
    runId,
    deadline,
    since: z.number().int().nullable().optional(),
  }),
  z.strictObject({
    kind: z.literal("opt_step"),
    requestId,
    runId,
    stepId: z.number().int(),
    params: hyperParametersSchema,
    deadline,
  }),
  z.strictObject({
    kind: z.literal("opt_finalise"),
    requestId,
    runId,
    params: hyperParametersSchema,
    deadline,
    ...liveScore,
  }),
  z.strictObject({ kind: z.literal("opt_abort"), requestId, runId, reason: z.string() }),
]);

const factorySnapshotSchema = z.strictObject({
  latest: datasetSchema.nullable(),
  scheduled: datasetSchema.nullable().optional(),
  runs: z.array(z.strictObject({ runId: z.string().min(1), dataset: datasetSchema })),
  /** Absent in snapshots written before commands were kept. */
  accepted: z.array(commandSchema).optional(),
  datasetsAssembled: count,
  datasetsDeleted: count,
  candidatesEvaluated: count,
  modelsShipped: z.array(z.strictObject({
    version: count,
    artifactUri: z.string().min(1),
    creationMethod: z.enum(["initial", "retrain", "optimise"]),
    params: hyperParametersSchema,
    metrics: scoresSchema,
    splitScores: z.array(scoresSchema).optional(),
    /** -1: the initial model, trained on the offline stream. */
    datasetVersion: z.number().int().min(-1),
    productionMs: z.number().nonnegative(),
    createdAt: z.number(),
    requestId: z.string().min(1).nullable().optional(),
    recalledFrom: count.nullable().optional(),
    trainedUntil: z.number().nullable().optional(),
  })),
  /** Absent in snapshots written before `factory.gate`. */
  liveKept: count.optional(),
});

/**
 * What survives a factory restart:
 * - `latest`: the newest assembled dataset, which retrains use (without it a restarted factory
 *   could not retrain until the next assembly);
 * - `scheduled`: the newest dataset a schedule tick made, kept aside for its retrain (a newer
 *   regular version must not replace it meanwhile) until the next tick's replaces it;
 * - `runs`: the optimisation runs under way and the dataset each froze, so a restarted factory
 *   goes on serving their steps and ends their freezes when the optimiser finishes or aborts;
 * - `accepted`: the commands taken from the commands topic and not yet answered. Their offsets are
 *   committed as soon as they are taken (commands run beside the mailbox), so this is what lets a
 *   successor answer a step, a retrain or a finalisation its predecessor died serving, instead of
 *   leaving the optimiser to wait out its deadline;
 * - the totals (`liveKept`: new models not shipped, the live one being better) and
 *   `modelsShipped` (one per model), which the run's summary lists.
 * An assembly under way is not kept: the ledger names it, and a successor assembles it anew.
 */
export type FactorySnapshot = z.infer<typeof factorySnapshotSchema>;

/** An assembled dataset the factory holds. */
export type Dataset = z.infer<typeof datasetSchema>;

/** What the factory reports. */
export interface FactoryView {
  datasetsAssembled: number;
  datasetsDeleted: number;
  candidatesEvaluated: number;
  /** Retrains and optimisations whose new model was not shipped: the live one was better. */
  liveKept: number;
  modelsShipped: readonly Readonly<ModelVersion>[];
  /** Version of the newest assembled dataset (null before the first). */
  latestDataset: number | null;
  /** Version of the dataset the newest schedule tick made (null when none is held). */
  scheduledDataset: number | null;
  /** Optimisation runs under way. */
  runs: number;
  /** Commands taken and not yet answered. */
  commandsAccepted: number;
  /** Candidates from the work topic this process tested (`factory.distribute`), since it started. */
  candidateJobsRun: number;
}

/** The factory's own state; only the factory changes it. */
export class FactoryState {
  /** The newest assembled dataset; retrains use it. */
  latest: Dataset | null = null;
  /** The newest dataset a schedule tick made, until the next tick's replaces it. */
  scheduled: Dataset | null = null;
  /** Running optimisations by id: the dataset each froze. */
  readonly runs = new Map<string, Dataset>();
  /** Commands taken and not yet answered, by request id. */
  readonly accepted = new Map<string, FactoryCommand>();
  datasetsAssembled = 0;
  datasetsDeleted = 0;
  candidatesEvaluated = 0;
  liveKept = 0;
  readonly modelsShipped: Readonly<ModelVersion>[] = [];
  /** Per process: which process tests a candidate is of no concern to a successor. */
  candidateJobsRun = 0;

  /** A state restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): FactoryState {
    const data = parseSnapshot("factory", factorySnapshotSchema, snapshot);
    const state = new FactoryState();
    state.latest = data.latest;
    state.scheduled = data.scheduled ?? null;
    for (const run of data.runs) state.runs.set(run.runId, run.dataset);
    for (const command of data.accepted ?? []) state.accepted.set(command.requestId, command);
    state.datasetsAssembled = data.datasetsAssembled;
    state.datasetsDeleted = data.datasetsDeleted;
    state.candidatesEvaluated = data.candidatesEvaluated;
    state.liveKept = data.liveKept ?? 0;
    state.modelsShipped.push(...data.modelsShipped.map((model) => Object.freeze(model)));
    return state;
  }

  /** What a restart keeps, as plain data. */
  snapshot(): FactorySnapshot {
    return structuredClone({
      latest: this.latest,
      scheduled: this.scheduled,
      runs: [...this.runs].map(([runId, dataset]) => ({ runId, dataset })),
      accepted: [...this.accepted.values()],
      datasetsAssembled: this.datasetsAssembled,
      datasetsDeleted: this.datasetsDeleted,
      candidatesEvaluated: this.candidatesEvaluated,
      liveKept: this.liveKept,
      modelsShipped: [...this.modelsShipped],
    });
  }

  /** A copy of what the factory reports. */
  view(): Readonly<FactoryView> {
    return {
      datasetsAssembled: this.datasetsAssembled,
      datasetsDeleted: this.datasetsDeleted,
      candidatesEvaluated: this.candidatesEvaluated,
      liveKept: this.liveKept,
      modelsShipped: [...this.modelsShipped],
      latestDataset: this.latest?.version ?? null,
      scheduledDataset: this.scheduled?.version ?? null,
      runs: this.runs.size,
      candidateJobsRun: this.candidateJobsRun,
      commandsAccepted: this.accepted.size,
    };
  }
}
