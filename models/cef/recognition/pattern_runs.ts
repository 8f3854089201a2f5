/**
 * The runs of one pattern over a stream, one set per partition: what every automaton model
 * (deterministic, per-start runs, registers) offers the stream recognizer.
 *
 * @module
 */

import type { StreamEvent } from "../../../core/events.ts";

/** A pattern's runs, by partition value. */
export interface PatternRuns {
  /** Advances partition `key` by `event`; how many matches it completed. */
  step(event: StreamEvent, key: string): number;
  /** Drops the partial matches of partition `key`: its runs start afresh. */
  reset(key: string): void;
}
