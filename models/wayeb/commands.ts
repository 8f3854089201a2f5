/**
 * Wayeb command lines, as argument arrays (no shell). Options use the `--name:value` form of
 * Wayeb's documentation. Training runs `learnSPST` (a prediction suffix tree over the pattern's
 * symbolic automaton; the tree's maximum depth is the pattern's `{order:m}`, which Wayeb has no
 * option for, see `wayeb_text.ts`); testing runs `forecasting` with the variable-order model in
 * the CLASSIFICATION-NEXTK mode, the one whose statistics count true negatives and so give MCC.
 * In that mode Wayeb reads `maxSpread` as the window k ("a match within the next k events").
 *
 * @module
 */

import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { ForecastSettings } from "../model.ts";

/** How the java process is started. */
export interface WayebInvocation {
  java: string;
  jar: string;
}

/** Files of a training run. */
export interface LearnFiles {
  patterns: string;
  declarations?: string;
  stream: string;
  /** Wayeb's stream domain (`maritime`, `json`); empty for its generic `type,timestamp` CSV. */
  domain: string;
  outputSpst: string;
}

/** Files of a test run. Wayeb writes `<statsFile>.csv` and `<statsFile>_pattern`. */
export interface ForecastFiles {
  spst: string;
  stream: string;
  domain: string;
  statsFile: string;
}

/** The full argv: java with its `-Dname=value` properties, the jar and the Wayeb arguments. */
export function commandLine(
  invocation: WayebInvocation,
  args: readonly string[],
  properties: Readonly<Record<string, string>> = {},
): string[] {
  const flags = Object.entries(properties).map(([name, value]) => `-D${name}=${value}`);
  return [invocation.java, ...flags, "-jar", invocation.jar, ...args];
}

/**
 * The tree-growing parameters of `learnSPST` as JVM properties: its `--pMin`, `--alpha`,
 * `--gammaMin` and `--r` options are declared as integers and refuse `0.001`, while the
 * `vmm.*` properties override the jar's configuration with any number.
 */
export function learnProperties(params: HyperParameters): Record<string, string> {
  return {
    "vmm.pMin": String(params.pMin),
    "vmm.alpha": String(params.alpha),
    "vmm.gammaMin": String(params.gamma),
    "vmm.r": String(params.r),
  };
}

/** Arguments of `learnSPST` for the given files (parameters go in `learnProperties`). */
export function learnArgs(files: LearnFiles): string[] {
  return [
    "learnSPST",
    `--patterns:${files.patterns}`,
    "--fsmModel:dsfa",
    ...(files.declarations ? [`--declarations:${files.declarations}`] : []),
    `--stream:${files.stream}`,
    ...streamDomain(files.domain),
    `--outputSpst:${files.outputSpst}`,
  ];
}

/** Arguments of `forecasting` for the given files and settings. */
export function forecastArgs(files: ForecastFiles, settings: ForecastSettings): string[] {
  return [
    "forecasting",
    "--modelType:vmm",
    "--fsmModel:dsfa",
    `--fsm:${files.spst}`,
    `--stream:${files.stream}`,
    ...streamDomain(files.domain),
    `--statsFile:${files.statsFile}`,
    "--foreMethod:classify-nextk",
    `--threshold:${settings.threshold}`,
    `--maxSpread:${settings.maxSpread}`,
    `--horizon:${settings.horizon}`,
  ];
}

/** Without a domain Wayeb reads its generic CSV; with one, the domain's parser (and its args). */
function streamDomain(domain: string): string[] {
  return domain === "" ? [] : [`--domainSpecificStream:${domain}`, "--streamArgs:"];
}

/** The command as one line for messages, quoting arguments with spaces. */
export function commandText(argv: readonly string[]): string {
  return argv.map((arg) => (/[\s"']/.test(arg) ? JSON.stringify(arg) : arg)).join(" ");
}
