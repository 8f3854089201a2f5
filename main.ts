/**
 * Retune's entry point: `deno task start [--role=<role>] [--config=<file>] [--input=<file>]
 * [--exit-at-end] [--summary=<file.json>] [--log-level=<level>]`.
 *
 * With no arguments it runs every role in one process on the bundled maritime sample and ends
 * with a summary. Every process serves /metrics, /healthz, /readyz and the dashboard on one HTTP
 * server (`http.hostname`:`http.port`). A role runs with only the permissions it needs: whatever the process was
 * granted beyond them is revoked before the role starts.
 *
 * SIGINT or SIGTERM stops the roles within their shutdown timeouts (a second signal exits at
 * once); a failure that ends the process is printed as one line, with its detail at debug level.
 *
 * @module
 */

import { STDOUT } from "./config/cli_args.ts";
import { readCommandLine } from "./config/command_line.ts";
import type { RetuneConfig } from "./config/schema.ts";
import { roleLogger, setupLogging } from "./logging/setup.ts";
import type { Logger } from "./logging/logger.ts";
import { deploymentOf, revokeUnneeded } from "./deploy/permissions.ts";
import { checkWritable, UnwritablePathError } from "./deploy/write_check.ts";
import { installShutdown } from "./actors/runtime/shutdown.ts";
import { failureLine } from "./actors/runtime/failure_line.ts";
import { RetuneSystem, type Summary } from "./actors/system.ts";
import { SERVICE_ROLES, type ServiceRole } from "./config/roles.ts";
import { HttpServer } from "./http/server.ts";

/** Time the clients (transport, registry) may take to close after the roles stopped. */
export const CLOSE_CLIENTS_MS = 5_000;

/** Time the whole shutdown of `roles` may take: each role's timeout in turn, then the clients. */
export function shutdownDeadlineMs(config: RetuneConfig, roles: readonly ServiceRole[]): number {
  const { shutdownTimeoutMs, shutdownTimeoutMsByRole } = config.supervision;
  return roles.reduce(
    (sum, role) => sum + (shutdownTimeoutMsByRole[role] ?? shutdownTimeoutMs),
    0,
  ) +
    CLOSE_CLIENTS_MS;
}

/** Runs the command line; resolves with the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const read = await readCommandLine(args);
  if ("exitCode" in read) return read.exitCode;
  const { command, config } = read;

  setupLogging({ ...config.logging, level: command.logLevel ?? config.logging.level });
  const log = roleLogger(command.role);
  const summaryFile = command.summaryPath === STDOUT ? null : command.summaryPath;
  try {
    await checkWritable({
      role: command.role,
      storageDir: config.storage.dir,
      summaryPath: summaryFile,
    });
  } catch (error) {
    if (!(error instanceof UnwritablePathError)) throw error;
    console.error(`retune: ${command.role}: ${error.message}`);
    return 2;
  }
  let server: HttpServer;
  try {
    // Bound before the permissions are narrowed: the socket keeps serving without them.
    server = HttpServer.listen({ ...config.http, logger: roleLogger("http") });
  } catch (error) {
    const { hostname, port } = config.http;
    console.error(
      `retune: ${command.role}: cannot serve HTTP on ${hostname}:${port} (http.hostname, ` +
        `http.port): ${error instanceof Error ? error.message : error}; pick another with ` +
        `--http-port=<port> (0: any free port)`,
    );
    return 1;
  }
  const revoked = revokeUnneeded(
    command.role,
    deploymentOf(config, { ...command, summaryPath: summaryFile }),
  );
  if (revoked.length > 0) {
    log.debug("revoked unneeded permissions: {revoked}", { revoked: revoked.join(", ") });
  }
  const roles: readonly ServiceRole[] = command.role === "all" ? SERVICE_ROLES : [command.role];
  const fail = (error: unknown): number => {
    log.debug("failure detail: {error}", { error });
    const where = { kafka: config.kafka.brokers, etcd: config.etcd?.endpoints };
    console.error(`retune: ${command.role}: ${failureLine(error, where)}`);
    return 1;
  };

  let system: RetuneSystem;
  try {
    system = await RetuneSystem.build({
      config,
      roles,
      input: command.inputPath ?? undefined,
      httpUrl: server.url,
    });
  } catch (error) {
    await server.close();
    return fail(error);
  }
  server.attach(system);
  // The signal handler stops the system and ends the run with its exit code.
  const exit = Promise.withResolvers<number>();
  const shutdown = installShutdown([
    { name: "roles", run: () => system.stop() },
    { name: "http", run: () => server.close() },
  ], {
    deadlineMs: shutdownDeadlineMs(config, roles),
    logger: log,
    exit: exit.resolve,
  });
  const run = runSystem(system, {
    untilEnd: command.exitAtEnd || args.length === 0,
    log,
    url: server.url,
    signalled: shutdown.requested,
  });
  const code = await Promise.race([
    run.then(async (outcome) => {
      if (outcome === "signalled") return await exit.promise;
      shutdown.dispose();
      if (outcome instanceof Error) {
        // Closing clients of an unreachable service may hang: the failure is reported regardless.
        await Promise.race([system.stop().catch(() => {}), delay(CLOSE_CLIENTS_MS)]);
        await server.close();
        return fail(outcome.cause);
      }
      await system.stop();
      await server.close();
      await report(system, roles, command.summaryPath);
      return 0;
    }),
    exit.promise,
  ]);
  return code;
}

/**
 * Runs the system until it stops, or (`untilEnd`) until the end of its input. Resolves
 * "signalled" once a signal took over the shutdown, an Error wrapping the failure that ended
 * the system, or "ended".
 */
async function runSystem(
  system: RetuneSystem,
  options: { untilEnd: boolean; log: Logger; url: string; signalled: Promise<unknown> },
): Promise<"ended" | "signalled" | Error> {
  let signalled = false;
  options.signalled.then(() => signalled = true);
  try {
    await system.start();
    options.log.info("running {roles}; metrics, health and the dashboard on {url}", {
      roles: system.roles.join(", "),
      url: options.url,
    });
    await (options.untilEnd ? system.waitForEndOfInput() : system.done);
  } catch (error) {
    return signalled ? "signalled" : new Error("the system failed", { cause: error });
  }
  return signalled ? "signalled" : "ended";
}

/** Writes the summary file and prints what the run did. */
async function report(
  system: RetuneSystem,
  roles: readonly ServiceRole[],
  summaryPath: string | null,
): Promise<void> {
  const summary = system.summary();
  const json = JSON.stringify(summary, null, 2) + "\n";
  if (summaryPath === STDOUT) {
    const writer = Deno.stdout.writable.getWriter();
    await writer.write(new TextEncoder().encode(json));
    writer.releaseLock();
  } else if (summaryPath !== null) await Deno.writeTextFile(summaryPath, json);
  // With the summary on stdout, the human lines go to stderr so that stdout stays JSON.
  const print = summaryPath === STDOUT ? console.error : console.log;
  if (roles.includes("engine")) {
    print(describe(summary));
  } else {
    print(`events in ${summary.events_in}, wall ${summary.wall_seconds.toFixed(1)} s`);
  }
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
    ...(summary.by_model === undefined
      ? [
        `dataset versions ${summary.dataset_versions}, buckets deleted ${summary.buckets_deleted}, ` +
        `models ${summary.model_versions.map((m) => `v${m.version} ${m.method}`).join(", ")}`,
      ]
      : describeFleet(summary.by_model)),
    `wall ${summary.wall_seconds.toFixed(1)} s ` +
    `(${Math.round(summary.events_processed / summary.wall_seconds)} events/s)`,
  ].join("\n");
}

/** A line per model of a fleet (the first `FLEET_LINES`, then how many more). */
function describeFleet(byModel: NonNullable<Summary["by_model"]>): string[] {
  const models = Object.entries(byModel);
  const lines = models.slice(0, FLEET_LINES).map(([name, m]) =>
    `model ${name}: ${m.events_processed} events, ${m.reports} reports (last batch MCC ` +
    `${m.last_mcc === null ? "–" : m.last_mcc.toFixed(3)}), dataset versions ` +
    `${m.dataset_versions}, models ${m.model_versions.map((v) => `v${v}`).join(", ")}`
  );
  if (models.length > FLEET_LINES) {
    lines.push(`and ${models.length - FLEET_LINES} more models (see --summary)`);
  }
  return lines;
}

/** Models of a fleet the end-of-run lines name one by one. */
const FLEET_LINES = 20;

/** A pause; `main` ends in `Deno.exit`, so a pending one never holds the process. */
function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
