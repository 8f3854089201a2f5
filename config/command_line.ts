/**
 * The command line of `main.ts` and of the start task's launcher, read the one way both need:
 * arguments parsed, configuration loaded, `--http-port` applied. `--help` and usage or
 * configuration errors end here with their exit code, printed once.
 *
 * @module
 */

import { type CliCommand, CliError, type CliOptions, parseCliArgs, usage } from "./cli_args.ts";
import { ConfigError } from "./config_error.ts";
import { defaultConfig, loadConfig } from "./load.ts";
import type { RetuneConfig } from "./schema.ts";

/** A command line to run, or the exit code it already ended with. */
export type CommandLine =
  | { command: Extract<CliCommand, { kind: "run" }>; config: RetuneConfig }
  | { exitCode: number };

/** Parses `args` and loads the configuration they name, with `--http-port` applied. */
export async function readCommandLine(
  args: readonly string[],
  options: CliOptions = {},
): Promise<CommandLine> {
  try {
    const command = parseCliArgs(args, options);
    if (command.kind === "help") {
      console.log(usage());
      return { exitCode: 0 };
    }
    let config = command.configPath === null
      ? defaultConfig()
      : await loadConfig(command.configPath);
    if (command.httpPort !== null) {
      config = { ...config, http: { ...config.http, port: command.httpPort } };
    }
    return { command, config };
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`retune: ${error.message}`);
      if (error instanceof CliError) console.error(`run with --help for usage`);
      return { exitCode: 2 };
    }
    throw error;
  }
}
