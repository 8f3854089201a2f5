/**
 * `deno run --allow-write scripts/generate_drift.ts --out FILE --events N [options]`: writes a
 * seeded drifting stream (`drift_stream.ts`) as CSV rows `type,timestamp,key` (no header,
 * timestamps in epoch ms) or JSON lines, and prints each regime's event range and match count.
 *
 * @module
 */

import { parseArgs } from "node:util";
import {
  checkDriftStreamOptions,
  DEFAULT_REGIME_ORDER,
  driftStream,
  type DriftStreamOptions,
  REGIMES,
  toCsvRow,
  toJsonLine,
} from "./drift_stream.ts";

/** A parsed command line: where to write, in which format, and what to generate. */
export interface GenerateCommand {
  out: string;
  format: "csv" | "jsonl";
  options: DriftStreamOptions;
}

/** What was written, per regime segment. */
export interface SegmentSummary {
  regime: string;
  firstEvent: number;
  events: number;
  matches: number;
}

/** The help text. */
export function usage(): string {
  return `Usage: deno run --allow-write scripts/generate_drift.ts --out FILE --events N [options]

Writes a seeded synthetic stream over the event types A..E whose regime changes at the drift
points, for the pattern ;(IsEventTypePredicate(A),IsEventTypePredicate(B),IsEventTypePredicate(C)).

Options:
  --out FILE          file to write (required)
  --events N          events in the stream (required)
  --keys K            partition keys k0..k(K-1), taking turns (default 1)
  --seed S            generator seed (default 1)
  --drift-at F,...    drift points as increasing fractions of the stream (default 0.5;
                      --drift-at= for none)
  --regimes R,...     one regime per segment, from ${Object.keys(REGIMES).join(", ")}
                      (default: ${DEFAULT_REGIME_ORDER.join(", ")}, in turn)
  --step-ms MS        stream time between two events of a key (default 1000)
  --start-ms MS       stream time of each key's first event, epoch ms (default 0)
  --transition F      share of the stream each drift is spread over, in [0, 1) (default 0:
                      sudden; the old regime's share falls linearly to 0 across it)
  --format F          csv (type,timestamp,key) or jsonl (default csv)
  -h, --help          show this text`;
}

/** Parses the arguments after the script name; null means help was asked for. */
export function parseGenerateArgs(args: readonly string[]): GenerateCommand | null {
  const { values } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: false,
    options: {
      out: { type: "string" },
      events: { type: "string" },
      keys: { type: "string", default: "1" },
      seed: { type: "string", default: "1" },
      "drift-at": { type: "string", default: "0.5" },
      regimes: { type: "string" },
      "step-ms": { type: "string", default: "1000" },
      "start-ms": { type: "string", default: "0" },
      transition: { type: "string", default: "0" },
      format: { type: "string", default: "csv" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return null;
  if (values.out === undefined || values.out === "") {
    throw new RangeError("--out must name the file to write: current value is missing");
  }
  if (values.events === undefined) {
    throw new RangeError("--events must be given: current value is missing");
  }
  const format = values.format;
  if (format !== "csv" && format !== "jsonl") {
    throw new RangeError(`--format must be csv or jsonl: current value is ${format}`);
  }
  const driftAt = values["drift-at"] === ""
    ? []
    : values["drift-at"].split(",").map((f) => number("--drift-at", f));
  const names = values.regimes?.split(",") ??
    Array.from(
      { length: driftAt.length + 1 },
      (_, i) => DEFAULT_REGIME_ORDER[i % DEFAULT_REGIME_ORDER.length],
    );
  const regimes = names.map((name) => {
    const regime = REGIMES[name];
    if (regime === undefined) {
      throw new RangeError(
        `--regimes must name regimes among ${Object.keys(REGIMES).join(", ")}: current value ` +
          `is ${values.regimes}`,
      );
    }
    return regime;
  });
  const options: DriftStreamOptions = {
    events: number("--events", values.events),
    keys: number("--keys", values.keys),
    seed: number("--seed", values.seed),
    driftAt,
    regimes,
    stepMs: number("--step-ms", values["step-ms"]),
    startMs: number("--start-ms", values["start-ms"]),
    transition: number("--transition", values.transition),
  };
  checkDriftStreamOptions(options);
  return { out: values.out, format, options };
}

/** Lines written at a time. */
const WRITE_BATCH = 10_000;

/** Writes the stream to `command.out` and summarises it per regime segment. */
export async function generate(command: GenerateCommand): Promise<SegmentSummary[]> {
  const { options } = command;
  const line = command.format === "csv" ? toCsvRow : toJsonLine;
  const segments: SegmentSummary[] = [];
  const lastThree = new Map<string, string>();
  const file = await Deno.open(command.out, { write: true, create: true, truncate: true });
  const writer = file.writable.getWriter();
  const encoder = new TextEncoder();
  let lines: string[] = [];
  const flush = () => writer.write(encoder.encode(lines.map((l) => l + "\n").join("")));
  try {
    let index = 0;
    for (const { event, regime } of driftStream(options)) {
      segments[regime] ??= {
        regime: options.regimes[regime].name,
        firstEvent: index,
        events: 0,
        matches: 0,
      };
      index++;
      segments[regime].events++;
      const recent = ((lastThree.get(event.key) ?? "") + event.type).slice(-3);
      lastThree.set(event.key, recent);
      if (recent === "ABC") segments[regime].matches++;
      lines.push(line(event));
      if (lines.length === WRITE_BATCH) {
        await flush();
        lines = [];
      }
    }
    await flush();
  } finally {
    await writer.close();
  }
  return segments;
}

function number(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) {
    throw new RangeError(`${flag} must be a number: current value is '${text}'`);
  }
  return value;
}

/** Runs the command line; returns the exit status. */
export async function main(args: readonly string[]): Promise<number> {
  let command: GenerateCommand | null;
  try {
    command = parseGenerateArgs(args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : error} (see --help)`);
    return 2;
  }
  if (command === null) {
    console.log(usage());
    return 0;
  }
  const segments = await generate(command);
  for (const s of segments) {
    console.log(
      `${s.regime}: events ${s.firstEvent}..${s.firstEvent + s.events - 1}, ${s.matches} matches`,
    );
  }
  console.log(`wrote ${command.options.events} events to ${command.out}`);
  return 0;
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    Deno.exit(1);
  }
}
