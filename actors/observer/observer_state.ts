/**
 * The observer's state: its retrain policy's state, the instructions it sent and the reports it
 * read, which a restart keeps, apart from the read-only view it reports.
 *
 * @module
 */

import { z } from "zod";
import type { Instruction } from "../../protocol/messages.ts";
import type { RetrainPolicy } from "../../policies/retrain/retrain_policy.ts";
import { countSchema as count, parseSnapshot, SnapshotError } from "../role_snapshot.ts";
import { type MergeSnapshot, WindowMerge } from "./window_merge.ts";

const observerSnapshotSchema = z.strictObject({
  /** Checked by the policy itself, which alone knows its shape. */
  policy: z.unknown().refine((value) => value !== undefined, "the policy's state is missing"),
  reportsSeen: count,
  instructions: z.array(z.strictObject({
    action: z.enum(["train", "optimise"]),
    reason: z.string(),
    reportId: count,
    streamTime: z.number(),
    since: z.number().nullable().optional(),
    liveVersion: z.number().int().nullable().optional(),
    liveMcc: z.number().nullable().optional(),
  })),
  /** Checked by `WindowMerge.restore`; absent in a snapshot written before merging. */
  merge: z.unknown().optional(),
});

/**
 * What survives an observer restart:
 * - `policy`: the retrain policy's state (its window, reference score, detector, guard), since
 *   the reports it judged were committed and do not come again: without it a restarted observer
 *   would miss a decline that began before the restart, or retrain twice within one guard;
 * - `reportsSeen` and `instructions` (one per decision, each with the stream time of the report
 *   behind it), which the run's summary lists;
 * - `merge`: the merge of the partitions' window counts (`engine.reportBy: partition`, see
 *   `MergeSnapshot`), so a restart neither loses nor repeats a window.
 */
export type ObserverSnapshot = Omit<z.infer<typeof observerSnapshotSchema>, "merge"> & {
  merge?: MergeSnapshot;
};

/** An instruction the observer sent, with the stream time of its report. */
export type SentInstruction = Instruction & { streamTime: number };

/** What the observer reports. */
export type ObserverView = Omit<ObserverSnapshot, "policy" | "merge">;

/** The observer's own state; only the observer changes it. */
export class ObserverState {
  /** The retrain policy, whose state is part of the observer's. */
  readonly policy: RetrainPolicy;
  reportsSeen = 0;
  readonly instructions: Readonly<SentInstruction>[] = [];
  /** The merge of the partitions' window counts (used with `engine.reportBy: partition`). */
  merge = new WindowMerge();

  /** A fresh state around a fresh `policy`. */
  constructor(policy: RetrainPolicy) {
    this.policy = policy;
  }

  /**
   * A state around `policy` restored from `snapshot`; throws a `SnapshotError` naming a bad field
   * (the policy's own state included).
   */
  static restore(snapshot: unknown, policy: RetrainPolicy): ObserverState {
    const data = parseSnapshot("observer", observerSnapshotSchema, snapshot);
    try {
      policy.restore(data.policy);
    } catch (error) {
      throw new SnapshotError("observer", "policy", (error as Error).message);
    }
    const state = new ObserverState(policy);
    state.reportsSeen = data.reportsSeen;
    state.instructions.push(...data.instructions.map((sent) => Object.freeze(sent)));
    if (data.merge !== undefined) state.merge = WindowMerge.restore(data.merge);
    return state;
  }

  /** What a restart keeps, as plain data. */
  snapshot(): ObserverSnapshot {
    return {
      policy: this.policy.snapshot(),
      reportsSeen: this.reportsSeen,
      instructions: this.instructions.map((sent) => ({ ...sent })),
      merge: this.merge.snapshot(),
    };
  }

  /** A copy of what the observer reports. */
  view(): Readonly<ObserverView> {
    return { reportsSeen: this.reportsSeen, instructions: [...this.instructions] };
  }
}
