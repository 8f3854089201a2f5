/**
 * Reads a source file of events, line by line. Lines that are not events are never dropped
 * silently: each one is reported with its 1-based line number and the reason. Blank lines are
 * not rows and are skipped.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";
import { createLineParser, type LineParser } from "./line_parser.ts";
import { DEFAULT_MAX_LINE_LENGTH, type LineChunkOptions, readLineChunks } from "./line_chunks.ts";
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
  /** The line as read, so it can be kept (e.g. in a dead letter): only its start when too long. */
  text: string;
  /** The whole line's length in characters: more than `text`'s when the line was too long. */
  length: number;
}

/** How lines are read: `maxLineLength` bounds a line (default `DEFAULT_MAX_LINE_LENGTH`). */
export type ReadOptions = LineChunkOptions;

/** Reads every event of the file; bad lines come back in `rejected`. */
export async function readEvents(
  path: string,
  source: SourceSpec,
  options: ReadOptions = {},
): Promise<{ events: StreamEvent[]; rejected: RejectedLine[] }> {
  const events: StreamEvent[] = [];
  const rejected: RejectedLine[] = [];
  for await (const event of streamEvents(path, source, (bad) => rejected.push(bad), options)) {
    events.push(event);
  }
  return { events, rejected };
}

/** Yields the file's events in order, calling `onRejected` for every line that is not one. */
export async function* streamEvents(
  path: string,
  source: SourceSpec,
  onRejected: (rejected: RejectedLine) => void,
  options: ReadOptions = {},
): AsyncGenerator<StreamEvent> {
  for await (const events of streamEventChunks(path, source, onRejected, options)) yield* events;
}

/**
 * Like `streamEvents`, a chunk of events at a time (never empty): cheaper for a caller that
 * handles events in batches anyway. A bad line is reported after the chunk of events before it.
 */
export async function* streamEventChunks(
  path: string,
  source: SourceSpec,
  onRejected: (rejected: RejectedLine) => void,
  options: ReadOptions = {},
): AsyncGenerator<StreamEvent[]> {
  let parse: LineParser | null = source.format === "csv" && source.header
    ? null
    : createLineParser(source);
  let number = 0;
  for await (const lines of readLineChunks(path, options)) {
    let events: StreamEvent[] = [];
    for (const line of lines) {
      number++;
      if (typeof line !== "string") {
        const limit = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
        const reason = `line is ${line.length} characters long, over the limit of ${limit}`;
        // Without its header no row of the file can be read: that is the file's fault, not a row's.
        if (parse === null) throw new RangeError(`${path}: header ${reason}`);
        if (events.length > 0) yield events;
        events = [];
        onRejected({ line: number, reason, text: line.head, length: line.length });
        continue;
      }
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
      onRejected({ line: number, reason: parsed.reason, text: line, length: line.length });
    }
    if (events.length > 0) yield events;
  }
}
