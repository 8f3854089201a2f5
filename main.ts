/**
 * Retune's entry point: `deno task start [--role=<role>] [--config=<file>] [--input=<file>]
 * [--exit-at-end] [--summary=<file.json>]`.
 *
 * With no arguments it runs every role in one process on the bundled maritime sample and ends
 * with a summary. A role runs with only the permissions it needs: whatever the process was
 * granted beyond them is revoked before the role starts.
 *
 * @module
 */

import { CliError, parseCliArgs, usage } from "./config/cli_args.ts";
import { ConfigError } from "./config/config_error.ts";
import { defaultConfig, loadConfig } from "./config/load.ts";
import type { RetuneConfig } from "./config/schema.ts";
import { roleLogger, setupLogging } from "./logging/setup.ts";
import { deploymentOf, revokeUnneeded } from "./deploy/permissions.ts";
import { installShutdown } from "./actors/runtime/shutdown.ts";
import { RetuneSystem, type Summary } from "./actors/system.ts";
import { SERVICE_ROLES, type ServiceRole } from "./config/roles.ts";

/** Time the whole shutdown sequence may take. */
export const SHUTDOWN_DEADLINE_MS = 30_000;

/** Runs the command line; resolves with the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  let command;
  let config: RetuneConfig;
  try {
    command = parseCliArgs(args);
    if (command.kind === "help") {
      console.log(usage());
      return 0;
    }
    config = command.configPath === null ? defaultConfig() : await loadConfig(command.configPath);
  } catch (error) {
    if (error instanceof CliError || error instanceof ConfigError) {
      console.error(`retune: ${error.message}`);
      if (error instanceof CliError) console.error(`run with --help for usage`);
      return 2;
    }
    throw error;
  }

  setupLogging(config.logging);
  const log = roleLogger(command.role);
  const revoked = revokeUnneeded(command.role, deploymentOf(config, command.summaryPath));
  if (revoked.length > 0) {
    log.debug("revoked unneeded permissions: {revoked}", { revoked: revoked.join(", ") });
  }

  const embeddedDefault = args.length === 0;
  const roles: readonly ServiceRole[] = command.role === "all" ? SERVICE_ROLES : [command.role];
  const system = await RetuneSystem.build({
    config,
    roles,
    input: command.inputPath ?? undefined,
  });
  const shutdown = installShutdown([{ name: "roles", run: () => system.stop() }], {
    deadlineMs: SHUTDOWN_DEADLINE_MS,
    logger: log,
  });
  await system.start();
  log.info("running {roles}", { roles: roles.join(", ") });

  if (!(command.exitAtEnd || embeddedDefault)) {
    try {
      await system.done;
      return 0;
    } catch (error) {
      log.error("{error}", { error: error instanceof Error ? error.message : String(error) });
      return 1;
    }
  }

  try {
    await system.waitForEndOfInput();
  } catch (error) {
    log.error("{error}", { error: error instanceof Error ? error.message : String(error) });
    shutdown.dispose();
    await system.stop().catch(() => {});
    return 1;
  }
  shutdown.dispose();
  await system.stop();
  const summary = system.summary();
  if (command.summaryPath !== null) {
    await Deno.writeTextFile(command.summaryPath, JSON.stringify(summary, null, 2) + "\n");
  }
  console.log(describe(summary));
  return 0;
}

/** A few human lines about a finished run. */
function describe(summary: Summary): string {
  const mccs = summary.reports.map((r) => r.batch.mcc);
  const mean = mccs.length === 0 ? 0 : mccs.reduce((a, b) => a + b, 0) / mccs.length;
  return [
    `events in ${summary.events_in}, processed ${summary.events_processed}, ` +
    `dead letters ${summary.dead_letters}`,
    `forecasts ${summary.forecasts}, matches ${summary.matches}, reports ${summary.reports.length} ` +
    `(mean batch MCC ${mean.toFixed(3)})`,
    `dataset versions ${summary.dataset_versions}, buckets deleted ${summary.buckets_deleted}, ` +
    `models ${summary.model_versions.map((m) => `v${m.version} ${m.method}`).join(", ")}`,
    `wall ${summary.wall_seconds.toFixed(1)} s ` +
    `(${Math.round(summary.events_processed / summary.wall_seconds)} events/s)`,
  ].join("\n");
}

if (import.meta.main) Deno.exit(await main(Deno.args));
