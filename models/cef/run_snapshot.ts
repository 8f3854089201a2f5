/**
 * The JSON snapshot of every partition's run over a compiled pattern: DFA state, 1-based event
 * counter and recent minterms per partition, with the pattern text and the automaton's symbol and
 * state counts. The recognizer and the forecasters write and read the same shape, so runs move
 * between them (e.g. across a model swap).
 *
 * @module
 */

import { z } from "zod";
import type { CompiledPattern } from "./automaton/dfa.ts";

const count = z.number().int().nonnegative();
const runSnapshotSchema = z.object({
  key: z.string(),
  state: count,
  counter: count,
  recent: z.array(count),
});
const recognizerSnapshotSchema = z.object({
  source: z.string(),
  symbolCount: count,
  stateCount: count,
  runs: z.array(runSnapshotSchema),
});

/** One partition's run state in a snapshot; `recent` is most recent first. */
export type RunSnapshot = z.infer<typeof runSnapshotSchema>;

/**
 * Every partition's run state, as plain JSON, with the pattern text and the symbol and state
 * counts of the automaton the states belong to.
 */
export type RecognizerSnapshot = z.infer<typeof recognizerSnapshotSchema>;

/** The snapshot of `runs` over `pattern`. */
export function snapshotOf(pattern: CompiledPattern, runs: RunSnapshot[]): RecognizerSnapshot {
  const { source, dfa } = pattern;
  return { source, symbolCount: dfa.symbolCount, stateCount: dfa.stateCount, runs };
}

/**
 * Checks a snapshot's shape and that it belongs to `pattern` (same pattern text, symbol and state
 * counts, states and symbols in range).
 */
export function parseSnapshot(value: unknown, pattern: CompiledPattern): RecognizerSnapshot {
  const parsed = recognizerSnapshotSchema.safeParse(value);
  if (!parsed.success) {
    throw new TypeError(`snapshot is malformed: ${z.prettifyError(parsed.error)}`);
  }
  const snapshot = parsed.data;
  const { source, dfa } = pattern;
  if (
    snapshot.source !== source || snapshot.symbolCount !== dfa.symbolCount ||
    snapshot.stateCount !== dfa.stateCount
  ) {
    throw new RangeError(
      `snapshot belongs to another automaton: current value is ${snapshot.stateCount} states x ${snapshot.symbolCount} symbols of ${
        JSON.stringify(snapshot.source)
      }`,
    );
  }
  for (const run of snapshot.runs) checkRun(run, dfa.stateCount, dfa.symbolCount);
  return snapshot;
}

function checkRun(run: RunSnapshot, stateCount: number, symbolCount: number): void {
  const where = `run of partition ${JSON.stringify(run.key)}`;
  if (run.state >= stateCount) {
    throw new RangeError(
      `${where}: state must be an integer in [0, ${stateCount}): current value is ${run.state}`,
    );
  }
  const bad = run.recent.find((s) => s >= symbolCount);
  if (bad !== undefined) {
    throw new RangeError(
      `${where}: recent symbols must be integers in [0, ${symbolCount}): current value is ${bad}`,
    );
  }
}
