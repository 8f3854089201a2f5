/**
 * The secrets a configuration names (Kafka SASL and etcd credentials) and how they are read. A
 * secret is written `${NAME}`: the environment variable NAME holds it, or, when NAME is unset, the
 * file NAME_FILE names does (the Docker and Kubernetes convention; one trailing line break is
 * dropped). Any other text is the secret itself, which suits a throwaway setup only.
 *
 * No message here quotes a secret: errors name the key, the variable and the file.
 *
 * @module
 */

import { ConfigError } from "./config_error.ts";
import type { RetuneConfig } from "./schema.ts";

/** Reads one environment variable; undefined when unset. */
export type EnvLookup = (name: string) => string | undefined;

/** One secret of a configuration: its key path and the text configured there. */
export interface SecretEntry {
  /** e.g. `kafka.sasl.password`. */
  key: string;
  /** `${NAME}` or the secret itself. */
  value: string;
}

const REFERENCE = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;

/** The variable `${NAME}` refers to, or null when the text is the secret itself. */
export function secretReference(value: string): string | null {
  return REFERENCE.exec(value)?.[1] ?? null;
}

/** Every secret the configuration names, by key path. */
export function secretsOf(config: Pick<RetuneConfig, "kafka" | "etcd">): SecretEntry[] {
  const entries: SecretEntry[] = [];
  const { sasl } = config.kafka;
  if (sasl !== undefined) {
    entries.push({ key: "kafka.sasl.username", value: sasl.username });
    entries.push({ key: "kafka.sasl.password", value: sasl.password });
  }
  const auth = config.etcd?.auth;
  if (auth !== undefined) {
    entries.push({ key: "etcd.auth.username", value: auth.username });
    entries.push({ key: "etcd.auth.password", value: auth.password });
  }
  return entries;
}

/** The environment variables the secrets may come from: each NAME and its NAME_FILE. */
export function secretVariables(config: Pick<RetuneConfig, "kafka" | "etcd">): string[] {
  const names = secretsOf(config).flatMap(({ value }) => {
    const name = secretReference(value);
    return name === null ? [] : [name, `${name}_FILE`];
  });
  return [...new Set(names)];
}

/** The files the secrets are read from (each NAME_FILE of an unset NAME). */
export function secretFiles(
  config: Pick<RetuneConfig, "kafka" | "etcd">,
  env: EnvLookup = processEnv,
): string[] {
  const files = secretsOf(config).flatMap(({ value }) => {
    const name = secretReference(value);
    if (name === null || isSet(env(name))) return [];
    const file = env(`${name}_FILE`);
    return isSet(file) ? [file] : [];
  });
  return [...new Set(files)];
}

/**
 * The secret configured at `key` as `value`; a ConfigError naming the key, the variable and the
 * file (never the secret) when it cannot be had.
 */
export function readSecret(
  entry: SecretEntry,
  options: { env?: EnvLookup; origin?: string } = {},
): string {
  const { env = processEnv, origin = "configuration" } = options;
  const name = secretReference(entry.value);
  if (name === null) return entry.value;
  const fail = (why: string) => new ConfigError(origin, [`${origin}: ${entry.key}: ${why}`]);
  const direct = env(name);
  if (isSet(direct)) return direct;
  const file = env(`${name}_FILE`);
  if (!isSet(file)) {
    throw fail(`environment variable ${name} is not set (nor ${name}_FILE, a file holding it)`);
  }
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (error) {
    const reason = error instanceof Error ? error.name : String(error);
    throw fail(`cannot read the file ${name}_FILE names ('${file}'): ${reason}`);
  }
  const secret = text.replace(/\r?\n$/, "");
  if (secret === "") throw fail(`the file ${name}_FILE names ('${file}') is empty`);
  return secret;
}

/** Checks that every secret of `config` can be read, so a missing one is found at start. */
export function checkSecrets(
  config: Pick<RetuneConfig, "kafka" | "etcd">,
  options: { env?: EnvLookup; origin?: string } = {},
): void {
  for (const entry of secretsOf(config)) readSecret(entry, options);
}

/** The process environment, one variable at a time (a role may read only the ones it names). */
export function processEnv(name: string): string | undefined {
  return Deno.env.get(name);
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== "";
}
