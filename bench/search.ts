/**
 * Search benchmark: Retune's Bayesian optimiser (the configured defaults) against scikit-optimize
 * (`gp_minimize`, RTCEF's optimiser) and Optuna's TPE and GP samplers, each with its own defaults,
 * on standard test functions and two CEF-shaped mixed spaces (integer order, log-scale pMin and
 * gamma, real threshold). For every function, budget and method: the median and quartiles over
 * the seeds of the regret (best value found minus the global minimum), and the median's ratio to
 * the best median; then each method's overhead per step: CPU time outside the objective (CPU, not
 * wall time, so other load on the machine does not inflate it).
 *
 * The baselines run in Python: the bench makes a virtual environment in `.cache/bench-python/`,
 * installs the pinned packages from PyPI into it once, and keeps each baseline run's result there
 * (`results/<method>.jsonl`), so later runs only compute what is missing. A budget's regret is read
 * off the largest budget's run: no method's choices depend on the budget (the baselines start
 * with 10 random points, Retune with its space's dimensions + 1). A method that cannot be installed is reported unavailable, not estimated.
 *
 * Run: `deno task bench search -- [--seeds=30] [--quick] [--retune-only] [--cached] [--json]
 * [--target-warp=none] [--optimiser='{"gpRestarts":0}'] [--functions=rosenbrock4,ackley5]
 * [--budgets=20]`.
 * `--quick`: Retune only, 3 seeds, two functions, budget 20 (a smoke test; needs no PyPI).
 * `--retune-only`: every function and budget, without the baselines. `--cached`: the baselines'
 * cached runs only, however many seeds each has (the `runs` column says), running no Python.
 * `--target-warp=auto|log|tail|none`: Retune's `optimiser.targetWarp` instead of the default.
 * `--optimiser=<JSON object>`: any of Retune's `optimiser` settings instead of the defaults (a
 * sweep of settings runs from the bench itself, validated as the configuration is).
 * `--functions=<a,b>` and `--budgets=<n,m>`: only those functions and budgets.
 * `--json`: the table as one object on the last line.
 *
 * @module
 */

import process from "node:process";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { createStrategy } from "../config/build_policies.ts";
import { configSchema, type OptimiserConfig } from "../config/schema.ts";
import type { Point, SearchSpace } from "../policies/search/space.ts";
import {
  ACKLEY5,
  BRANIN,
  CEF_COUPLED,
  CEF_SMOOTH,
  HARTMANN6,
  ROSENBROCK4,
} from "../tests/policies/search/test_functions.ts";

/** A function to minimise with its space and global minimum. */
interface Problem {
  space: SearchSpace;
  minimum: number;
  evaluate(point: Point): number;
}

const PROBLEMS: Record<string, Problem> = {
  "branin": BRANIN,
  "hartmann6": HARTMANN6,
  "rosenbrock4": ROSENBROCK4,
  "ackley5": ACKLEY5,
  "cef-smooth": CEF_SMOOTH,
  "cef-coupled": CEF_COUPLED,
};
const BASELINES = ["skopt", "optuna-tpe", "optuna-gp"] as const;
type Baseline = typeof BASELINES[number];
/** Pinned packages of the baselines; torch only for Optuna's GP sampler. */
const PINS = [
  "numpy==1.26.4",
  "scipy==1.13.1",
  "scikit-learn==1.5.2",
  "scikit-optimize==0.10.2",
  "optuna==4.1.0",
];
const TORCH_PIN = "torch==2.5.1";
// Seeds of a full run: over 10 the medians of a budget-20 search are mostly the seeds' luck
// (Retune's rosenbrock4 median was 56 over seeds 0-9 and 22 over 0-29).
const DEFAULT_SEEDS = 30;
const CACHE = fileURLToPath(new URL("../.cache/bench-python/", import.meta.url));
const SCRIPT = fileURLToPath(new URL("./search_baselines.py", import.meta.url));

/** Best-so-far values of one run, one per evaluation, and the optimiser's seconds per step. */
interface RunResult {
  best: number[];
  secondsPerStep: number;
}

/** One cell of the table. */
export interface SearchRow {
  function: string;
  budget: number;
  method: string;
  /** Runs (seeds) the quantiles are over. */
  runs: number;
  median: number;
  q1: number;
  q3: number;
  /** This median over the lowest median of the function and budget. */
  ratio: number;
}

/** The benchmark's table. */
export interface SearchTable {
  seeds: number;
  budgets: number[];
  functions: string[];
  methods: string[];
  rows: SearchRow[];
  /** Median CPU seconds per step of each method over all its runs. */
  secondsPerStep: Record<string, number>;
  /** Methods left out, with the reason. */
  unavailable: Record<string, string>;
}

/** Prints the table for the parsed `args`. */
export async function run(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      seeds: { type: "string" },
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      "retune-only": { type: "boolean", default: false },
      cached: { type: "boolean", default: false },
      "target-warp": { type: "string" },
      optimiser: { type: "string" },
      functions: { type: "string" },
      budgets: { type: "string" },
    },
  });
  const seeds = Number(values.seeds ?? (values.quick ? 3 : DEFAULT_SEEDS));
  if (!Number.isSafeInteger(seeds) || seeds < 1) {
    throw new RangeError(`seeds must be a positive integer: current value is ${values.seeds}`);
  }
  const table = await benchSearch({
    seeds,
    functions: values.functions?.split(",") ??
      (values.quick ? ["branin", "cef-coupled"] : Object.keys(PROBLEMS)),
    budgets: values.budgets?.split(",").map(Number) ?? (values.quick ? [20] : [20, 50]),
    baselines: values.quick || values["retune-only"] ? [] : [...BASELINES],
    cachedOnly: values.cached,
    optimiser: {
      ...optimiserOverrides(values.optimiser),
      ...(values["target-warp"] === undefined ? {} : { targetWarp: values["target-warp"] }),
    },
  });
  printTable(table);
  const command = ["deno task bench search", ...(args.length > 0 ? ["--", ...args] : [])];
  console.log(`command: ${command.join(" ")}`);
  if (values.json) console.log(JSON.stringify(table));
}

/** The settings of `--optimiser`, a JSON object; none when absent. */
function optimiserOverrides(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new RangeError(`optimiser must be a JSON object: current value is '${text}'`);
  }
  return parsed as Record<string, unknown>;
}

/** What to run. */
export interface SearchBenchOptions {
  seeds: number;
  functions: string[];
  budgets: number[];
  baselines: Baseline[];
  /** Take the baselines' cached runs only, however many seeds they hold; run no Python. */
  cachedOnly?: boolean;
  /** Optimiser settings over the configured defaults, for Retune's runs. */
  optimiser?: Record<string, unknown>;
  /** Folder of the Python environment and the cached runs; `.cache/bench-python/` unless told. */
  cache?: string;
}

/** Runs Retune and the baselines and tabulates their regrets. */
export async function benchSearch(options: SearchBenchOptions): Promise<SearchTable> {
  const { seeds, functions, budgets, baselines } = options;
  const cache = (options.cache ?? CACHE).replace(/\/?$/, "/");
  for (const name of functions) {
    if (!(name in PROBLEMS)) {
      throw new RangeError(
        `functions: unknown function '${name}' (${Object.keys(PROBLEMS).join(", ")})`,
      );
    }
  }
  for (const budget of budgets) {
    if (!Number.isSafeInteger(budget) || budget < 1) {
      throw new RangeError(`budgets: expected positive integers, got ${budgets.join(",")}`);
    }
  }
  const budget = Math.max(...budgets);
  const results = new Map<string, RunResult[][]>();
  const requested = { ...options.optimiser, evaluations: budget };
  const parsed = configSchema.shape.optimiser.safeParse(requested);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    if (issue.code === "unrecognized_keys") {
      throw new RangeError(`optimiser: unknown key '${issue.keys.join("', '")}'`);
    }
    const key = issue.path.join(".");
    const value = (requested as Record<string, unknown>)[key];
    throw new RangeError(
      `optimiser.${key}: ${issue.message}: current value is ${JSON.stringify(value)}`,
    );
  }
  const settings = parsed.data;
  results.set("retune", functions.map((name) => runRetune(PROBLEMS[name], settings, seeds)));
  const unavailable: Record<string, string> = {};
  if (baselines.length > 0) {
    const installed = options.cachedOnly ? {} : await installBaselines(cache);
    for (const method of baselines) {
      const missing = installed[method];
      if (missing !== undefined) {
        unavailable[method] = missing;
        continue;
      }
      results.set(
        method,
        options.cachedOnly
          ? await cachedBaseline(cache, method, functions, seeds, budget)
          : await runBaseline(cache, method, functions, seeds, budget),
      );
    }
  }
  const rows: SearchRow[] = [];
  functions.forEach((name, f) => {
    for (const b of budgets) {
      const cells = [...results].filter(([, runs]) => runs[f].length > 0).map(([method, runs]) => {
        const regrets = runs[f].map((r) => r.best[b - 1] - PROBLEMS[name].minimum);
        return {
          method,
          runs: regrets.length,
          median: quantile(regrets, 0.5),
          q1: quantile(regrets, 0.25),
          q3: quantile(regrets, 0.75),
        };
      });
      const lowest = Math.min(...cells.map((cell) => cell.median));
      for (const cell of cells) {
        // A zero best median (the exact minimum hit) makes every other median infinitely worse.
        const ratio = lowest > 0 ? cell.median / lowest : cell.median === 0 ? 1 : Infinity;
        rows.push({ function: name, budget: b, ...cell, ratio });
      }
    }
  });
  const secondsPerStep = Object.fromEntries(
    [...results].map(([method, runs]) => [
      method,
      quantile(runs.flat().map((r) => r.secondsPerStep), 0.5),
    ]),
  );
  return {
    seeds,
    budgets,
    functions,
    methods: [...results.keys()],
    rows,
    secondsPerStep,
    unavailable,
  };
}

/** Retune's optimiser with `settings`, `seeds` runs of all its evaluations. */
function runRetune(problem: Problem, settings: OptimiserConfig, seeds: number): RunResult[] {
  const budget = settings.evaluations;
  return Array.from({ length: seeds }, (_, seed) => {
    const strategy = createStrategy(settings, {
      space: problem.space,
      seed,
      direction: "minimise",
    });
    const best: number[] = [];
    let inside = 0;
    const started = cpuSeconds();
    for (let i = 0; i < budget; i++) {
      const point = strategy.ask();
      const evaluated = cpuSeconds();
      const value = problem.evaluate(point);
      inside += cpuSeconds() - evaluated;
      strategy.tell(point, value);
      best.push(Math.min(value, best.at(-1) ?? Infinity));
    }
    return { best, secondsPerStep: (cpuSeconds() - started - inside) / budget };
  });
}

/** CPU seconds of this process so far. */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/** Creates the virtual environment and installs the pins once; which methods are unavailable. */
async function installBaselines(cache: string): Promise<Partial<Record<Baseline, string>>> {
  const python = `${cache}venv/bin/python`;
  const marker = `${cache}venv/installed.txt`;
  const wanted = [...PINS, TORCH_PIN].join("\n");
  if (await readText(marker) === wanted) return {};
  await Deno.mkdir(cache, { recursive: true });
  console.log(`installing ${PINS.join(" ")} into ${cache}venv (once)`);
  const venv = await command("python3", ["-m", "venv", `${cache}venv`]);
  if (venv !== null) return Object.fromEntries(BASELINES.map((m) => [m, venv]));
  const base = await command(python, ["-m", "pip", "install", "-q", ...PINS]);
  if (base !== null) return Object.fromEntries(BASELINES.map((m) => [m, base]));
  console.log(`installing ${TORCH_PIN} for Optuna's GP sampler (once, large)`);
  const torch = await command(python, ["-m", "pip", "install", "-q", TORCH_PIN]);
  if (torch !== null) return { "optuna-gp": `${TORCH_PIN} did not install: ${torch}` };
  await Deno.writeTextFile(marker, wanted);
  return {};
}

/**
 * The baseline's runs per function: cached ones, and the missing (function, seed) runs computed,
 * each appended to the cache as soon as it ends (an interrupted run keeps what it finished).
 */
async function runBaseline(
  cache: string,
  method: Baseline,
  functions: string[],
  seeds: number,
  budget: number,
): Promise<RunResult[][]> {
  const path = `${cache}results/${method}.jsonl`;
  const cached = await readRuns(path, budget);
  const missing = missingRuns(cached, functions, seeds);
  if (missing.length > 0) {
    console.log(`running ${method}: ${missing.length} runs of ${budget} evaluations`);
    await Deno.mkdir(`${cache}results`, { recursive: true });
    const child = new Deno.Command(`${cache}venv/bin/python`, {
      args: [SCRIPT, method, String(budget), ...missing],
      // One thread per process: BLAS threads fight over few cores and slow every step.
      env: { OMP_NUM_THREADS: "1", OPENBLAS_NUM_THREADS: "1", MKL_NUM_THREADS: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const errors = new Response(child.stderr).text();
    for await (const line of createInterface({ input: Readable.from(child.stdout) })) {
      if (line.trim() === "") continue;
      await Deno.writeTextFile(path, `${line}\n`, { append: true });
      for (const [key, result] of parseRuns(line, budget)) cached.set(key, result);
    }
    const status = await child.status;
    if (!status.success) throw new Error(`${method} failed: ${(await errors).slice(-2000)}`);
  }
  return functions.map((name) =>
    Array.from({ length: seeds }, (_, seed) => cached.get(`${name}:${seed}`)!)
  );
}

/**
 * The runs (`function:seed`) of seeds 0 to `seeds` - 1 not in `cached`, seed by seed, so that an
 * interrupted run leaves whole seeds of every function.
 */
export function missingRuns(
  cached: ReadonlyMap<string, unknown>,
  functions: readonly string[],
  seeds: number,
): string[] {
  return Array.from({ length: seeds }, (_, seed) => functions.map((name) => `${name}:${seed}`))
    .flat()
    .filter((run) => !cached.has(run));
}

/** The baseline's cached runs per function among seeds 0 to `seeds` - 1, however many there are. */
async function cachedBaseline(
  cache: string,
  method: Baseline,
  functions: string[],
  seeds: number,
  budget: number,
): Promise<RunResult[][]> {
  const cached = await readRuns(`${cache}results/${method}.jsonl`, budget);
  return functions.map((name) =>
    Array.from({ length: seeds }, (_, seed) => cached.get(`${name}:${seed}`))
      .filter((result): result is RunResult => result !== undefined)
  );
}

/** Cached runs of at least `budget` evaluations, keyed by function and seed. */
async function readRuns(path: string, budget: number): Promise<Map<string, RunResult>> {
  return parseRuns(await readText(path) ?? "", budget);
}

function parseRuns(lines: string, budget: number): Map<string, RunResult> {
  const runs = new Map<string, RunResult>();
  for (const line of lines.split("\n")) {
    if (line.trim() === "") continue;
    const { function: name, seed, best, secondsPerStep } = JSON.parse(line);
    if (best.length >= budget) runs.set(`${name}:${seed}`, { best, secondsPerStep });
  }
  return runs;
}

/** Runs a program; null when it succeeded, else why not. */
async function command(program: string, args: string[]): Promise<string | null> {
  try {
    const output = await new Deno.Command(program, { args, stdout: "null", stderr: "piped" })
      .output();
    if (output.success) return null;
    return new TextDecoder().decode(output.stderr).trim().split("\n").slice(-3).join(" ");
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return null;
    throw error;
  }
}

/** The q-quantile of `values`, linearly interpolated. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low] + (sorted[high] - sorted[low]) * (position - low);
}

function printTable(table: SearchTable): void {
  console.log(
    `regret (best found - global minimum) over ${table.seeds} seeds (0..${
      table.seeds - 1
    }); ratio = median / best median`,
  );
  console.log("function      budget  method       runs     median        q1        q3    ratio");
  for (const row of table.rows) {
    console.log(
      [
        row.function.padEnd(12),
        String(row.budget).padStart(7),
        ` ${row.method.padEnd(11)}`,
        String(row.runs).padStart(4),
        number(row.median),
        number(row.q1),
        number(row.q3),
        row.ratio.toFixed(2).padStart(8),
      ].join(" "),
    );
  }
  console.log("overhead per step (CPU ms, median over runs):");
  for (const [method, seconds] of Object.entries(table.secondsPerStep)) {
    console.log(`  ${method.padEnd(11)} ${(seconds * 1000).toFixed(1).padStart(9)}`);
  }
  const short = table.rows.filter((row) => row.runs < table.seeds);
  if (short.length > 0) {
    const methods = [...new Set(short.map((row) => row.method))].join(", ");
    console.log(`fewer runs than seeds (cached ones only) for: ${methods}`);
  }
  for (const [method, reason] of Object.entries(table.unavailable)) {
    console.log(`unavailable: ${method}: ${reason}`);
  }
}

function number(value: number): string {
  return value.toExponential(2).padStart(9);
}

if (import.meta.main) await run(Deno.args);
