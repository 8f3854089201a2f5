/**
 * The CEF benchmark's stream run through the real Wayeb jar, for a side-by-side with the native
 * engine (`deno task bench cef` does it when `WAYEB_JAR` names the jar): recognition
 * (`compile` + `recognition`) and a PST of order 2 (`learnSPST` on the training events, then
 * `forecasting` in the adapter's classification mode over the whole stream). Rates come from the
 * execution time Wayeb writes in its statistics (JVM start-up and file reading excluded); the
 * wall time of each run is reported beside them.
 *
 * @module
 */

import { join } from "node:path";
import type { StreamEvent } from "../core/events.ts";
import {
  forecastArgs,
  learnArgs,
  learnProperties,
  type WayebInvocation,
} from "../models/wayeb/commands.ts";
import { runWayeb } from "../models/wayeb/runner.ts";
import { parseRecognitionStats } from "../models/wayeb/stats.ts";
import { wayebStream } from "../models/wayeb/stream_file.ts";
import { wayebDeclarations, wayebPattern } from "../models/wayeb/wayeb_text.ts";

/** Wayeb's figures on the benchmark stream. */
export interface WayebFigures {
  matches: number;
  recognitionEventsPerSecond: number;
  recognitionWallSeconds: number;
  trainWallSeconds: number;
  forecastingEventsPerSecond: number;
  forecastingWallSeconds: number;
}

/** What Wayeb runs on: the jar, the pattern files (Retune's syntax) and the stream. */
export interface WayebBenchInput {
  jar: string;
  pattern: string;
  declarations: string;
  stream: readonly StreamEvent[];
  trainEvents: number;
  settings: { threshold: number; horizon: number; maxSpread: number };
}

/** Runs the stream through Wayeb in a scratch folder, removed afterwards. */
export async function benchWayeb(input: WayebBenchInput): Promise<WayebFigures> {
  const dir = await Deno.makeTempDir({ prefix: "retune-bench-wayeb-" });
  const invocation: WayebInvocation = { java: "java", jar: input.jar };
  try {
    // Wayeb partitions by the mmsi column: each benchmark key becomes a vessel of its own.
    const events = input.stream.map((e) => ({
      ...e,
      attributes: { ...e.attributes, mmsi: e.key },
    }));
    const file = (name: string) => join(dir, name);
    await Deno.writeTextFile(file("pattern.sre"), wayebPattern(input.pattern, 2));
    await Deno.writeTextFile(file("declarations.sre"), wayebDeclarations(input.declarations));
    await Deno.writeTextFile(file("stream.csv"), wayebStream(events, "maritime"));
    await Deno.writeTextFile(
      file("train.csv"),
      wayebStream(events.slice(0, input.trainEvents), "maritime"),
    );
    const run = async (args: string[], properties: Record<string, string> = {}) => {
      const started = performance.now();
      await runWayeb(invocation, args, {
        cwd: dir,
        properties: { "default.showMatchesForecasts": "false", ...properties },
      });
      return (performance.now() - started) / 1000;
    };
    const stats = async (name: string) =>
      parseRecognitionStats(await Deno.readTextFile(file(`${name}.csv`)), name);

    await run([
      "compile",
      `--patterns:${file("pattern.sre")}`,
      `--declarations:${file("declarations.sre")}`,
      `--outputFsm:${file("pattern.fsm")}`,
    ]);
    const recognitionWallSeconds = await run([
      "recognition",
      `--fsm:${file("pattern.fsm")}`,
      `--stream:${file("stream.csv")}`,
      "--domainSpecificStream:maritime",
      "--streamArgs:",
      `--statsFile:${file("recognition")}`,
    ]);
    const recognition = await stats("recognition");

    const trainWallSeconds = await run(
      learnArgs({
        patterns: file("pattern.sre"),
        declarations: file("declarations.sre"),
        stream: file("train.csv"),
        domain: "maritime",
        outputSpst: file("model.spst"),
      }),
      learnProperties({ order: 2, threshold: 0.5, pMin: 0.001, gamma: 0.001, alpha: 0, r: 1.05 }),
    );
    const forecastingWallSeconds = await run(forecastArgs({
      spst: file("model.spst"),
      stream: file("stream.csv"),
      domain: "maritime",
      statsFile: file("forecasting"),
    }, input.settings));
    const forecasting = await stats("forecasting");
    return {
      matches: recognition.matches,
      recognitionEventsPerSecond: recognition.streamSize / (recognition.execTimeNs / 1e9),
      recognitionWallSeconds,
      trainWallSeconds,
      forecastingEventsPerSecond: forecasting.streamSize / (forecasting.execTimeNs / 1e9),
      forecastingWallSeconds,
    };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
