/**
 * `deno task experiment --config=<file> --input=<file> --out=<dir>`: runs the same stream twice,
 * with run-time adaptation and with the initial model only, and writes `<dir>/report.json` and
 * `<dir>/report.html` (batch MCC over stream time for both runs, with retrain/optimise markers).
 * `deno task experiment --bench [--quick] [--json]` prints the drift bench's table
 * (`experiment/drift_bench.ts`); `--quick` runs one stream and policy, a smoke test;
 * `--stream=<name>` and `--policy=<kind>` run only those; `--out=<dir>` keeps each row's adaptive
 * run report; `--seeds=<a,b,...>` runs it at each optimiser seed and prints the rows' means.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadConfig } from "../config/load.ts";
import { setupLogging } from "../logging/setup.ts";
import { type ExperimentReport, renderReportHtml } from "./experiment/report.ts";
import { runOnce, runReport, type RunWatcher } from "./experiment/run_once.ts";
import { formatBenchTable, runDriftBench } from "./experiment/drift_bench.ts";
import { acrossSeeds, formatSeededTable, parseSeeds } from "./experiment/seeded_bench.ts";

/** Optional settings of `runExperiment`. */
export interface ExperimentOptions {
  /** Where the runs keep their data, instead of the configuration's `storage.dir`. */
  storageDir?: string;
  /** Watches each run while it runs. */
  watch?: RunWatcher;
}

/** Runs both passes and writes the report files; returns the report. */
export async function runExperiment(
  configPath: string,
  input: string,
  outDir: string,
  options: ExperimentOptions = {},
): Promise<ExperimentReport> {
  const loaded = await loadConfig(configPath);
  const config = options.storageDir === undefined
    ? loaded
    : { ...loaded, storage: { ...loaded.storage, dir: options.storageDir } };
  const adaptive = runReport(
    "with run-time adaptation",
    await runOnce(config, input, true, options.watch),
  );
  const fixed = runReport("initial model only", await runOnce(config, input, false, options.watch));
  const report: ExperimentReport = {
    config: configPath,
    input,
    createdAt: new Date().toISOString(),
    runs: [adaptive, fixed],
    improvement: adaptive.meanBatchMcc - fixed.meanBatchMcc,
  };
  await Deno.mkdir(outDir, { recursive: true });
  await Deno.writeTextFile(`${outDir}/report.json`, JSON.stringify(report, null, 2) + "\n");
  await Deno.writeTextFile(`${outDir}/report.html`, renderReportHtml(report));
  return report;
}

const HELP = `Usage: deno task experiment --config=<file> --input=<file> --out=<dir>
       deno task experiment --bench [--quick] [--json] [--config=<file>]
                            [--stream=<name>] [--policy=<kind>] [--out=<dir>]
                            [--seeds=<a,b,...>] [--reports-per-week=<n>]

Replays a stream twice in one process, with run-time adaptation and with the initial model only,
and writes report.json and report.html (batch MCC over stream time, each model version's
parameters, each observer decision and its reason) into <dir>.

Options:
  --config=<file>  YAML configuration (e.g. deploy/examples/drift.yaml)
  --input=<file>   the stream to replay (e.g. made by scripts/generate_drift.ts)
  --out=<dir>      where the report goes (created if missing)
  --bench          print the drift bench's table (scripts/experiment/drift_bench.ts), in lockstep
  --quick          with --bench: one stream and policy, a smoke test
  --json           with --bench: the table as one JSON object
  --stream=<name>  with --bench: only that stream (e.g. "sudden maritime-like")
  --policy=<kind>  with --bench: only that retrain policy (trend or page_hinkley)
  --out=<dir>      with --bench: write each row's adaptive run report (<stream>_<policy>.json;
                   with --seeds, under seed-<n>/)
  --seeds=<a,b>    with --bench: run at each of these optimiser seeds (each replacing
                   optimiser.seed) and print each row's mean over them and its worst seed
                   (e.g. --seeds=1234,1,2,3,4,5: the figures README reports; ~1.5 min a seed)
  --reports-per-week=<n>  with --bench: the engine reports n times a week (1 unless told); the
                   policies' settings counted in reports keep their length in weeks
  -h, --help       show this text`;

/** The drift example the bench takes its model and budgets from unless `--config` names another. */
const DRIFT_EXAMPLE = fileURLToPath(new URL("../deploy/examples/drift.yaml", import.meta.url));

/** What `--bench` runs and prints. */
interface BenchArgs {
  quick: boolean;
  json: boolean;
  stream?: string;
  policy?: string;
  /** Where each row's adaptive run report goes. */
  out?: string;
  /** Optimiser seeds to run the bench at, each replacing `optimiser.seed`; the table's means. */
  seeds?: number[];
  /** How often the engine reports per week of stream time. */
  reportsPerWeek?: number;
}

/** `--bench [--quick] [--json] [--config=<file>] [--seeds=...] ...`: the drift bench's table. */
async function bench(configPath: string, args: BenchArgs): Promise<void> {
  const { quick, json, stream, policy, out, seeds, reportsPerWeek } = args;
  const base = await loadConfig(configPath);
  setupLogging({ ...base.logging, level: "error" });
  const dir = await Deno.makeTempDir({ prefix: "retune-drift-bench-" });
  // One run of the bench; `seed` (with --seeds) replaces the configured optimiser seed.
  const run = (seed: number | null) =>
    runDriftBench(
      {
        ...base,
        storage: { ...base.storage, dir: `${dir}/storage` },
        optimiser: { ...base.optimiser, seed: seed ?? base.optimiser.seed },
      },
      dir,
      { quick, stream, policy, reportsPerWeek },
      async (row, adaptive) => {
        if (!json) {
          const at = seed === null ? "" : ` (seed ${seed})`;
          console.error(`${row.stream} / ${row.policy}: adaptive ${row.adaptive.toFixed(3)}${at}`);
        }
        if (out !== undefined) {
          const folder = seed === null ? out : `${out}/seed-${seed}`;
          await Deno.mkdir(folder, { recursive: true });
          const name = `${row.stream}_${row.policy}`.replaceAll(" ", "_");
          await Deno.writeTextFile(
            `${folder}/${name}.json`,
            JSON.stringify(adaptive, null, 2) + "\n",
          );
        }
      },
    );
  try {
    if (seeds === undefined) {
      const rows = await run(null);
      console.log(json ? JSON.stringify({ rows }, null, 2) : formatBenchTable(rows));
      return;
    }
    const bySeed = [];
    for (const seed of seeds) bySeed.push(await run(seed));
    const rows = acrossSeeds(bySeed);
    console.log(json ? JSON.stringify({ seeds, rows }, null, 2) : formatSeededTable(seeds, rows));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** A command-line count: an integer >= 1, else a RangeError naming the option and its value. */
function countOf(option: string, text: string): number {
  if (!/^[1-9]\d*$/.test(text)) {
    throw new RangeError(`--${option}: expected an integer >= 1, got ${JSON.stringify(text)}`);
  }
  return Number(text);
}

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      config: { type: "string" },
      input: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h" },
      bench: { type: "boolean" },
      quick: { type: "boolean" },
      json: { type: "boolean" },
      stream: { type: "string" },
      policy: { type: "string" },
      seeds: { type: "string" },
      "reports-per-week": { type: "string" },
    },
  });
  if (values.help) {
    console.log(HELP);
    Deno.exit(0);
  }
  if (values.bench) {
    try {
      await bench(values.config ?? DRIFT_EXAMPLE, {
        quick: values.quick ?? false,
        json: values.json ?? false,
        stream: values.stream,
        policy: values.policy,
        out: values.out,
        seeds: values.seeds === undefined ? undefined : parseSeeds(values.seeds),
        reportsPerWeek: values["reports-per-week"] === undefined
          ? undefined
          : countOf("reports-per-week", values["reports-per-week"]),
      });
    } catch (error) {
      // A bad argument (seeds, stream, policy) is one line naming it, not a stack.
      if (!(error instanceof RangeError)) throw error;
      console.error(`experiment: ${error.message}`);
      Deno.exit(2);
    }
    Deno.exit(0);
  }
  if (values.config === undefined || values.input === undefined || values.out === undefined) {
    console.error(
      "usage: deno task experiment --config=<file> --input=<file> --out=<dir>\n" +
        "       deno task experiment --bench [--quick] [--json] [--config=<file>] [--stream=<name>]" +
        " [--policy=<kind>] [--out=<dir>] [--seeds=<a,b,...>] [--reports-per-week=<n>]",
    );
    Deno.exit(2);
  }
  const config = await loadConfig(values.config);
  setupLogging({ ...config.logging, level: "warning" });
  const report = await runExperiment(values.config, values.input, values.out);
  for (const run of report.runs) {
    console.log(
      `${run.name}: mean batch MCC ${run.meanBatchMcc.toFixed(3)} over ${run.reports.length} ` +
        `reports, ${run.retrains} retrains, ${run.optimisations} optimisations, ` +
        `${run.wallSeconds.toFixed(1)} s`,
    );
  }
  console.log(`improvement ${report.improvement.toFixed(3)}; report in ${values.out}/report.html`);
}
