/**
 * The recorded baseline: the cases that passed (or were accepted as extensions) when it was last
 * written. The runner fails only when one of them no longer does, so CI catches regressions
 * without requiring every case to pass.
 *
 * @module
 */

import type { Outcome } from "./outcome.ts";

/** The baseline file next to the corpus. */
export const BASELINE_FILE = new URL("../../tests/conformance/wayeb/baseline.json", import.meta.url)
  .pathname;

/** Case names that passed at the baseline, or an empty list when none was recorded. */
export function readBaseline(path: string): Set<string> {
  try {
    const value = JSON.parse(Deno.readTextFileSync(path)) as { passing?: unknown };
    if (!Array.isArray(value.passing) || !value.passing.every((n) => typeof n === "string")) {
      throw new Error(`${path} must hold {"passing": [case names]}`);
    }
    return new Set(value.passing);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return new Set();
    throw error;
  }
}

/** Writes the cases of `outcomes` that pass or are extensions as the new baseline. */
export function writeBaseline(path: string, outcomes: readonly Outcome[]): void {
  const passing = outcomes.filter((o) => o.verdict !== "fail").map((o) => o.name).sort();
  Deno.writeTextFileSync(path, JSON.stringify({ passing }, null, 2) + "\n");
}

/** The baseline cases that now fail. */
export function regressions(
  baseline: ReadonlySet<string>,
  outcomes: readonly Outcome[],
): Outcome[] {
  return outcomes.filter((o) => o.verdict === "fail" && baseline.has(o.name));
}
