/**
 * Wayeb's own commands on Retune's engine, so a Wayeb user's scripts run with `deno task cef` in
 * place of `java -jar wayeb.jar`:
 *   compile      --patterns --outputFsm [--declarations --fsmModel --countPolicy]
 *   recognition  --fsm --stream [--statsFile --fsmModel --domainSpecificStream --reset]
 *   learnSPST    --patterns --stream --outputSpst [--declarations --domainSpecificStream
 *                --pMin --alpha --gammaMin --r]   (fractions allowed, unlike Wayeb)
 *   mle          --fsm --stream --outputMc [--domainSpecificStream]
 *   forecasting  --fsm --modelType vmm|fmm --stream [--mc --statsFile --threshold --maxSpread
 *                --horizon --foreMethod smart-scan|argmax|classify-nextk --domainSpecificStream]
 * The model order is the pattern's `{order:m}`, as in Wayeb. Output follows Wayeb's lines
 * (`MATCH: ...`, `PREDICTION@...`, `Matches No: N`) under Wayeb's forecasting convention; the
 * files written are Retune's own (JSON), not Wayeb's serialised objects.
 *
 * @module
 */

import type { StreamEvent } from "../../core/events.ts";
import { CliError } from "../../config/cli_args.ts";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import { type CefArtifact, parseCefArtifact } from "../../models/cef/artifact.ts";
import { CefModel } from "../../models/cef/model.ts";
import { parsePatterns } from "../../models/cef/pattern/parser.ts";
import {
  COUNT_POLICIES,
  type CountPolicy,
  FSM_MODELS,
  type FsmModel,
} from "../../models/cef/recognition/recognition_options.ts";
import { StreamRecognizer } from "../../models/cef/recognition/stream_recognizer.ts";
import {
  parseWayebStream,
  type WayebDomain,
  type WayebRow,
} from "../../models/sources/wayeb_stream.ts";
import { parseWayebOptions } from "./wayeb_options.ts";
import { readText } from "./read_text.ts";

/** Where a command writes: `out` for results, `err` for messages. */
export interface WayebOutput {
  out(text: string): void;
  err(text: string): void;
}

/** What `compile` writes: the pattern file and how to run it. */
interface CompiledFsm {
  readonly format: "retune.wayeb-fsm/1";
  readonly patterns: string;
  readonly declarations: string | null;
  readonly fsmModel: FsmModel;
  readonly countPolicy: CountPolicy;
}

const COMMANDS = {
  compile: ["patterns", "outputFsm", "declarations", "fsmModel", "countPolicy"],
  recognition: ["fsm", "stream", "statsFile", "fsmModel", "domainSpecificStream", "reset"],
  learnSPST: [
    "patterns",
    "stream",
    "outputSpst",
    "declarations",
    "domainSpecificStream",
    "fsmModel",
    "pMin",
    "alpha",
    "gammaMin",
    "r",
  ],
  mle: ["fsm", "stream", "outputMc", "domainSpecificStream"],
  forecasting: [
    "fsm",
    "mc",
    "modelType",
    "stream",
    "statsFile",
    "fsmModel",
    "threshold",
    "maxSpread",
    "horizon",
    "foreMethod",
    "domainSpecificStream",
  ],
} as const;

/** Wayeb's command names. */
export const WAYEB_COMMANDS: readonly string[] = Object.keys(COMMANDS);

/** Runs Wayeb's `command` with its `args`. */
export async function runWayebCommand(
  command: string,
  args: readonly string[],
  output: WayebOutput,
): Promise<void> {
  const known = COMMANDS[command as keyof typeof COMMANDS];
  if (known === undefined) throw new CliError(`unknown Wayeb command '${command}'`);
  const options = parseWayebOptions(command, args, known);
  const get = (name: string) => options.get(name);
  const need = (name: string) => {
    const value = options.get(name);
    if (value === undefined || value === "") {
      throw new CliError(`${command}: --${name} is required`);
    }
    return value;
  };
  switch (command) {
    case "compile":
      return await compile(need, get, output);
    case "recognition":
      return await recognition(need, get, output);
    case "learnSPST":
    case "mle":
      return await learn(command, need, get, output);
    default:
      return await forecasting(need, get, output);
  }
}

type Need = (name: string) => string;
type Get = (name: string) => string | undefined;

async function compile(need: Need, get: Get, output: WayebOutput): Promise<void> {
  const declarationsPath = get("declarations");
  const fsm: CompiledFsm = {
    format: "retune.wayeb-fsm/1",
    patterns: await readText("--patterns", need("patterns")),
    declarations: declarationsPath === undefined
      ? null
      : await readText("--declarations", declarationsPath),
    fsmModel: choice("--fsmModel", get("fsmModel") ?? "dsfa", FSM_MODELS),
    countPolicy: choice("--countPolicy", get("countPolicy") ?? "nonoverlap", COUNT_POLICIES),
  };
  // Compiling now reports a bad pattern here rather than at recognition.
  recognizerOf(fsm, false);
  await Deno.writeTextFile(need("outputFsm"), JSON.stringify(fsm));
  output.err(`compiled ${parsePatterns(fsm.patterns).length} pattern(s) as ${fsm.fsmModel}\n`);
}

async function recognition(need: Need, get: Get, output: WayebOutput): Promise<void> {
  const fsm = await readFsm(need("fsm"));
  const fsmModel = get("fsmModel");
  if (fsmModel !== undefined && fsmModel !== fsm.fsmModel) {
    throw new CliError(
      `--fsmModel must be the compiled one, ${fsm.fsmModel}: current value is '${fsmModel}'`,
    );
  }
  const reset = choice("--reset", get("reset") ?? "false", ["true", "false"] as const) === "true";
  const recognizer = recognizerOf(fsm, reset);
  const rows = await readRows(need("stream"), get("domainSpecificStream"));
  const started = performance.now();
  let matches = 0;
  const lines: string[] = [];
  rows.forEach((row, index) => {
    if (row.kind === "reset") return recognizer.reset(row.attributes);
    const completed = lineError(index, () => recognizer.step(row.event));
    for (let n = 0; n < completed; n++) {
      lines.push(`MATCH:  Timestamp->${row.event.attributes.Timestamp}`);
    }
    matches += completed;
  });
  lines.push(`Stream size: ${rows.length} events`, `Matches No: ${matches}`);
  output.out(lines.join("\n") + "\n");
  await appendStats(get("statsFile"), rows.length, performance.now() - started, matches);
}

async function learn(
  command: "learnSPST" | "mle",
  need: Need,
  get: Get,
  output: WayebOutput,
): Promise<void> {
  const vmm = command === "learnSPST";
  const source = vmm
    ? {
      patterns: await readText("--patterns", need("patterns")),
      declarations: get("declarations") === undefined
        ? null
        : await readText("--declarations", get("declarations")!),
    }
    : await readFsm(need("fsm"));
  const [pattern] = parsePatterns(source.patterns);
  const order = pattern.order ?? 0;
  const model = new CefModel({
    kind: vmm ? "pst" : "markov",
    pattern: source.patterns,
    declarations: source.declarations ?? undefined,
    compat: "wayeb",
  });
  const events = eventsOf(await readRows(need("stream"), get("domainSpecificStream")), model);
  const params: HyperParameters = {
    order,
    threshold: 0.5,
    pMin: fraction("--pMin", get("pMin") ?? "0.001"),
    alpha: fraction("--alpha", get("alpha") ?? "0", Infinity),
    gamma: fraction("--gammaMin", get("gammaMin") ?? "0.001"),
    r: fraction("--r", get("r") ?? "1.05", Infinity),
  };
  const artifact = await model.train(events, params);
  await Deno.writeTextFile(need(vmm ? "outputSpst" : "outputMc"), JSON.stringify(artifact));
  output.err(
    `learned a ${vmm ? "PST" : "Markov chain"} of order ${order} on ${events.length} events\n`,
  );
}

async function forecasting(need: Need, get: Get, output: WayebOutput): Promise<void> {
  const modelType = choice("--modelType", need("modelType"), ["vmm", "fmm"] as const);
  const artifact = modelType === "vmm"
    ? await readArtifact(need("fsm"))
    : await readArtifact(need("mc"));
  if (modelType === "fmm") await readFsm(need("fsm"));
  const method = choice(
    "--foreMethod",
    get("foreMethod") ?? "smart-scan",
    ["smart-scan", "argmax", "classify-nextk"] as const,
  );
  const horizon = whole("--horizon", get("horizon") ?? "200", 1);
  const maxSpread = whole("--maxSpread", get("maxSpread") ?? "200", 0);
  const classify = method === "classify-nextk";
  const model = new CefModel({
    kind: artifact.kind,
    pattern: artifact.pattern,
    declarations: artifact.declarations ?? undefined,
    compat: "wayeb",
    forecast: {
      mode: classify
        ? { kind: "classification", within: Math.min(Math.max(maxSpread, 1), horizon) }
        : { kind: method === "argmax" ? "argmax" : "interval" },
      convention: "wayeb",
    },
  });
  const forecaster = await model.load(artifact, {
    threshold: fraction("--threshold", get("threshold") ?? "0.5"),
    horizon,
    maxSpread,
  }, 0);
  const rows = await readRows(need("stream"), get("domainSpecificStream"));
  // Wayeb counts a PST run's events from its m-th event, where the run starts.
  const offset = artifact.kind === "pst" ? artifact.tree.order - 1 : 0;
  const started = performance.now();
  const lines: string[] = [];
  let matches = 0;
  for (const [index, event] of eventsOf(rows, model, true)) {
    const step = lineError(index, () => forecaster.process(event));
    if (step.detection) matches++;
    const f = step.forecast;
    if (f === null || !(classify || f.positive)) continue;
    lines.push(
      `PREDICTION@${event.attributes.Timestamp}:Attr->$|StartRelativeToNow->${
        f.start - f.counter
      }|EndRelativeToNow->${f.end - f.counter}|Prob->${f.probability}|StartRelativeToCounter->${
        f.start - offset
      }|EndRelativeToCounter->${f.end - offset}|Positive->${classify && f.positive}`,
    );
  }
  lines.push(`Stream size: ${rows.length} events`, `Matches No: ${matches}`);
  output.out(lines.join("\n") + "\n");
  await appendStats(get("statsFile"), rows.length, performance.now() - started, matches);
}

function recognizerOf(fsm: CompiledFsm, reset: boolean): StreamRecognizer {
  return new StreamRecognizer(fsm.patterns, {
    declarations: fsm.declarations ?? undefined,
    fsmModel: fsm.fsmModel,
    countPolicy: fsm.countPolicy,
    reset,
  });
}

/** The events of `rows` keyed by the model's partition attribute; RESET rows are skipped. */
function eventsOf(rows: readonly WayebRow[], model: CefModel): StreamEvent[];
function eventsOf(
  rows: readonly WayebRow[],
  model: CefModel,
  indexed: true,
): [number, StreamEvent][];
function eventsOf(
  rows: readonly WayebRow[],
  model: CefModel,
  indexed = false,
): StreamEvent[] | [number, StreamEvent][] {
  const partitionBy = model.compiled.partitionBy;
  const keyed: [number, StreamEvent][] = [];
  rows.forEach((row, index) => {
    if (row.kind !== "event") return;
    const key = partitionBy === null ? "" : String(row.event.attributes[partitionBy] ?? "");
    keyed.push([index, { ...row.event, key }]);
  });
  return indexed ? keyed : keyed.map(([, event]) => event);
}

async function readRows(path: string, domain: string | undefined): Promise<WayebRow[]> {
  const layout: WayebDomain = domain === undefined
    ? "csv"
    : choice("--domainSpecificStream", domain, ["maritime"] as const);
  return parseWayebStream(await readText("--stream", path), layout);
}

async function readFsm(path: string): Promise<CompiledFsm> {
  const value = JSON.parse(await readText("--fsm", path)) as Partial<CompiledFsm>;
  if (value.format !== "retune.wayeb-fsm/1" || typeof value.patterns !== "string") {
    throw new CliError(`--fsm must be a file written by compile: '${path}' is not`);
  }
  return value as CompiledFsm;
}

async function readArtifact(path: string): Promise<CefArtifact> {
  return parseCefArtifact(JSON.parse(await readText("--fsm/--mc", path)));
}

/** Appends Wayeb's stats row `streamSize,execTimeNs,matchesNo,lockedRuns,unlockedRuns`. */
async function appendStats(
  statsFile: string | undefined,
  size: number,
  elapsedMs: number,
  matches: number,
): Promise<void> {
  if (statsFile === undefined) return;
  const row = `${size},${Math.round(elapsedMs * 1e6)},${matches},0,0\n`;
  await Deno.writeTextFile(`${statsFile}.csv`, row, { append: true });
}

function lineError<T>(index: number, run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw new Error(`line ${index + 1}: ${(error as Error).message}`);
  }
}

function choice<T extends string>(flag: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new CliError(`${flag} must be one of ${choices.join(", ")}: current value is '${value}'`);
  }
  return value as T;
}

function fraction(flag: string, text: string, max = 1): number {
  const value = text.trim() === "" ? NaN : Number(text);
  if (!(value >= 0 && value <= max)) {
    throw new CliError(`${flag} must be a number in [0, ${max}]: current value is '${text}'`);
  }
  return value;
}

function whole(flag: string, text: string, min: number): number {
  const value = Number(text);
  if (!(Number.isInteger(value) && value >= min)) {
    throw new CliError(`${flag} must be an integer >= ${min}: current value is '${text}'`);
  }
  return value;
}
