/**
 * Runs one recognition case through Retune's Wayeb-compatible recognizer and compares the rows
 * where matches complete with Wayeb's. Core and error cases run with Retune's own semantics;
 * quirk cases (Wayeb's defects) run under `compat: "wayeb"`, which reproduces them.
 *
 * @module
 */

import { join } from "node:path";
import { StreamRecognizer } from "../../models/cef/recognition/stream_recognizer.ts";
import {
  COUNT_POLICIES,
  type CountPolicy,
  type FsmModel,
} from "../../models/cef/recognition/recognition_options.ts";
import { parseWayebStream } from "../../models/sources/wayeb_stream.ts";
import { wayebPredicates } from "../../models/cef/predicates/wayeb_home.ts";
import type { RecognitionCase } from "./corpus.ts";
import { EXTENSIONS } from "./extensions.ts";
import type { Outcome, Verdict } from "./outcome.ts";

/** Where Retune stopped: at compiling the pattern, or at reading the stream. */
type Run =
  | { readonly refused: "compile" | "recognition"; readonly message: string }
  | { readonly refused: null; readonly completions: number[] };

/** Runs `testCase` and judges it. */
export function runRecognitionCase(testCase: RecognitionCase): Outcome {
  const run = recognise(testCase);
  const judge = (verdict: Verdict, reason: string): Outcome => ({
    name: testCase.name,
    kind: "recognition",
    tier: testCase.tier,
    verdict,
    reason,
  });
  const { error, completions = [] } = testCase.expected;
  if (error !== undefined) {
    if (run.refused !== null) return judge("pass", `both refuse; Retune: ${run.message}`);
    const extension = EXTENSIONS[testCase.name];
    if (extension !== undefined) return judge("extension", extension);
    return judge(
      "fail",
      `Wayeb refuses at ${error.stage} (${error.exception}: ${error.message.slice(0, 60)}) ` +
        `but Retune accepted it (${run.completions.length} matches)`,
    );
  }
  if (run.refused !== null) {
    return judge("fail", `Retune refused at ${run.refused}: ${run.message}`);
  }
  const difference = compareRows(completions, run.completions);
  return difference === null
    ? judge("pass", `${completions.length} matches at the same rows`)
    : judge("fail", difference);
}

function recognise(testCase: RecognitionCase): Run {
  const read = (file: string) => Deno.readTextFileSync(join(testCase.dir, file));
  const home = testCase.env.WAYEB_HOME ?? null;
  let recognizer: StreamRecognizer;
  try {
    recognizer = new StreamRecognizer(read("pattern.sre"), {
      fsmModel: testCase.fsmModel as FsmModel,
      countPolicy: countPolicyOf(testCase),
      reset: testCase.reset,
      declarations: testCase.declarations ? read("declarations.sre") : undefined,
      compat: testCase.tier === "quirk" ? "wayeb" : undefined,
      predicates: wayebPredicates(home === null ? null : join(testCase.dir, home)),
    });
  } catch (error) {
    return { refused: "compile", message: messageOf(error) };
  }
  const completions: number[] = [];
  try {
    const rows = parseWayebStream(read("stream.csv"), testCase.domain);
    rows.forEach((row, index) => {
      if (row.kind === "reset") {
        recognizer.reset(row.attributes);
        return;
      }
      try {
        for (let n = recognizer.step(row.event); n > 0; n--) completions.push(index);
      } catch (error) {
        throw new Error(`line ${index + 1}: ${messageOf(error)}`);
      }
    });
  } catch (error) {
    return { refused: "recognition", message: messageOf(error) };
  }
  return { refused: null, completions };
}

function countPolicyOf(testCase: RecognitionCase): CountPolicy | undefined {
  const policy = testCase.countPolicy;
  return policy !== null && (COUNT_POLICIES as readonly string[]).includes(policy)
    ? policy as CountPolicy
    : undefined;
}

/** Null when both list the same rows as often, else what differs. */
export function compareRows(expected: readonly number[], actual: readonly number[]): string | null {
  const want = [...expected].sort((a, b) => a - b);
  const got = [...actual].sort((a, b) => a - b);
  if (want.length === got.length && want.every((row, i) => row === got[i])) return null;
  const missing = want.filter((row) => !got.includes(row));
  const extra = got.filter((row) => !want.includes(row));
  const parts = [`matches ${got.length} vs expected ${want.length}`];
  if (missing.length > 0) parts.push(`missing at rows ${missing.slice(0, 6).join(",")}`);
  if (extra.length > 0) parts.push(`extra at rows ${extra.slice(0, 6).join(",")}`);
  if (missing.length === 0 && extra.length === 0) parts.push("same rows, other multiplicity");
  return parts.join("; ");
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0].slice(0, 200);
}
