/**
 * Command-line arguments of `main.ts`: which role to run, with which configuration and input.
 * Bad arguments are a `CliError` whose `exitCode` (2, the usage-error convention) the caller
 * exits with after printing the message.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { isRole, type Role, ROLES } from "./roles.ts";

/** Arguments that cannot be used; exit with `exitCode` after printing the message. */
export class CliError extends Error {
  override readonly name = "CliError";
  /** The exit status for a usage error. */
  readonly exitCode = 2;
}

/** What the command line asks for. */
export type CliCommand =
  | { kind: "help" }
  | {
    kind: "run";
    role: Role;
    /** Configuration file; null means the built-in default. */
    configPath: string | null;
    /** Stream file for the replayer, overriding `replayer.file`. */
    inputPath: string | null;
    /** Stop once the input is replayed and fully processed. */
    exitAtEnd: boolean;
    /** Where to write a JSON summary on exit; `-` is stdout. */
    summaryPath: string | null;
    /** Overrides `logging.level`; `debug` also prints the detail of a failure. */
    logLevel: LogLevel | null;
    /** Overrides `http.port`: where /metrics, /healthz, /readyz and the dashboard are served. */
    httpPort: number | null;
  };

/** The levels `--log-level` accepts. */
export const LOG_LEVELS = ["debug", "info", "warning", "error"] as const;
/** A log level. */
export type LogLevel = typeof LOG_LEVELS[number];

/** Roles whose work reaches an end: the input file is replayed (and, in `all`, processed). */
export const REACH_AN_END: readonly Role[] = ["replayer", "all"];

/** Options of `parseCliArgs`. */
export interface CliOptions {
  /** Whether a file or folder exists. Default: asks the file system. */
  exists?: (path: string) => boolean;
  /** Whether this process may write the file. Default: asks Deno's permissions, never prompting. */
  writable?: (path: string) => boolean;
}

/** The `--summary` value that writes the summary to stdout. */
export const STDOUT = "-";

/** Roles that read the input stream file. */
const READS_INPUT: readonly Role[] = ["replayer", "all"];

/** Parses the arguments after the script name. */
export function parseCliArgs(args: readonly string[], options: CliOptions = {}): CliCommand {
  const exists = options.exists ?? pathExists;
  const writable = options.writable ?? mayWrite;
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        role: { type: "string" },
        config: { type: "string" },
        input: { type: "string" },
        "exit-at-end": { type: "boolean" },
        summary: { type: "string" },
        "log-level": { type: "string" },
        "http-port": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    throw new CliError(`${error instanceof Error ? error.message : error} (see --help)`);
  }
  if (values.help) return { kind: "help" };

  const role = values.role ?? "all";
  if (!isRole(role)) {
    throw new CliError(`--role must be one of ${ROLES.join(", ")}: current value is '${role}'`);
  }
  const configPath = existingFile("--config", values.config, exists);
  const inputPath = existingFile("--input", values.input, exists);
  if (inputPath !== null && !READS_INPUT.includes(role)) {
    throw new CliError(`--input is read by the replayer; role '${role}' does not read it`);
  }
  const exitAtEnd = values["exit-at-end"] ?? false;
  if (exitAtEnd && !REACH_AN_END.includes(role)) {
    throw new CliError(
      `--exit-at-end needs a role whose work ends (${REACH_AN_END.join(", ")}); ` +
        `role '${role}' serves until stopped`,
    );
  }
  const logLevel = values["log-level"] ?? null;
  if (logLevel !== null && !(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    throw new CliError(
      `--log-level must be one of ${LOG_LEVELS.join(", ")}: current value is '${logLevel}'`,
    );
  }
  const summaryPath = values.summary ?? null;
  if (summaryPath === "" || (summaryPath !== null && summaryPath.endsWith("/"))) {
    throw new CliError(`--summary must name a file or be -: current value is '${summaryPath}'`);
  }
  // Found out now rather than when the summary is written, at the end of a whole run. A missing
  // folder is created at start.
  if (summaryPath !== null && summaryPath !== STDOUT && !writable(summaryPath)) {
    throw new CliError(
      `--summary needs write access to '${summaryPath}', which this process was not granted ` +
        `(deno task start grants a role its --summary file; or --summary=- > ${summaryPath})`,
    );
  }
  return {
    kind: "run",
    role,
    configPath,
    inputPath,
    exitAtEnd,
    summaryPath,
    logLevel: logLevel as LogLevel | null,
    httpPort: portOf(values["http-port"]),
  };
}

function portOf(value: string | undefined): number | null {
  if (value === undefined) return null;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : NaN;
  if (!(port <= 65_535)) {
    throw new CliError(
      `--http-port must be an integer in [0, 65535] (0: any free port): current value is '${value}'`,
    );
  }
  return port;
}

function existingFile(
  flag: string,
  path: string | undefined,
  exists: (path: string) => boolean,
): string | null {
  if (path === undefined) return null;
  if (path === "" || !exists(path)) {
    throw new CliError(`${flag} must name an existing file: '${path}' was not found`);
  }
  return path;
}

function pathExists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    // A role run by the start task may not look beyond its files; its launcher checked.
    if (error instanceof Deno.errors.NotCapable) return true;
    throw error;
  }
}

function mayWrite(path: string): boolean {
  return Deno.permissions.querySync({ name: "write", path }).state === "granted";
}

/** The help text. */
export function usage(): string {
  return `Usage: deno task start [options]

Runs one Retune role, or every role in one process.

Options:
  --role=<role>       ${ROLES.join(" | ")} (default: all)
  --config=<file>     YAML configuration (default: the built-in embedded configuration)
  --input=<file>      stream to replay, overriding replayer.file (roles replayer and all)
  --exit-at-end       stop once the input is replayed (and, with all, processed)
                      (roles replayer and all)
  --summary=<file>    write a JSON summary of the run to this file on exit (its folder is
                      created); - writes it to stdout (the run's other lines go to stderr)
                      (deno task start grants the role writing it)
  --log-level=<level> debug | info | warning | error, overriding logging.level;
                      debug also prints the detail (stack) of a failure
  --http-port=<port>  port of /metrics, /healthz, /readyz and the dashboard, overriding
                      http.port (default 9464; 0: any free port)
  -h, --help          show this text

Examples:
  deno task start --config=deploy/examples/embedded.yaml --exit-at-end
  deno task start --role=engine --config=deploy/examples/kafka.yaml`;
}
