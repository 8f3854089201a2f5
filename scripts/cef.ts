/**
 * `deno task cef`: train, test and run the native CEF model on a stream file.
 *
 *   train     learn a model from a stream and write its artifact
 *   test      forecast a stream with a model and print the scores
 *   forecast  forecast a stream with a model, one JSON forecast per line
 *   recognize find a pattern file's matches in a Wayeb stream file, as Wayeb's `recognition`
 *
 * Bad arguments exit with status 2 and a message naming the argument; a failure while running
 * (unreadable file, bad pattern or artifact) exits with status 1.
 *
 * @module
 */

import { parseArgs } from "node:util";
import type { HyperParameters } from "../core/hyper_parameters.ts";
import type { StreamEvent } from "../core/events.ts";
import { CliError } from "../config/cli_args.ts";
import type { ForecastSettings } from "../models/model.ts";
import { OnlineScorer } from "../models/online_scorer.ts";
import {
  BUILTIN_SOURCES,
  parseSourceSpec,
  type RejectedLine,
  type SourceSpec,
  streamEvents,
} from "../models/sources/read.ts";
import { type CefArtifact, parseCefArtifact } from "../models/cef/artifact.ts";
import type { ForecastMode } from "../models/cef/forecast/forecast_table.ts";
import { DEFAULT_CUTOFF } from "../models/cef/forecast/waiting_time.ts";
import { CefModel } from "../models/cef/model.ts";
import { wayebPredicates } from "../models/cef/predicates/wayeb_home.ts";
import {
  COUNT_POLICIES,
  type CountPolicy,
  FSM_MODELS,
  type FsmModel,
} from "../models/cef/recognition/recognition_options.ts";
import { StreamRecognizer } from "../models/cef/recognition/stream_recognizer.ts";
import { parseWayebStream, type WayebDomain } from "../models/sources/wayeb_stream.ts";
import { runWayebCommand, WAYEB_COMMANDS } from "./cef/wayeb_commands.ts";
import { readText } from "./cef/read_text.ts";

/** Where the CLI writes: `out` for results, `err` for messages. */
export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const DOMAINS = [...Object.keys(BUILTIN_SOURCES), "csv", "jsonl"];

const STREAM_OPTIONS = {
  stream: { type: "string" },
  domain: { type: "string" },
  mapping: { type: "string" },
} as const;

const FORECAST_OPTIONS = {
  model: { type: "string" },
  ...STREAM_OPTIONS,
  threshold: { type: "string" },
  horizon: { type: "string" },
  "max-spread": { type: "string" },
  classify: { type: "string" },
  argmax: { type: "boolean" },
  convention: { type: "string" },
  cutoff: { type: "string" },
} as const;

const COMMAND_OPTIONS = {
  train: {
    pattern: { type: "string" },
    declarations: { type: "string" },
    ...STREAM_OPTIONS,
    out: { type: "string" },
    kind: { type: "string" },
    order: { type: "string" },
    pmin: { type: "string" },
    gamma: { type: "string" },
    alpha: { type: "string" },
    r: { type: "string" },
    threshold: { type: "string" },
  },
  test: { ...FORECAST_OPTIONS, json: { type: "boolean" } },
  forecast: FORECAST_OPTIONS,
  recognize: {
    pattern: { type: "string" },
    declarations: { type: "string" },
    stream: { type: "string" },
    "domain-specific-stream": { type: "string" },
    "fsm-model": { type: "string" },
    "count-policy": { type: "string" },
    reset: { type: "boolean" },
    compat: { type: "string" },
    "wayeb-home": { type: "string" },
  },
} as const;

type Command = keyof typeof COMMAND_OPTIONS;

/** Runs the CLI on `args` (after the script name); resolves to the exit status. */
export async function runCli(args: readonly string[], output: CliOutput): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === undefined || command === "help" || command === "--help" || command === "-h") {
      output.out(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (WAYEB_COMMANDS.includes(command)) {
      if (rest.includes("--help") || rest.includes("-h")) {
        output.out(`${USAGE}\n`);
        return 0;
      }
      await runWayebCommand(command, rest, output);
      return 0;
    }
    if (!(command in COMMAND_OPTIONS)) {
      throw new CliError(
        `command must be one of train, test, forecast, recognize or Wayeb's ${
          WAYEB_COMMANDS.join(", ")
        }: current value is '${command}'`,
      );
    }
    const values = parseOptions(command as Command, rest);
    if (values === null) {
      output.out(`${USAGE}\n`);
      return 0;
    }
    if (command === "train") await train(values, output);
    else if (command === "recognize") await recognize(values, output);
    else await forecastStream(command as "test" | "forecast", values, output);
    return 0;
  } catch (error) {
    // A reader that stops early (`| head`) is not a failure.
    if (error instanceof Deno.errors.BrokenPipe) return 0;
    const message = error instanceof Error ? error.message : String(error);
    output.err(`cef: ${message}\n`);
    if (error instanceof CliError) {
      output.err("run with --help for usage\n");
      return error.exitCode;
    }
    return 1;
  }
}

type Values = Record<string, string | boolean | undefined>;

/** The command's options, or null when help was asked for. */
function parseOptions(command: Command, args: readonly string[]): Values | null {
  try {
    const { values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: { ...COMMAND_OPTIONS[command], help: { type: "boolean", short: "h" } },
    });
    return values.help ? null : (values as Values);
  } catch (error) {
    throw new CliError(`${command}: ${error instanceof Error ? error.message : error}`);
  }
}

async function train(values: Values, output: CliOutput): Promise<void> {
  const kind = oneOf("--kind", values.kind ?? "pst", ["pst", "markov"]) as "pst" | "markov";
  const params: HyperParameters = {
    order: integer("--order", values.order ?? "2", 1, 5),
    threshold: number("--threshold", values.threshold ?? "0.5", 0, 1),
    pMin: number("--pmin", values.pmin ?? "0.001", 0, 1),
    gamma: number("--gamma", values.gamma ?? "0.001", 0, 1),
    alpha: number("--alpha", values.alpha ?? "0", 0, Infinity),
    r: number("--r", values.r ?? "1.05", 1, Infinity),
  };
  const source = sourceOf(values);
  const streamPath = required("--stream", values.stream);
  const outPath = required("--out", values.out);
  const pattern = await readText("--pattern", required("--pattern", values.pattern));
  const declarations = values.declarations === undefined
    ? undefined
    : await readText("--declarations", values.declarations as string);

  const model = new CefModel({ kind, pattern, declarations });
  const events: StreamEvent[] = [];
  const rejected = await readStream(streamPath, source, (event) => events.push(event));
  reportRejected(rejected, output);
  const artifact = await model.train(events, params);
  await Deno.writeTextFile(outPath, JSON.stringify(artifact));
  const size = artifact.kind === "pst"
    ? `${artifact.tree.nodes.length} tree nodes`
    : `${artifact.matrix.rows.length} observed states`;
  output.out(
    `trained a ${kind} model of order ${params.order} on ${artifact.trainedOn.events} events in ${
      plural(artifact.trainedOn.partitions, "partition")
    }${refusedNote(artifact.trainedOn.refused)}: ${size}; wrote ${outPath}\n`,
  );
}

async function forecastStream(
  command: "test" | "forecast",
  values: Values,
  output: CliOutput,
): Promise<void> {
  const modelPath = required("--model", values.model);
  const source = sourceOf(values);
  const streamPath = required("--stream", values.stream);
  const horizon = integer("--horizon", values.horizon ?? "200", 1, Infinity);
  const maxSpread = integer("--max-spread", values["max-spread"] ?? "200", 0, Infinity);
  const cutoff = number("--cutoff", values.cutoff ?? String(DEFAULT_CUTOFF), 0, 1);
  if (values.classify !== undefined && values.argmax) {
    throw new CliError("--classify and --argmax exclude each other: pick one forecast method");
  }
  const mode: ForecastMode = values.classify !== undefined
    ? { kind: "classification", within: integer("--classify", values.classify, 1, horizon) }
    : { kind: values.argmax ? "argmax" : "interval" };
  const convention = oneOf("--convention", values.convention ?? "retune", ["retune", "wayeb"]) as
    | "retune"
    | "wayeb";
  const threshold = values.threshold === undefined
    ? undefined
    : number("--threshold", values.threshold, 0, 1);

  const artifact = await readArtifact(modelPath);
  const settings: ForecastSettings = {
    threshold: threshold ?? artifact.params.threshold,
    horizon,
    maxSpread,
  };
  const model = new CefModel({
    kind: artifact.kind,
    pattern: artifact.pattern,
    declarations: artifact.declarations ?? undefined,
    forecast: { mode, cutoff, convention },
  });
  const forecaster = await model.load(artifact, settings, 0);
  const scorer = new OnlineScorer();
  const lines = new LineBuffer(output);
  const rejected = await readStream(streamPath, source, (event) => {
    const step = forecaster.process(event);
    if (command === "forecast") lines.push(JSON.stringify(step.forecast));
    else scorer.observe(event.key, step);
  });
  lines.flush();
  reportRejected(rejected, output);
  if (command === "forecast") return;

  scorer.flush();
  const metrics = scorer.metrics();
  if (values.json) {
    output.out(`${JSON.stringify({ ...metrics, ...settings, rejected: rejected.length })}\n`);
    return;
  }
  const rows: [string, string | number][] = [
    ["events", metrics.events],
    ["matches", metrics.matches],
    ["forecasts", metrics.forecasts],
    ["tp / tn / fp / fn", `${metrics.tp} / ${metrics.tn} / ${metrics.fp} / ${metrics.fn}`],
    ["precision", metrics.precision.toFixed(4)],
    ["recall", metrics.recall.toFixed(4)],
    ["f1", metrics.f1.toFixed(4)],
    ["specificity", metrics.specificity.toFixed(4)],
    ["mcc", metrics.mcc.toFixed(4)],
    ["mean spread", metrics.spread.toFixed(2)],
    ["mean distance", metrics.distance.toFixed(2)],
  ];
  output.out(rows.map(([name, value]) => `${name.padEnd(18)} ${value}`).join("\n") + "\n");
}

/**
 * Prints one JSON line per match, `{"line", "timestamp"}` (the 1-based line of the completing
 * event and its timestamp as written; a line twice for two matches), then the totals on stderr.
 */
async function recognize(values: Values, output: CliOutput): Promise<void> {
  const pattern = await readText("--pattern", required("--pattern", values.pattern));
  const declarations = values.declarations === undefined
    ? undefined
    : await readText("--declarations", values.declarations as string);
  const domain = values["domain-specific-stream"] === undefined
    ? "csv"
    : oneOf("--domain-specific-stream", values["domain-specific-stream"], ["maritime"]);
  const recognizer = new StreamRecognizer(pattern, {
    declarations,
    fsmModel: oneOf("--fsm-model", values["fsm-model"] ?? "dsfa", FSM_MODELS) as FsmModel,
    countPolicy: oneOf(
      "--count-policy",
      values["count-policy"] ?? "nonoverlap",
      COUNT_POLICIES,
    ) as CountPolicy,
    reset: values.reset === true,
    compat: values.compat === undefined
      ? undefined
      : oneOf("--compat", values.compat, ["wayeb"]) as "wayeb",
    predicates: wayebPredicates(values["wayeb-home"] as string | undefined),
  });
  const streamPath = required("--stream", values.stream);
  const rows = parseWayebStream(await readText("--stream", streamPath), domain as WayebDomain);
  const lines = new LineBuffer(output);
  let matches = 0;
  rows.forEach((row, index) => {
    if (row.kind === "reset") return recognizer.reset(row.attributes);
    let completed: number;
    try {
      completed = recognizer.step(row.event);
    } catch (error) {
      throw new Error(`line ${index + 1}: ${(error as Error).message}`);
    }
    const match = JSON.stringify({ line: index + 1, timestamp: row.event.attributes.Timestamp });
    for (let n = 0; n < completed; n++) lines.push(match);
    matches += completed;
  });
  lines.flush();
  output.err(`stream size: ${rows.length} rows; matches: ${matches}\n`);
}

/** Feeds every event of the file to `onEvent`; returns the lines that were not events. */
async function readStream(
  path: string,
  source: SourceSpec,
  onEvent: (event: StreamEvent) => void,
): Promise<RejectedLine[]> {
  const rejected: RejectedLine[] = [];
  try {
    for await (const event of streamEvents(path, source, (bad) => rejected.push(bad))) {
      onEvent(event);
    }
  } catch (error) {
    if (error instanceof Error && "code" in error && error.code === "ENOENT") {
      throw new CliError(`--stream must name an existing file: '${path}' was not found`);
    }
    throw error;
  }
  return rejected;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function reportRejected(rejected: readonly RejectedLine[], output: CliOutput): void {
  if (rejected.length === 0) return;
  const { line, reason } = rejected[0];
  output.err(
    `cef: ${plural(rejected.length, "line")} not read as events (first: line ${line}: ${reason})\n`,
  );
}

async function readArtifact(path: string): Promise<CefArtifact> {
  const text = await readText("--model", path);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`--model '${path}' is not JSON: ${(error as Error).message}`);
  }
  return parseCefArtifact(value);
}

/** The source mapping: a built-in domain, or csv/jsonl with a JSON mapping file. */
function sourceOf(values: Values): SourceSpec {
  const domain = oneOf("--domain", required("--domain", values.domain), DOMAINS);
  const builtin = BUILTIN_SOURCES[domain];
  if (builtin !== undefined) {
    if (values.mapping !== undefined) {
      throw new CliError(`--mapping is only for the csv and jsonl domains, not '${domain}'`);
    }
    return builtin;
  }
  const mappingPath = required(`--mapping (with --domain ${domain})`, values.mapping);
  let mapping: unknown;
  try {
    mapping = JSON.parse(Deno.readTextFileSync(mappingPath));
  } catch (error) {
    throw new CliError(
      `--mapping must be a readable JSON file: '${mappingPath}': ${(error as Error).message}`,
    );
  }
  try {
    return parseSourceSpec({ ...(mapping as object), format: domain });
  } catch (error) {
    throw new CliError(`--mapping '${mappingPath}': ${(error as Error).message}`);
  }
}

function required(flag: string, value: string | boolean | undefined): string {
  if (typeof value !== "string" || value === "") throw new CliError(`${flag} is required`);
  return value;
}

function oneOf(flag: string, value: string | boolean, choices: readonly string[]): string {
  if (typeof value !== "string" || !choices.includes(value)) {
    throw new CliError(`${flag} must be one of ${choices.join(", ")}: current value is '${value}'`);
  }
  return value;
}

function number(flag: string, text: string | boolean, min: number, max: number): number {
  const value = typeof text === "string" && text.trim() !== "" ? Number(text) : NaN;
  if (!(value >= min && value <= max)) {
    throw new CliError(`${flag} must be a number in [${min}, ${max}]: current value is '${text}'`);
  }
  return value;
}

function integer(flag: string, text: string | boolean, min: number, max: number): number {
  const value = typeof text === "string" && text.trim() !== "" ? Number(text) : NaN;
  if (!(Number.isInteger(value) && value >= min && value <= max)) {
    throw new CliError(
      `${flag} must be an integer in [${min}, ${max}]: current value is '${text}'`,
    );
  }
  return value;
}

/** Collects output lines and writes them in large chunks. */
class LineBuffer {
  readonly #output: CliOutput;
  #lines: string[] = [];

  constructor(output: CliOutput) {
    this.#output = output;
  }

  push(line: string): void {
    this.#lines.push(line);
    if (this.#lines.length >= 4_096) this.flush();
  }

  flush(): void {
    if (this.#lines.length === 0) return;
    this.#output.out(this.#lines.join("\n") + "\n");
    this.#lines = [];
  }
}

const USAGE = `Usage: deno task cef <command> [options]

Commands:
  train     learn a model from a stream and write its artifact
  test      forecast a stream with a model and print the scores
  forecast  forecast a stream with a model, one JSON forecast per line
  recognize find a pattern file's matches in a Wayeb stream, as Wayeb's recognition command
  compile, recognition, learnSPST, mle, forecasting
            Wayeb's own commands and --name:value options (see scripts/cef/wayeb_commands.ts)

Stream options (train, test, forecast):
  --stream <file>        events to read
  --domain <name>        ${DOMAINS.join(" | ")}
  --mapping <file>       JSON source mapping (key, timestamp, fields), for csv and jsonl

train:
  --pattern <file>       pattern (Wayeb syntax)          --declarations <file>  extra predicates
  --out <file>           artifact to write               --kind pst | markov (default pst)
  --order <m>            1..5 (default 2)                --pmin <x>   (default 0.001)
  --gamma <x>            (default 0.001)                 --alpha <x>  (default 0)
  --r <x>                (default 1.05)                  --threshold <x> stored with the model (0.5)

test, forecast:
  --model <file>         artifact from train
  --threshold <x>        confidence threshold in [0, 1] (default: the model's)
  --horizon <n>          look-ahead in events (default 200)
  --max-spread <n>       widest interval emitted (default 200)
  --classify <k>         forecast "a match within the next k events" instead of intervals
  --argmax               intervals grown around the most likely point (Wayeb's argmax)
  --convention <c>       retune (a forecast on every event) | wayeb (as Wayeb prints them)
  --cutoff <x>           drop waiting-time paths below this probability (default ${DEFAULT_CUTOFF})
  --json                 (test) print one JSON object

recognize (prints {"line","timestamp"} per match; patterns may be joined by '&'):
  --pattern <file>       --declarations <file>           --stream <file> (type,timestamp lines)
  --domain-specific-stream maritime                      Wayeb's maritime layout
  --fsm-model <m>        dsfa | nsfa | nsra | dsra (default dsfa)
  --count-policy <p>     nonoverlap | overlap (default nonoverlap)
  --reset                a match restarts the pattern's runs of its partition
  --compat wayeb         reproduce Wayeb's defects (see README)
  --wayeb-home <dir>     Wayeb's home folder, for HeadingTowardsPredicate(FishingArea)

Examples:
  deno task cef train --pattern deploy/examples/maritime/port_entering.pattern \\
    --declarations deploy/examples/maritime/port_entering.declarations \\
    --stream deploy/examples/maritime/vessel_227592820.csv --domain maritime --out model.json
  deno task cef test --model model.json --stream deploy/examples/maritime/vessel_227592820.csv \\
    --domain maritime --json`;

/** Writes all of `text` to a synchronous writer. */
function writeAll(writer: { writeSync(bytes: Uint8Array): number }, text: string): void {
  const bytes = new TextEncoder().encode(text);
  let written = 0;
  while (written < bytes.length) written += writer.writeSync(bytes.subarray(written));
}

if (import.meta.main) {
  const status = await runCli(Deno.args, {
    out: (text) => writeAll(Deno.stdout, text),
    err: (text) => writeAll(Deno.stderr, text),
  });
  Deno.exit(status);
}

function refusedNote(refused: number): string {
  return refused === 0
    ? ""
    : ` (${plural(refused, "event")} left out: they lack an attribute the pattern reads)`;
}
