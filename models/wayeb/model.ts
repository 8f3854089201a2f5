/**
 * The Wayeb adapter: trains and tests models by running a user-supplied Wayeb jar. Retune does
 * not ship or port Wayeb (its licence allows non-commercial research use only); it only calls it.
 *
 * Wayeb forecasts in batch over a file, not one event at a time through an API, so this adapter
 * serves the factory (train, test) but cannot give the engine an online `Forecaster`: `load`
 * rejects, and the engine forecasts with the native model. Use it to train and score candidates
 * with Wayeb itself, e.g. to compare them with the native implementation.
 *
 * Each run works in a fresh folder under `workDir` (pattern copy with the candidate's order, the
 * stream file, the model and statistics files) and removes it afterwards, so the process needs
 * `--allow-run=<java>`, read access to the jar and pattern files, and write access to `workDir`.
 * The trained model (Wayeb's serialised SPST) travels inside the artifact, base64-encoded, so the
 * artifact store can move it like any other artifact.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { join } from "node:path";
import type { HyperParameters } from "../../core/hyper_parameters.ts";
import type { StreamEvent } from "../../core/events.ts";
import type {
  Forecaster,
  ForecastingModel,
  ForecastSettings,
  ModelArtifact,
  ModelMetrics,
} from "../model.ts";
import { forecastArgs, learnArgs, learnProperties, type WayebInvocation } from "./commands.ts";
import { runWayeb, WayebError } from "./runner.ts";
import { parseClassificationStats, parseRecognitionStats, toModelMetrics } from "./stats.ts";
import { wayebDeclarations, wayebPattern } from "./wayeb_text.ts";
import {
  streamExtension,
  wayebDomain,
  wayebStream,
  type WayebStreamFormat,
} from "./stream_file.ts";

/** Artifact format written by this adapter. */
export const WAYEB_ARTIFACT_FORMAT = "wayeb-spst/1";

/** What the adapter needs to run Wayeb. */
export interface WayebOptions {
  /** The user's Wayeb jar. */
  jar: string;
  /** The java command or path. Default `java`. */
  java?: string;
  /** Pattern file in Wayeb's syntax (one pattern). */
  patternPath: string;
  /** Declarations file (extra predicates, exclusive groups), if any. */
  declarationsPath?: string | null;
  /** How datasets are written for Wayeb; see `streamFormatFor`. */
  streamFormat: WayebStreamFormat;
  /** Folder the runs work in (created if missing). */
  workDir: string;
  /** Kill a Wayeb run after this long. Default: no limit. */
  timeoutMs?: number;
}

/** A trained Wayeb model. */
interface WayebArtifact extends ModelArtifact {
  format: typeof WAYEB_ARTIFACT_FORMAT;
  params: HyperParameters;
  /** Wayeb's serialised prediction suffix tree, base64. */
  spst: string;
}

/** Trains and tests with a user-supplied Wayeb jar; cannot forecast online (see module doc). */
export class WayebModel implements ForecastingModel {
  readonly name = "wayeb";
  readonly #options: WayebOptions;
  readonly #invocation: WayebInvocation;

  /** Checks the options; files are checked when a run needs them. */
  constructor(options: WayebOptions) {
    for (const key of ["jar", "patternPath", "workDir"] as const) {
      if (options[key].trim() === "") {
        throw new RangeError(`Wayeb option ${key} must be a path: current value is ''`);
      }
    }
    this.#options = options;
    this.#invocation = { java: options.java ?? "java", jar: options.jar };
  }

  /** Runs `learnSPST` on the dataset with the candidate's parameters. */
  async train(dataset: readonly StreamEvent[], params: HyperParameters): Promise<ModelArtifact> {
    requireEvents(dataset, "train");
    requireParams(params);
    // Wayeb reads neither Retune's extensions (comments, groups without commas) nor an order
    // option: both files are written out in its own syntax, with the candidate's order.
    const pattern = wayebPattern(await Deno.readTextFile(this.#options.patternPath), params.order);
    const declarationsPath = this.#options.declarationsPath;
    const declarations = declarationsPath
      ? wayebDeclarations(await Deno.readTextFile(declarationsPath))
      : null;
    return await this.#inRunFolder(async (dir) => {
      const files = {
        patterns: join(dir, "pattern.sre"),
        declarations: declarations === null ? undefined : join(dir, "declarations.sre"),
        stream: await this.#writeStream(dir, "train", dataset),
        domain: wayebDomain(this.#options.streamFormat),
        outputSpst: join(dir, "model.spst"),
      };
      await Deno.writeTextFile(files.patterns, pattern);
      if (declarations !== null) await Deno.writeTextFile(files.declarations!, declarations);
      await runWayeb(this.#invocation, learnArgs(files), {
        ...this.#runOptions(dir),
        properties: learnProperties(params),
      });
      const spst = await readOutput(files.outputSpst, "learnSPST");
      const artifact: WayebArtifact = {
        format: WAYEB_ARTIFACT_FORMAT,
        params,
        spst: Buffer.from(spst).toString("base64"),
      };
      return artifact;
    });
  }

  /** Runs `forecasting` (classification mode) over the dataset and reads Wayeb's statistics. */
  async test(
    artifact: ModelArtifact,
    dataset: readonly StreamEvent[],
    settings: ForecastSettings,
  ): Promise<ModelMetrics> {
    const model = asWayebArtifact(artifact);
    requireEvents(dataset, "test");
    return await this.#inRunFolder(async (dir) => {
      const files = {
        spst: join(dir, "model.spst"),
        stream: await this.#writeStream(dir, "test", dataset),
        domain: wayebDomain(this.#options.streamFormat),
        statsFile: join(dir, "stats"),
      };
      await Deno.writeFile(files.spst, Buffer.from(model.spst, "base64"));
      await runWayeb(this.#invocation, forecastArgs(files, settings), this.#runOptions(dir));
      const recognitionFile = `${files.statsFile}.csv`;
      const patternStatsFile = `${files.statsFile}_pattern`;
      const decoder = new TextDecoder();
      const recognition = parseRecognitionStats(
        decoder.decode(await readOutput(recognitionFile, "forecasting")),
        recognitionFile,
      );
      const classification = parseClassificationStats(
        decoder.decode(await readOutput(patternStatsFile, "forecasting")),
        patternStatsFile,
      );
      return toModelMetrics(recognition, classification, settings.maxSpread);
    });
  }

  /** Always rejects: Wayeb forecasts in batch over files, so the engine uses the native model. */
  load(
    _artifact: ModelArtifact,
    _settings: ForecastSettings,
    _version: number,
  ): Promise<Forecaster> {
    return Promise.reject(
      new WayebError(
        "the Wayeb adapter trains and tests models but cannot forecast online: Wayeb forecasts " +
          "in batch over a file. Run the engine with the native model (model.kind cef-pst or " +
          "cef-markov); use kind wayeb to train and score candidates with Wayeb itself.",
      ),
    );
  }

  async #writeStream(dir: string, name: string, events: readonly StreamEvent[]): Promise<string> {
    const format = this.#options.streamFormat;
    const path = join(dir, `${name}.${streamExtension(format)}`);
    await Deno.writeTextFile(path, wayebStream(events, format));
    return path;
  }

  #runOptions(cwd: string) {
    return { cwd, timeoutMs: this.#options.timeoutMs };
  }

  async #inRunFolder<T>(work: (dir: string) => Promise<T>): Promise<T> {
    await Deno.mkdir(this.#options.workDir, { recursive: true });
    const dir = await Deno.makeTempDir({ dir: this.#options.workDir, prefix: "wayeb-run-" });
    try {
      return await work(dir);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
}

function requireEvents(dataset: readonly StreamEvent[], task: string): void {
  if (dataset.length === 0) {
    throw new RangeError(`cannot ${task} a Wayeb model on an empty dataset`);
  }
}

function requireParams(params: HyperParameters): void {
  const checks: [keyof HyperParameters, boolean, string][] = [
    ["pMin", params.pMin > 0 && params.pMin < 1, "in (0, 1)"],
    ["gamma", params.gamma > 0 && params.gamma < 1, "in (0, 1)"],
    ["alpha", params.alpha >= 0, ">= 0"],
    ["r", params.r > 0, "> 0"],
  ];
  for (const [name, ok, range] of checks) {
    if (!ok) throw new RangeError(`${name} must be ${range}: current value is ${params[name]}`);
  }
}

function asWayebArtifact(artifact: ModelArtifact): WayebArtifact {
  if (artifact.format !== WAYEB_ARTIFACT_FORMAT || typeof artifact.spst !== "string") {
    throw new RangeError(
      `artifact format must be '${WAYEB_ARTIFACT_FORMAT}': current value is '${artifact.format}'`,
    );
  }
  return artifact as WayebArtifact;
}

/** A file Wayeb should have written; its absence after a successful exit is an error. */
async function readOutput(path: string, task: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new WayebError(`Wayeb ${task} exited successfully but did not write ${path}`);
    }
    throw error;
  }
}
