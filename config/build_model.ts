/**
 * The configuration's `model` section as a `ModelSpec`: reads the pattern and declarations files
 * once, so the spec can travel to a training worker as plain data.
 *
 * @module
 */

import type { ModelConfig } from "./schema.ts";
import type { ModelSpec } from "../models/create_model.ts";
import type { ForecasterOptions } from "../models/cef/forecast/forecaster.ts";
import { streamFormatFor } from "../models/wayeb/stream_file.ts";

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
