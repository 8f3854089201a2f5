/**
 * The replayer's state: where it is in which file, which a restart keeps so the successor resumes
 * instead of sending the file again, apart from the read-only view it reports.
 *
 * @module
 */

import { z } from "zod";
import { countSchema as count, parseSnapshot } from "../role_snapshot.ts";

const replayerSnapshotSchema = z.strictObject({
  file: z.string().min(1),
  rotateMonths: count,
  sent: count,
  rejected: count,
  lastRejectedLine: count,
  finished: z.boolean(),
});

/**
 * What survives a replayer restart, so the successor resumes where the last published slice
 * ended rather than re-sending the file:
 * - `file` and `rotateMonths`: which replay this is (a rotated stream is replayed in another
 *   order, so the position means something only for the same file and rotation);
 * - `sent`: events published, counted in replay order: the resume point (events are read in
 *   bounded memory in a worker, so an event count, not a byte offset, marks the place);
 * - `rejected` and `lastRejectedLine`: rows dead-lettered and the line of the last, so no bad row
 *   is dead-lettered twice;
 * - `finished`: the whole file was replayed; a successor sends nothing.
 */
export type ReplayerSnapshot = z.infer<typeof replayerSnapshotSchema>;

/** What the replayer reports. */
export type ReplayerView = ReplayerSnapshot;

/** The replayer's own state; only the replayer changes it. */
export class ReplayerState {
  readonly file: string;
  readonly rotateMonths: number;
  sent = 0;
  rejected = 0;
  lastRejectedLine = 0;
  finished = false;

  /** A fresh replay of `file` rotated by `rotateMonths` (0: none). */
  constructor(file: string, rotateMonths: number) {
    this.file = file;
    this.rotateMonths = rotateMonths;
  }

  /** A state restored from `snapshot`; throws a `SnapshotError` naming a bad field. */
  static restore(snapshot: unknown): ReplayerState {
    const data = parseSnapshot("replayer", replayerSnapshotSchema, snapshot);
    const state = new ReplayerState(data.file, data.rotateMonths);
    state.sent = data.sent;
    state.rejected = data.rejected;
    state.lastRejectedLine = data.lastRejectedLine;
    state.finished = data.finished;
    return state;
  }

  /** What a restart keeps, as plain data. */
  snapshot(): ReplayerSnapshot {
    return { ...this.view() };
  }

  /** A copy of what the replayer reports. */
  view(): Readonly<ReplayerView> {
    return {
      file: this.file,
      rotateMonths: this.rotateMonths,
      sent: this.sent,
      rejected: this.rejected,
      lastRejectedLine: this.lastRejectedLine,
      finished: this.finished,
    };
  }
}
