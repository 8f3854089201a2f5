/**
 * `deno task bench [name ...] [-- args]`: runs the named benchmarks (all of them without names)
 * one after another. Each lives in `bench/<name>.ts` and exports `run(args)`, which prints its
 * figures; arguments after `--` go to every named benchmark. A module without `run` is run as a
 * program of its own (its `import.meta.main` block), with the same arguments.
 *
 * Exits 2 on an unknown name (nothing runs), 1 if a benchmark failed (the others still run).
 *
 * @module
 */

import { fileURLToPath } from "node:url";

/** Every benchmark, in the order a full run takes them, with what it measures. */
const BENCHMARKS = {
  mailbox: "Kafka and in-process transports with Avro envelopes against plain kafkajs " +
    "(KAFKA_BROKERS, or starts a broker)",
  cef: "native CEF recognition and PST forecasting throughput on the maritime stream",
  search: "Bayesian optimisation against scikit-optimize and Optuna (TPE, GP) on test functions",
  pipeline: "broker and client ceilings, 1/2/4 engines, embedded and the model, side by side",
  optimisation: "optimisation runs between the optimiser and the factory",
  fleet: "1 vs 1,000 models on one engine (events/s, heap per model); retraining them all " +
    "through the shared fair pool",
  storage: "bucket write and dataset assembly rates on files against an S3 object store " +
    "(S3_ENDPOINT, or starts SeaweedFS)",
} as const;

type BenchmarkName = keyof typeof BENCHMARKS;

/** A benchmark module's entry point. */
interface BenchmarkModule {
  run?: (args: string[]) => Promise<void>;
}

const names = Object.keys(BENCHMARKS) as BenchmarkName[];

/** Runs the benchmarks `argv` selects; resolves with the process's exit code. */
async function main(argv: string[]): Promise<number> {
  const split = argv.indexOf("--");
  const selection = split < 0 ? argv : argv.slice(0, split);
  const args = split < 0 ? [] : argv.slice(split + 1);
  if (selection.includes("--help") || selection.includes("-h")) {
    console.log(usage());
    return 0;
  }
  const unknown = selection.filter((name) => !(name in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(
      `unknown benchmark${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}\n\n${usage()}`,
    );
    return 2;
  }
  const chosen = selection.length === 0 ? names : (selection as BenchmarkName[]);
  const failed: string[] = [];
  for (const name of chosen) {
    console.log(`== ${name}: ${BENCHMARKS[name]}`);
    const started = performance.now();
    try {
      await runBenchmark(name, args);
      // On stderr, so a benchmark's `--json` line stays the last of standard output.
      console.error(`== ${name} done in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    } catch (error) {
      console.error(`== ${name} failed: ${error instanceof Error ? error.message : error}\n`);
      failed.push(name);
    }
  }
  if (failed.length > 0) console.error(`failed: ${failed.join(", ")}`);
  return failed.length > 0 ? 1 : 0;
}

/** Imports `bench/<name>.ts` and runs it; a missing file is an error that says so. */
async function runBenchmark(name: BenchmarkName, args: string[]): Promise<void> {
  const url = new URL(`./${name}.ts`, import.meta.url);
  try {
    await Deno.stat(url);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new Error(`bench/${name}.ts does not exist: this benchmark is not written yet`);
  }
  const module: BenchmarkModule = await import(url.href);
  if (typeof module.run === "function") return await module.run(args);
  await runAsProgram(url, args);
}

/** Runs a module without `run` through its own `import.meta.main` block, in a child process. */
async function runAsProgram(url: URL, args: string[]): Promise<void> {
  const config = fileURLToPath(new URL("../deno.json", import.meta.url));
  const { code } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", `--config=${config}`, fileURLToPath(url), ...args],
    stdin: "null",
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (code !== 0) throw new Error(`${fileURLToPath(url)} exited with code ${code}`);
}

function usage(): string {
  const width = Math.max(...names.map((name) => name.length));
  return [
    "usage: deno task bench [name ...] [-- args for the benchmarks]",
    "runs every benchmark when no name is given; each is bench/<name>.ts",
    "",
    ...names.map((name) => `  ${name.padEnd(width)}  ${BENCHMARKS[name]}`),
  ].join("\n");
}

if (import.meta.main) Deno.exit(await main(Deno.args));
