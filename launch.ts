/**
 * The start task's entry point: `deno task start [main.ts's arguments]` runs `main.ts` as the role
 * asked for under exactly the permissions that role needs in this configuration
 * (`deploy/permissions.ts`): network to the configured brokers and etcd endpoints only, reading
 * the configured files and folders only, writing the storage folder only where the role writes,
 * and only the environment variables the configuration names.
 *
 * This process reads the arguments and the configuration and resolves the configured host names
 * (which is all its own permissions are for), starts `deno run <the role's flags> main.ts <arguments>` with the same terminal, passes
 * SIGINT, SIGTERM and SIGHUP on and exits with the role's exit code. `--log-level=debug` prints
 * the flags first.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { readCommandLine } from "./config/command_line.ts";
import { denoFlags, deploymentOf, permissionsFor, resolveHosts } from "./deploy/permissions.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));
const FORWARDED: readonly Deno.Signal[] = ["SIGINT", "SIGTERM", "SIGHUP"];
const SIGNAL_NUMBERS: Partial<Record<Deno.Signal, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

/** The `deno run` arguments that run main.ts with `args` under its role's permissions. */
export async function roleCommand(args: readonly string[]): Promise<string[] | number> {
  // Whether the summary file may be written is for the role process to check, under its flags.
  const read = await readCommandLine(args, { writable: () => true });
  if ("exitCode" in read) return read.exitCode;
  const { command, config } = read;
  const deployment = await resolveHosts(deploymentOf(config, command));
  const flags = denoFlags(permissionsFor(command.role, deployment));
  return ["run", ...flags, MAIN, ...args];
}

/** Runs the role process; resolves with its exit code. */
async function launch(args: readonly string[]): Promise<number> {
  const runArgs = await roleCommand(args);
  if (typeof runArgs === "number") return runArgs;
  if (args.includes("--log-level=debug")) {
    console.error(`retune: running deno ${runArgs.join(" ")}`);
  }
  const child = new Deno.Command(Deno.execPath(), {
    args: runArgs,
    stdin: "inherit",
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  const listeners = FORWARDED.map((signal) => {
    const listener = () => {
      try {
        child.kill(signal);
      } catch (error) {
        // It ended between the signal and now.
        if (!(error instanceof TypeError)) throw error;
      }
    };
    Deno.addSignalListener(signal, listener);
    return [signal, listener] as const;
  });
  const status = await child.status;
  for (const [signal, listener] of listeners) Deno.removeSignalListener(signal, listener);
  return status.signal === null ? status.code : 128 + (SIGNAL_NUMBERS[status.signal] ?? 0);
}

if (import.meta.main) Deno.exit(await launch(Deno.args));
