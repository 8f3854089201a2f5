/**
 * Reads a source file of events, line by line. Lines that are not events are never dropped
 * silently: each one is reported with its 1-based line number and the reason. Blank lines are
 * not rows and are skipped.
 *
 * @module
 */

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { StreamEvent } from "../../protocol/messages.ts";
import { createLineParser, type LineParser } from "./line_parser.ts";
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
  const input = createReadStream(path);
  const lines = createInterface({ input, crlfDelay: Infinity });
  let parse: LineParser | null = source.format === "csv" && source.header
    ? null
    : createLineParser(source);
  let number = 0;
  try {
    for await (const line of lines) {
      number++;
      if (parse === null) {
        parse = createLineParser(source, line);
        continue;
      }
      if (line.trim() === "") continue;
      const parsed = parse(line);
      if (parsed.ok) yield parsed.event;
      else onRejected({ line: number, reason: parsed.reason, text: line });
    }
  } finally {
    // Closing the interface leaves its input open when the caller stops early.
    lines.close();
    input.destroy();
  }
}
