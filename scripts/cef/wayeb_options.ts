/**
 * Wayeb's command-line options: `--name:value`, `--name=value` or `--name value`, each name
 * once. The result keeps the names as written; a name the command does not know is refused.
 *
 * @module
 */

import { CliError } from "../../config/cli_args.ts";

/** Parses `args` of `command`, allowing only `known` names; throws CliError on bad input. */
export function parseWayebOptions(
  command: string,
  args: readonly string[],
  known: readonly string[],
): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const match = /^--([A-Za-z]+)(?:[:=](.*))?$/.exec(args[i]);
    if (match === null) {
      throw new CliError(
        `${command}: options are written --name:value: current value is '${args[i]}'`,
      );
    }
    const [, name, inline] = match;
    if (!known.includes(name)) {
      throw new CliError(
        `${command}: unknown option --${name}; known options: ${
          known.map((k) => `--${k}`).join(", ")
        }`,
      );
    }
    const value = inline ?? args[++i];
    if (value === undefined) throw new CliError(`${command}: --${name} needs a value`);
    if (options.has(name)) throw new CliError(`${command}: --${name} is given twice`);
    options.set(name, value);
  }
  return options;
}
