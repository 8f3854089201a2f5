/**
 * The fault-free reference: the same stream under the same settings, every role in one process
 * (`main.ts --role=all ... --exit-at-end --summary=FILE`); its detections are what the chaos
 * run's must equal.
 *
 * @module
 */

import type { Summary } from "../../actors/system.ts";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;

/** Runs the stream once without faults; the detections (pattern matches) it counted. */
export async function faultFreeDetections(
  configFile: string,
  stream: string,
  dir: string,
): Promise<number> {
  const summaryFile = `${dir}/fault_free_summary.json`;
  const output = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      MAIN,
      "--role=all",
      `--config=${configFile}`,
      `--input=${stream}`,
      "--exit-at-end",
      `--summary=${summaryFile}`,
      "--http-port=0",
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  await Deno.writeTextFile(
    `${dir}/logs/fault_free.log`,
    decoder.decode(output.stdout) + decoder.decode(output.stderr),
  );
  if (!output.success) {
    throw new Error(
      `the fault-free run failed (exit code ${output.code}); see ${dir}/logs/fault_free.log`,
    );
  }
  const summary = JSON.parse(await Deno.readTextFile(summaryFile)) as Summary;
  return summary.matches;
}
