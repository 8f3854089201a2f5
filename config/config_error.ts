/**
 * Configuration errors that say where and what: the file, the key path (`optimiser.evaluations`)
 * and the expected form of the value next to the value found.
 *
 * @module
 */

import type { z } from "zod";

/** A configuration that cannot be used; `problems` lists one line per problem. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  /** The file the problems are in (as given by the caller). */
  readonly file: string;
  /** One line per problem, each starting with the file name. */
  readonly problems: readonly string[];

  /** Builds the message from problems, each already prefixed with the file. */
  constructor(file: string, problems: readonly string[]) {
    super(
      problems.length === 1
        ? problems[0]
        : `${file}: ${problems.length} problems\n  ${problems.join("\n  ")}`,
    );
    this.file = file;
    this.problems = problems;
  }
}

/** Turns zod issues into a ConfigError; `input` is the validated data, to quote what was found. */
export function configErrorFromIssues(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  input: unknown,
): ConfigError {
  return new ConfigError(file, issues.map((issue) => `${file}: ${describeIssue(issue, input)}`));
}

function describeIssue(issue: z.core.$ZodIssue, input: unknown): string {
  const at = keyPath(issue.path);
  if (issue.code === "unrecognized_keys") {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(", ");
    const where = at === "" ? "at the top level" : `in ${at}`;
    return `unknown key${issue.keys.length > 1 ? "s" : ""} ${keys} ${where}`;
  }
  const label = at === "" ? "(top level)" : at;
  // Cross-field checks word their whole message themselves.
  if (issue.code === "custom") return `${label}: ${issue.message}`;
  const found = valueAt(input, issue.path);
  if (found === undefined) return `${label}: missing, expected ${issue.message}`;
  return `${label}: expected ${issue.message}, got ${quote(redacted(found, issue.path))}`;
}

/** `optimiser.evaluations`, `kafka.brokers[0]`. */
function keyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) =>
      typeof key === "number"
        ? `${text}[${key}]`
        : text === ""
        ? String(key)
        : `${text}.${String(key)}`,
    "",
  );
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Sections whose values are secrets or carry them (credentials; kafkajs's option mappings), and
 * key names that mark a secret anywhere: their values are never quoted.
 */
const SECRET_SECTIONS = ["kafka.sasl", "etcd.auth"];
const SECRET_KEY = /pass|secret|token|credential|username|private/i;
const HIDDEN = "(hidden: a secret)";

/** `value` found at `path`, with every secret in it replaced by a placeholder. */
export function redacted(value: unknown, path: readonly PropertyKey[]): unknown {
  const at = keyPath(path);
  const inSecretSection = SECRET_SECTIONS.some((s) => at === s || at.startsWith(`${s}.`));
  const last = path.at(-1);
  if (typeof last === "string" && SECRET_KEY.test(last)) return HIDDEN;
  if (inSecretSection && (typeof value !== "object" || value === null)) {
    return last === "mechanism" ? value : HIDDEN;
  }
  if (Array.isArray(value)) return value.map((item, i) => redacted(item, [...path, i]));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, redacted(item, [...path, key])]),
    );
  }
  return value;
}

const MAX_QUOTE = 60;

function quote(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_QUOTE ? `${text.slice(0, MAX_QUOTE)}...` : text;
}
