/**
 * Runs one Wayeb task as a java subprocess and turns every way it can fail into a `WayebError`
 * that says what to do: no jar, no java, no permission to run java, a timeout, or a failed run
 * (with the command and the tail of its error output).
 *
 * @module
 */

import { commandLine, commandText, type WayebInvocation } from "./commands.ts";

/** A Wayeb run that could not start or did not succeed. */
export class WayebError extends Error {
  override readonly name = "WayebError";
}

/** Options of one run. */
export interface RunOptions {
  /** Working folder of the process. */
  cwd: string;
  /** Kill the run after this long; undefined waits for it to end. */
  timeoutMs?: number;
  /** JVM properties (`-Dname=value`), e.g. `learnProperties`. */
  properties?: Readonly<Record<string, string>>;
}

/** Lines of output quoted in a failure. */
const TAIL_LINES = 20;

/** Runs `java -jar <jar> <args>`; resolves when it exited successfully. */
export async function runWayeb(
  invocation: WayebInvocation,
  args: readonly string[],
  options: RunOptions,
): Promise<void> {
  await requireJar(invocation.jar);
  const argv = commandLine(invocation, args, options.properties);
  const signal = options.timeoutMs === undefined
    ? undefined
    : AbortSignal.timeout(options.timeoutMs);
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd: options.cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).output();
  } catch (error) {
    throw startFailure(invocation.java, error);
  }
  if (output.success) return;
  const command = commandText(argv);
  if (signal?.aborted) {
    throw new WayebError(
      `Wayeb ${args[0]} did not finish within ${options.timeoutMs} ms: ${command}`,
    );
  }
  // Wayeb logs to stdout; a crash's exception goes to stderr. Quote stderr, else stdout.
  const stderr = new TextDecoder().decode(output.stderr).trimEnd();
  const quoted = stderr !== "" ? stderr : new TextDecoder().decode(output.stdout).trimEnd();
  const tail = quoted.split("\n").slice(-TAIL_LINES).join("\n  ");
  throw new WayebError(
    `Wayeb ${args[0]} failed (exit code ${output.code}): ${command}\n  ${tail || "(no output)"}`,
  );
}

async function requireJar(jar: string): Promise<void> {
  try {
    const info = await Deno.stat(jar);
    if (!info.isFile) {
      throw new WayebError(`the Wayeb jar '${jar}' is not a file (model.wayeb.jar)`);
    }
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new WayebError(
        `the Wayeb jar '${jar}' does not exist: set model.wayeb.jar to your Wayeb jar`,
      );
    }
    throw error;
  }
}

function startFailure(java: string, error: unknown): Error {
  if (error instanceof Deno.errors.NotFound) {
    return new WayebError(
      `cannot run Wayeb: java executable '${java}' not found; install a Java runtime or set ` +
        `model.wayeb.java`,
      { cause: error },
    );
  }
  if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
    return new WayebError(
      `cannot run Wayeb: this process may not run '${java}' (it needs --allow-run=${java})`,
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}
