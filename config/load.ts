/**
 * Loads a configuration file: YAML -> environment overrides -> relative paths resolved against the
 * file's folder -> validated with defaults filled in. Every failure is a `ConfigError` naming the
 * file and, where it applies, the line and column or the key path and the expected form.
 *
 * Environment overrides (comma-separated lists; the `RETUNE_` name wins over the plain one):
 * `RETUNE_KAFKA_BROKERS` / `KAFKA_BROKERS` replace `kafka.brokers`, and
 * `RETUNE_ETCD_ENDPOINTS` / `ETCD_ENDPOINTS` replace `etcd.endpoints` when the file has an `etcd`
 * section. They change addresses only, never the mode: a variable left in a shell must not turn
 * an embedded run into one that needs a broker or etcd.
 *
 * Secrets (`config/secrets.ts`) are checked to be readable, never quoted.
 *
 * Parsing needs environment access even with explicit `env`: the yaml package reads its debug
 * variables `LOG_TOKENS` and `LOG_STREAM`.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse, YAMLParseError } from "yaml";
import type { z } from "zod";
import { ConfigError, configErrorFromIssues } from "./config_error.ts";
import { brokerAddress, configSchema, etcdEndpoint, type RetuneConfig } from "./schema.ts";
import { checkSecrets, type EnvLookup, processEnv } from "./secrets.ts";

/** Environment variables as a plain record. */
export type Environment = Record<string, string | undefined>;

/** Options of `loadConfig` and `parseConfig`. */
export interface LoadOptions {
  /** Variables to read overrides from. Default: the process environment. */
  env?: Environment;
}

/** Reads, validates and resolves a configuration file. */
export async function loadConfig(path: string, options: LoadOptions = {}): Promise<RetuneConfig> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    throw new ConfigError(path, [`${path}: cannot read the config file: ${messageOf(error)}`]);
  }
  return parseConfig(text, path, options);
}

/** Validates configuration text; `file` names it in errors and anchors its relative paths. */
export function parseConfig(text: string, file: string, options: LoadOptions = {}): RetuneConfig {
  const env: EnvLookup = options.env === undefined ? processEnv : (name) => options.env?.[name];
  const raw = parseYaml(text, file);
  applyEnvironment(raw, file, env);
  resolvePaths(raw, dirname(resolve(file)));
  const config = validate(raw, file);
  checkSecrets(config, { env, origin: file });
  return config;
}

/** The embedded default: every role in one process on the bundled maritime sample, no etcd. */
export function defaultConfig(): RetuneConfig {
  const root = fileURLToPath(new URL("../", import.meta.url));
  const raw: Record<string, unknown> = {
    model: {
      pattern: "deploy/examples/maritime/port_entering.pattern",
      declarations: "deploy/examples/maritime/port_entering.declarations",
      source: { domain: "maritime" },
      forecast: { mode: "classification", within: 10 },
    },
    // Paced: at full speed the sample is over before the first retrain is built.
    replayer: {
      file: "deploy/examples/maritime/vessel_227592820.csv",
      rate: { kind: "events_per_second", value: 10_000 },
    },
  };
  resolvePaths(raw, root);
  return validate(raw, "(built-in default)");
}

function parseYaml(text: string, file: string): Record<string, unknown> {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    if (error instanceof YAMLParseError) {
      const position = error.linePos?.[0];
      const where = position ? `${file}:${position.line}:${position.col}` : file;
      // yaml's message repeats the position and a code excerpt after the first line.
      const reason = error.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
      throw new ConfigError(file, [`${where}: YAML syntax error: ${reason}`]);
    }
    throw error;
  }
  if (document === null || document === undefined) return {};
  if (!isRecord(document)) {
    throw new ConfigError(file, [
      `${file}: expected a mapping of sections (transport, kafka, model, ...), got ${
        Array.isArray(document) ? "a list" : JSON.stringify(document)
      }`,
    ]);
  }
  return document;
}

interface EnvOverride {
  names: readonly [string, string];
  section: string;
  key: string;
  item: z.ZodType<string>;
  form: string;
  /** Whether the override may add the section when the file has none. */
  addsSection: boolean;
}

const ENV_OVERRIDES: readonly EnvOverride[] = [
  {
    names: ["RETUNE_KAFKA_BROKERS", "KAFKA_BROKERS"],
    section: "kafka",
    key: "brokers",
    item: brokerAddress,
    form: '"host:port" addresses',
    addsSection: true,
  },
  {
    names: ["RETUNE_ETCD_ENDPOINTS", "ETCD_ENDPOINTS"],
    section: "etcd",
    key: "endpoints",
    item: etcdEndpoint,
    form: '"http(s)://host:port" URLs',
    addsSection: false,
  },
];

/** The variables overrides are read from (a role may read only the variables it names). */
export const OVERRIDE_VARIABLES: readonly string[] = ENV_OVERRIDES.flatMap((o) => o.names);

function applyEnvironment(raw: Record<string, unknown>, file: string, env: EnvLookup): void {
  for (const override of ENV_OVERRIDES) {
    const name = override.names.find((n) => (env(n) ?? "").trim() !== "");
    if (name === undefined) continue;
    const value = env(name) as string;
    const section = raw[override.section];
    if (section === undefined && !override.addsSection) continue;
    // A malformed section is left for validation to report against the file.
    if (section !== undefined && !isRecord(section)) continue;
    const list = value.split(",").map((entry) => entry.trim());
    if (!list.every((entry) => override.item.safeParse(entry).success)) {
      throw new ConfigError(file, [
        `${file}: environment variable ${name}: expected a comma-separated list of ${override.form}, got ${
          JSON.stringify(value)
        }`,
      ]);
    }
    raw[override.section] = { ...section, [override.key]: list };
  }
}

/** Keys holding paths; relative ones are resolved against the config file's folder. */
const PATH_KEYS: readonly (readonly string[])[] = [
  ["storage", "dir"],
  ["model", "pattern"],
  ["model", "declarations"],
  ["model", "initialTraining", "file"],
  ["model", "wayeb", "jar"],
  ["replayer", "file"],
  ["kafka", "ssl", "ca"],
  ["kafka", "ssl", "cert"],
  ["kafka", "ssl", "key"],
  ["etcd", "tls", "ca"],
  ["etcd", "tls", "cert"],
  ["etcd", "tls", "key"],
];

function resolvePaths(raw: Record<string, unknown>, baseDir: string): void {
  for (const keys of PATH_KEYS) resolveAt(raw, keys, baseDir, () => true);
  // A fleet model's `model` overrides hold the same paths as the deployment's `model` section.
  for (const entry of Array.isArray(raw.models) ? raw.models : []) {
    if (!isRecord(entry)) continue;
    for (const keys of PATH_KEYS.filter((k) => k[0] === "model")) {
      resolveAt(entry, keys, baseDir, () => true);
    }
  }
  // `java` is a command name unless it contains a separator.
  resolveAt(raw, ["model", "wayeb", "java"], baseDir, (value) => value.includes("/"));
}

function resolveAt(
  raw: Record<string, unknown>,
  keys: readonly string[],
  baseDir: string,
  isPath: (value: string) => boolean,
): void {
  let parent: unknown = raw;
  for (const key of keys.slice(0, -1)) {
    if (!isRecord(parent)) return;
    parent = parent[key];
  }
  if (!isRecord(parent)) return;
  const last = keys[keys.length - 1];
  const value = parent[last];
  if (typeof value === "string" && value !== "" && !isAbsolute(value) && isPath(value)) {
    parent[last] = resolve(baseDir, value);
  }
}

function validate(raw: Record<string, unknown>, file: string): RetuneConfig {
  const result = configSchema.safeParse(raw);
  if (!result.success) throw configErrorFromIssues(file, result.error.issues, raw);
  return result.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
