/**
 * `deno task conformance`: runs Retune against the Wayeb conformance corpus
 * (`tests/conformance/wayeb/`: patterns and streams written for it, with what Wayeb 0.6 printed).
 * One line per case, `PASS`, `FAIL` or `EXTENSION` (Retune deliberately accepts what Wayeb
 * refuses), with the reason; then the counts per tier.
 *
 *   deno task conformance [--only <text>]... [--update-baseline] [--corpus <dir>]
 *
 * Exits 1 only when a case of the recorded baseline (`baseline.json`) no longer passes, so it
 * guards against regressions without requiring every case to pass; `--update-baseline` records
 * the current passes. Needs no Wayeb jar: the expected results are recorded.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { BASELINE_FILE, readBaseline, regressions, writeBaseline } from "./conformance/baseline.ts";
import { CORPUS_DIR, forecastCases, recognitionCases } from "./conformance/corpus.ts";
import { runForecastCase } from "./conformance/forecast_case.ts";
import type { Outcome } from "./conformance/outcome.ts";
import { runRecognitionCase } from "./conformance/recognition_case.ts";
import { summaryLines } from "./conformance/summary.ts";

const HELP = `Usage: deno task conformance [--only <text>]... [--update-baseline]

Runs Retune against the Wayeb conformance corpus (tests/conformance/wayeb/) and prints PASS,
FAIL or EXTENSION per case with the reason, then the counts per tier. Exits 1 only when a case
of the baseline no longer passes.

Options:
  --only <text>       run only the cases whose name contains <text> (repeatable)
  --update-baseline   record the current passes as the baseline
  --corpus <dir>      the corpus folder (default: ${CORPUS_DIR})
  --baseline <file>   the baseline file (default: ${BASELINE_FILE})
  -h, --help          show this text`;

/** Runs the corpus with `args`, printing through `print`; resolves to the exit status. */
export async function runConformance(
  args: readonly string[],
  print: (line: string) => void,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      help: { type: "boolean", short: "h" },
      only: { type: "string", multiple: true },
      "update-baseline": { type: "boolean", default: false },
      corpus: { type: "string", default: CORPUS_DIR },
      baseline: { type: "string", default: BASELINE_FILE },
    },
  });
  if (values.help) {
    print(HELP);
    return 0;
  }
  const only = values.only ?? [];
  const selected = (name: string) => only.length === 0 || only.some((o) => name.includes(o));
  const outcomes: Outcome[] = [];
  const report = (outcome: Outcome) => {
    outcomes.push(outcome);
    print(`${outcome.verdict.toUpperCase()} ${outcome.name} [${outcome.tier}]: ${outcome.reason}`);
  };
  for (const testCase of recognitionCases(values.corpus!)) {
    if (selected(testCase.name)) report(runRecognitionCase(testCase));
  }
  for (const testCase of forecastCases(values.corpus!)) {
    if (selected(testCase.name)) report(await runForecastCase(testCase));
  }
  for (const line of summaryLines(outcomes)) print(line);
  if (values["update-baseline"]) {
    writeBaseline(values.baseline!, outcomes);
    print(`baseline written to ${values.baseline}`);
    return 0;
  }
  const regressed = regressions(readBaseline(values.baseline!), outcomes);
  if (regressed.length > 0) {
    print(
      `${regressed.length} case(s) of the baseline regressed: ${
        regressed.map((o) => o.name).join(", ")
      }`,
    );
    return 1;
  }
  print("no regression against the baseline");
  return 0;
}

if (import.meta.main) {
  Deno.exit(await runConformance(Deno.args, (line) => console.log(line)));
}
