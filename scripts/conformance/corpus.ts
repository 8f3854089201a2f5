/**
 * The Wayeb conformance corpus as the runner reads it: recognition cases (`cases/NN-name/`) and
 * forecasting cases (`fcases/NN-name/`), each with its inputs and what Wayeb 0.6 recorded
 * (`expected.json`). The layout is described in `tests/conformance/wayeb/README.md`.
 *
 * @module
 */

import { join } from "node:path";
import type { WayebDomain } from "../../models/sources/wayeb_stream.ts";

/** A case's tier: behaviour to reproduce, a Wayeb defect, or input Wayeb refuses. */
export type Tier = "core" | "quirk" | "error";

/** What Wayeb printed when it refused the input. */
export interface WayebError {
  readonly stage: string;
  readonly exception: string;
  readonly message: string;
}

/** A recognition case: inputs and Wayeb's result. */
export interface RecognitionCase {
  readonly name: string;
  readonly dir: string;
  readonly tier: Tier;
  readonly domain: WayebDomain;
  readonly fsmModel: string;
  readonly countPolicy: string | null;
  readonly reset: boolean;
  readonly declarations: boolean;
  readonly env: Readonly<Record<string, string | null>>;
  readonly expected: { readonly completions?: number[]; readonly error?: WayebError };
}

/** A forecasting case: inputs, parameters and Wayeb's forecasts. */
export interface ForecastCase {
  readonly name: string;
  readonly dir: string;
  readonly tier: Tier;
  readonly params: {
    readonly modelType: "vmm" | "fmm";
    readonly order: number;
    readonly pMin?: number;
    readonly alpha?: number;
    readonly gammaMin?: number;
    readonly r?: number;
    readonly threshold: number;
    readonly maxSpread: number;
    readonly horizon: number;
    readonly foreMethod: "smart-scan" | "argmax" | "classify-nextk";
    readonly domain: WayebDomain;
    readonly declarations: boolean;
  };
  readonly expected: {
    readonly match_indices?: number[];
    readonly forecast_columns?: string[];
    readonly forecasts?: (number | boolean)[][];
    readonly tolerance?: { readonly prob: number };
    readonly error?: WayebError;
  };
}

/** The corpus folder inside the repository. */
export const CORPUS_DIR = new URL("../../tests/conformance/wayeb/", import.meta.url).pathname;

/** Every recognition case under `dir`, in folder order. */
export function recognitionCases(dir: string): RecognitionCase[] {
  return folders(join(dir, "cases")).map((caseDir) => {
    const meta = readJson(join(caseDir, "case.json"));
    return {
      name: `cases/${basename(caseDir)}`,
      dir: caseDir,
      tier: meta.tier as Tier,
      domain: meta.domain as WayebDomain,
      fsmModel: (meta.fsmModel as string | null) ?? "dsfa",
      countPolicy: meta.countPolicy as string | null,
      reset: meta.reset === true,
      declarations: meta.declarations === true,
      env: (meta.env ?? {}) as Record<string, string | null>,
      expected: readJson(join(caseDir, "expected.json")) as RecognitionCase["expected"],
    };
  });
}

/** Every forecasting case under `dir`, in folder order. */
export function forecastCases(dir: string): ForecastCase[] {
  return folders(join(dir, "fcases")).map((caseDir) => {
    const params = readJson(join(caseDir, "params.json")) as unknown as ForecastCase["params"];
    return {
      name: `fcases/${basename(caseDir)}`,
      dir: caseDir,
      tier: (params as unknown as { tier: Tier }).tier,
      params,
      expected: readJson(join(caseDir, "expected.json")) as ForecastCase["expected"],
    };
  });
}

function folders(dir: string): string[] {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(`the conformance corpus is missing: ${dir} was not found`);
    }
    throw error;
  }
  return entries.filter((e) => e.isDirectory).map((e) => join(dir, e.name)).sort();
}

function basename(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(Deno.readTextFileSync(path)) as Record<string, unknown>;
}
