/**
 * The observer's state: the instructions it sent and the reports it read, which a restart keeps,
 * apart from the read-only view it reports.
 *
 * @module
 */

import { z } from "zod";
import type { Instruction } from "../../protocol/messages.ts";
import { countSchema as count, parseSnapshot } from "../role_snapshot.ts";

const observerSnapshotSchema = z.strictObject({
  reportsSeen: count,
  instructions: z.array(z.strictObject({
    action: z.enum(["train", "optimise"]),
    reason: z.string(),
    reportId: count,
    streamTime: z.number(),
  })),
});

/**
 * What survives an observer restart: how many reports it read and the instructions it sent (one
 * per decision, each with the stream time of the report behind it), which the run's summary
 * lists. The retrain policy's own state (its window, reference score, detector, guard) is not
 * kept yet, since the policies cannot snapshot it: a restarted observer's policy judges the
 * reports after the restart as a fresh one would.
 */
export type ObserverSnapshot = z.infer<typeof observerSnapshotSchema>;

/** An instruction the observer sent, with the stream time of its report. */
export type SentInstruction = Instruction & { streamTime: number };

/** What the observer reports. */
export type ObserverView = ObserverSnapshot;

/** The observer's own state; only the observer changes it. */
export class ObserverState {
  reportsSeen = 0;
  readonly instructions: Readonly<SentInstruction>[] = [];

  /** A state restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): ObserverState {
    const data = parseSnapshot("observer", observerSnapshotSchema, snapshot);
    const state = new ObserverState();
    state.reportsSeen = data.reportsSeen;
    state.instructions.push(...data.instructions.map((sent) => Object.freeze(sent)));
    return state;
  }

  /** What a restart keeps, as plain data. */
  snapshot(): ObserverSnapshot {
    return {
      reportsSeen: this.reportsSeen,
      instructions: this.instructions.map((sent) => ({ ...sent })),
    };
  }

  /** A copy of what the observer reports. */
  view(): Readonly<ObserverView> {
    return { reportsSeen: this.reportsSeen, instructions: [...this.instructions] };
  }
}
