/**
 * Runs one forecasting case through the native CEF model (train on `train.csv`, forecast
 * `test.csv`) and compares it event by event with Wayeb's forecasts: the same rows must carry a
 * forecast, with the same interval and a probability within the case's tolerance, and the
 * matches must complete on the same rows.
 *
 * @module
 */

import { join } from "node:path";
import type { Forecast, StreamEvent } from "../../core/events.ts";
import { CefModel } from "../../models/cef/model.ts";
import { parseWayebStream } from "../../models/sources/wayeb_stream.ts";
import type { ForecastCase } from "./corpus.ts";
import type { Outcome, Verdict } from "./outcome.ts";
import { compareRows } from "./recognition_case.ts";

/** Runs `testCase` and judges it. */
export async function runForecastCase(testCase: ForecastCase): Promise<Outcome> {
  const judge = (verdict: Verdict, reason: string): Outcome => ({
    name: testCase.name,
    kind: "forecasting",
    tier: testCase.tier,
    verdict,
    reason,
  });
  const { params, expected } = testCase;
  const read = (file: string) => Deno.readTextFileSync(join(testCase.dir, file));
  const classify = params.foreMethod === "classify-nextk";
  let model: CefModel;
  let forecasts: (Forecast | null)[];
  let detections: number[];
  try {
    model = new CefModel({
      kind: params.modelType === "vmm" ? "pst" : "markov",
      pattern: read("pattern.sre"),
      declarations: params.declarations ? read("declarations.sre") : undefined,
      compat: "wayeb",
      forecast: {
        mode: classify
          ? { kind: "classification", within: params.maxSpread }
          : { kind: params.foreMethod === "argmax" ? "argmax" : "interval" },
        convention: "wayeb",
      },
    });
    const partitionBy = model.compiled.partitionBy;
    const train = eventsOf(read("train.csv"), params.domain, partitionBy);
    const artifact = await model.train(train.map(([, event]) => event), {
      order: params.order,
      threshold: params.threshold,
      pMin: params.pMin ?? 0.001,
      gamma: params.gammaMin ?? 0.001,
      alpha: params.alpha ?? 0,
      r: params.r ?? 1.05,
    });
    if (expected.error !== undefined) {
      return judge("fail", `Wayeb refuses at ${expected.error.stage} but Retune trained`);
    }
    const forecaster = await model.load(artifact, {
      threshold: params.threshold,
      horizon: params.horizon,
      maxSpread: params.maxSpread,
    }, 0);
    forecasts = [];
    detections = [];
    for (const [row, event] of eventsOf(read("test.csv"), params.domain, partitionBy)) {
      const step = forecaster.process(event);
      forecasts[row] = step.forecast;
      if (step.detection) detections.push(row);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (expected.error !== undefined) return judge("pass", `both refuse; Retune: ${message}`);
    return judge("fail", `Retune refused: ${message}`);
  }
  return compareForecasts(testCase, forecasts, detections, classify, judge);
}

function compareForecasts(
  testCase: ForecastCase,
  forecasts: readonly (Forecast | null)[],
  detections: readonly number[],
  classify: boolean,
  judge: (verdict: Verdict, reason: string) => Outcome,
): Outcome {
  const { expected } = testCase;
  const columns = expected.forecast_columns ?? [];
  const column = (name: string) => columns.indexOf(name);
  const tolerance = expected.tolerance?.prob ?? 0.005;
  const wanted = new Map<number, (number | boolean)[]>();
  for (const f of expected.forecasts ?? []) wanted.set(f[column("index")] as number, f);
  // Wayeb prints every classification forecast but only the intervals that reach the threshold.
  const emitted = new Map<number, Forecast>();
  forecasts.forEach((f, row) => {
    if (f !== null && f !== undefined && (classify || f.positive)) emitted.set(row, f);
  });
  let agree = 0;
  let firstBad = "";
  for (const [row, w] of wanted) {
    const f = emitted.get(row);
    const [ws, we, wp] = [w[column("start")], w[column("end")], w[column("prob")]] as number[];
    if (f === undefined) {
      firstBad ||= `row ${row}: Wayeb forecasts, Retune does not`;
    } else if (f.start - f.counter !== ws || f.end - f.counter !== we) {
      firstBad ||= `row ${row}: [${f.start - f.counter},${
        f.end - f.counter
      }] vs Wayeb [${ws},${we}]`;
    } else if (Math.abs(f.probability - wp) > tolerance) {
      firstBad ||= `row ${row}: p=${f.probability.toFixed(4)} vs Wayeb ${wp.toFixed(4)}`;
    } else if (classify && f.positive !== w[column("positive")]) {
      firstBad ||= `row ${row}: positive=${f.positive} vs Wayeb ${w[column("positive")]}`;
    } else agree++;
  }
  const extra = [...emitted.keys()].filter((row) => !wanted.has(row)).length;
  const matches = compareRows(expected.match_indices ?? [], detections);
  const pass = agree === wanted.size && extra === 0 && matches === null;
  const parts = [`${agree}/${wanted.size} Wayeb forecasts reproduced`, `${extra} extra`];
  parts.push(matches === null ? "matches agree" : matches);
  if (!pass && firstBad !== "") parts.push(`first: ${firstBad}`);
  return judge(pass ? "pass" : "fail", parts.join("; "));
}

/** The events of a Wayeb stream with their rows, keyed by the pattern's partition attribute. */
function eventsOf(
  text: string,
  domain: ForecastCase["params"]["domain"],
  partitionBy: string | null,
): [number, StreamEvent][] {
  const events: [number, StreamEvent][] = [];
  parseWayebStream(text, domain).forEach((row, index) => {
    if (row.kind !== "event") return;
    const key = partitionBy === null ? "" : String(row.event.attributes[partitionBy] ?? "");
    events.push([index, { ...row.event, key }]);
  });
  return events;
}
