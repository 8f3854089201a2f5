/**
 * Reading a file a command-line flag names, with the flag in the error when it is missing.
 *
 * @module
 */

import { CliError } from "../../config/cli_args.ts";

/** The text of the file at `path`; a missing file is a `CliError` naming `flag`. */
export async function readText(flag: string, path: string): Promise<string> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new CliError(`${flag} must name an existing file: '${path}' was not found`);
    }
    throw error;
  }
}
