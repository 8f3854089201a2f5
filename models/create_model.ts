/**
 * Builds a forecasting model from its spec. A `ModelSpec` carries the pattern and declarations as
 * text (read once from the configured files by `config/build_model.ts`), so it can be sent to a
 * training worker as is.
 *
 * @module
 */

import type { ForecastingModel } from "./model.ts";
import { CefModel } from "./cef/model.ts";
import type { ForecasterOptions } from "./cef/forecast/forecaster.ts";
import { WayebModel } from "./wayeb/model.ts";
import type { WayebStreamFormat } from "./wayeb/stream_file.ts";

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
