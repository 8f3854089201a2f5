/**
 * Builds the configured forecasting model. A `ModelSpec` carries the pattern and declarations as
 * text (read once from the configured files), so it can be sent to a training worker as is.
 *
 * @module
 */

import type { ModelConfig } from "../config/schema.ts";
import type { ForecastingModel } from "./model.ts";
import { CefModel } from "./cef/model.ts";
import type { ForecasterOptions } from "./cef/forecast/forecaster.ts";
import { WayebModel } from "./wayeb/model.ts";
import { streamFormatFor, type WayebStreamFormat } from "./wayeb/stream_file.ts";

/** Everything needed to build a model, as plain data. */
export type ModelSpec =
  | {
    kind: "cef-pst" | "cef-markov";
    pattern: string;
    declarations: string | null;
    forecast: ForecasterOptions;
  }
  | {
    kind: "wayeb";
    pattern: string;
    declarations: string | null;
    patternPath: string;
    declarationsPath: string | null;
    jar: string;
    java: string;
    workDir: string;
    streamFormat: WayebStreamFormat;
  };

/** Reads the configured pattern (and declarations) into a spec. */
export async function modelSpecOf(model: ModelConfig, storageDir: string): Promise<ModelSpec> {
  const pattern = await Deno.readTextFile(model.pattern);
  const declarations = model.declarations === undefined
    ? null
    : await Deno.readTextFile(model.declarations);
  if (model.kind !== "wayeb") {
    const { mode, within, cutoff } = model.forecast;
    const forecast: ForecasterOptions = {
      mode: mode === "interval" ? { kind: "interval" } : { kind: "classification", within },
      cutoff,
    };
    return { kind: model.kind, pattern, declarations, forecast };
  }
  return {
    kind: "wayeb",
    pattern,
    declarations,
    patternPath: model.pattern,
    declarationsPath: model.declarations ?? null,
    jar: model.wayeb!.jar,
    java: model.wayeb!.java,
    workDir: `${storageDir}/wayeb`,
    streamFormat: streamFormatFor(model.source.domain),
  };
}

/** The model a spec describes. */
export function createModel(spec: ModelSpec): ForecastingModel {
  switch (spec.kind) {
    case "cef-pst":
    case "cef-markov":
      return new CefModel({
        pattern: spec.pattern,
        declarations: spec.declarations ?? undefined,
        kind: spec.kind === "cef-pst" ? "pst" : "markov",
        forecast: spec.forecast,
      });
    case "wayeb":
      return new WayebModel({
        jar: spec.jar,
        java: spec.java,
        workDir: spec.workDir,
        patternPath: spec.patternPath,
        declarationsPath: spec.declarationsPath,
        streamFormat: spec.streamFormat,
      });
  }
}
