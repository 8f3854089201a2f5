/**
 * Reads a source file of events, line by line. Lines that are not events are never dropped
 * silently: each one is reported with its 1-based line number and the reason. Blank lines are
 * not rows and are skipped.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";
import { createLineParser, type LineParser } from "./line_parser.ts";
import { readLineChunks } from "./line_chunks.ts";
import type { SourceSpec } from "./spec.ts";

export { parseSourceSpec, type SourceSpec } from "./spec.ts";
export {
  BUILTIN_SOURCES,
  DEMO_ABC_SOURCE,
  MARITIME_SOURCE,
  RETUNE_JSONL_SOURCE,
} from "./builtin.ts";
export { createLineParser, type LineParser, type ParsedLine } from "./line_parser.ts";

/** A line that did not become an event. */
export interface RejectedLine {
  line: number;
  reason: string;
  /** The line as read, so it can be kept (e.g. in a dead letter). */
  text: string;
}

/** Reads every event of the file; bad lines come back in `rejected`. */
export async function readEvents(
  path: string,
  source: SourceSpec,
): Promise<{ events: StreamEvent[]; rejected: RejectedLine[] }> {
  const events: StreamEvent[] = [];
  const rejected: RejectedLine[] = [];
  for await (const event of streamEvents(path, source, (bad) => rejected.push(bad))) {
    events.push(event);
  }
  return { events, rejected };
}

/** Yields the file's events in order, calling `onRejected` for every line that is not one. */
export async function* streamEvents(
  path: string,
  source: SourceSpec,
  onRejected: (rejected: RejectedLine) => void,
): AsyncGenerator<StreamEvent> {
  for await (const events of streamEventChunks(path, source, onRejected)) yield* events;
}

/**
 * Like `streamEvents`, a chunk of events at a time (never empty): cheaper for a caller that
 * handles events in batches anyway. A bad line is reported after the chunk of events before it.
 */
export async function* streamEventChunks(
  path: string,
  source: SourceSpec,
  onRejected: (rejected: RejectedLine) => void,
): AsyncGenerator<StreamEvent[]> {
  let parse: LineParser | null = source.format === "csv" && source.header
    ? null
    : createLineParser(source);
  let number = 0;
  for await (const lines of readLineChunks(path)) {
    let events: StreamEvent[] = [];
    for (const line of lines) {
      number++;
      if (parse === null) {
        parse = createLineParser(source, line);
        continue;
      }
      if (line.trim() === "") continue;
      const parsed = parse(line);
      if (parsed.ok) {
        events.push(parsed.event);
        continue;
      }
      // The events before a bad line go out first, so rejects are reported in stream order.
      if (events.length > 0) yield events;
      events = [];
      onRejected({ line: number, reason: parsed.reason, text: line });
    }
    if (events.length > 0) yield events;
  }
}
