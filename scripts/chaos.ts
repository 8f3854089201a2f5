/**
 * `deno task chaos [--short] [--minutes=N] [--seed=N] [--json=FILE] [--keep] [--client=C]`: the
 * chaos suite.
 * Starts Kafka, etcd and every role as its own OS process (leader + standby of the collector,
 * factory and optimiser), replays a drifting stream paced over the fault window while injecting
 * the seeded fault plan (`chaos/fault_plan.ts`; the phase kills wait for their phases side by
 * side, `chaos/injector.ts`), lets the fleet drain, stops it, then judges what
 * came out (`chaos/checks.ts`), prints the table and exits 1 if a check failed.
 *
 * @module
 */

import { shutdownDeadlineMs } from "../main.ts";
import { SERVICE_ROLES } from "../config/roles.ts";
import { bucketDeletionLog } from "../actors/environment.ts";
import type { BucketDeletion } from "../storage/deletion_log.ts";
import { startKafka } from "./services/kafka.ts";
import type { RunningService } from "./services/service_process.ts";
import { judge } from "./chaos/checks.ts";
import { prepareDeployment } from "./chaos/deployment.ts";
import { EtcdMember } from "./chaos/etcd_member.ts";
import { faultFreeDetections } from "./chaos/fault_free.ts";
import { planFaults } from "./chaos/fault_plan.ts";
import { RoleFleet } from "./chaos/fleet.ts";
import { Operator } from "./chaos/operator.ts";
import { injectFaults } from "./chaos/injector.ts";
import { LedgerWatch } from "./chaos/ledger_watch.ts";
import type { FaultRecord } from "./chaos/observations.ts";
import { type ChaosOptions, chaosUsage, parseChaosArgs } from "./chaos/options.ts";
import { reportTable, toReport } from "./chaos/report.ts";
import { auditStreams } from "./chaos/stream_audit.ts";
import { TopicProgress } from "./chaos/topic_progress.ts";

/** How long the broker stays paused and etcd stays down, ms. */
const BROKER_PAUSE_MS = 20_000;
const ETCD_DOWN_MS = 5_000;
/** How long the fleet may take to start (the factories train the initial model first), ms. */
const START_MS = 180_000;
/** The drain ends once input and output stood still this long, or at the cap, ms. */
const QUIET_MS = 15_000;
const DRAIN_CAP_MS = { short: 45_000, full: 120_000 };
/** An optimisation counts as under way while the factory reported within this, ms. */
const REPORTS_RECENT_MS = 4_000;

/** Runs the suite; the exit code. */
async function main(args: string[]): Promise<number> {
  let options: ChaosOptions | null;
  try {
    options = parseChaosArgs(args, Math.floor(Math.random() * 1_000_000));
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}`);
    return 2;
  }
  if (options === null) {
    console.log(chaosUsage());
    return 0;
  }
  const began = Date.now();
  const log = (line: string) =>
    console.error(`[chaos ${((Date.now() - began) / 1000).toFixed(0).padStart(4)} s] ${line}`);
  log(
    `seed ${options.seed}: ${options.events} events over a ${options.minutes}-minute fault window`,
  );

  const etcdData = await Deno.makeTempDir({ prefix: "retune-chaos-etcd-" });
  let kafka: RunningService | undefined;
  let etcd: EtcdMember | undefined;
  let fleet: RoleFleet | undefined;
  let operator: Operator | undefined;
  const emergency = () => {
    for (const instance of fleet?.instances ?? []) instance.kill();
    kafka?.kill();
    etcd?.killNow();
    Deno.removeSync(etcdData, { recursive: true });
    Deno.exit(130);
  };
  Deno.addSignalListener("SIGINT", emergency);
  Deno.addSignalListener("SIGTERM", emergency);
  try {
    log("starting Kafka and etcd");
    [kafka, etcd] = await Promise.all([startKafka(), EtcdMember.start(etcdData)]);
    const windowMs = options.minutes * 60_000;
    const deployment = await prepareDeployment({
      events: options.events,
      seed: options.seed,
      ratePerSecond: Math.ceil(options.events / (windowMs / 1000)),
      brokers: [kafka.endpoints],
      etcdEndpoints: [etcd.endpoints],
      client: options.client,
    });
    log(`run folder ${deployment.dir}; Kafka client ${deployment.config.kafka.client}`);
    await Deno.mkdir(`${deployment.dir}/logs`);
    try {
      const faultFree = faultFreeDetections(
        deployment.faultFreeConfigFile,
        deployment.stream,
        deployment.dir,
      );
      faultFree.catch(() => {});
      const ledger = new LedgerWatch(deployment.config);
      const progress = await TopicProgress.start(deployment.config);
      fleet = new RoleFleet(deployment.configFile, `${deployment.dir}/logs`);
      fleet.add("factory", 2);
      for (const role of ["engine", "observer"] as const) fleet.add(role, 1);
      for (const role of ["collector", "optimiser"] as const) fleet.add(role, 2);
      log("starting the fleet: 2 factories, engine, observer, 2 collectors, 2 optimisers");
      await Promise.all(fleet.instances.map((instance) => instance.start()));
      await until(
        () =>
          (["factory", "engine", "observer", "collector", "optimiser"] as const)
            .every((role) => fleet!.leaderOf(role) !== undefined),
        START_MS,
        "every role running (its leader elected)",
      );
      const [replayer] = fleet.add("replayer", 1, [`--input=${deployment.stream}`]);
      const windowStart = Date.now();
      const windowEnd = windowStart + windowMs;
      await replayer.start();
      const plan = planFaults({
        seed: options.seed,
        windowMs,
        randomKills: options.randomKills,
        etcdDownMs: ETCD_DOWN_MS,
        brokerPauseMs: BROKER_PAUSE_MS,
      });
      log(`replaying; ${plan.length} faults planned`);
      const faults: FaultRecord[] = [];
      const asks = operator = await Operator.connect(deployment.config);
      await injectFaults(
        plan,
        {
          fleet,
          // An optimisation: a frozen version, and the factory reporting its steps right now or
          // a command sent since its last report (a step it is running reports only when done;
          // the two in one sample count as a step sent, the freeze ending with the run). A
          // freeze outlives its dead owner for a lease.
          underWay: (phase) =>
            ledger.in(phase) &&
            (phase === "assembly" || progress.grewWithin("factoryReports", REPORTS_RECENT_MS) ||
              stepSent(progress)),
          etcd,
          broker: {
            pause: () => Deno.kill(kafka!.pid, "SIGSTOP"),
            resume: () => Deno.kill(kafka!.pid, "SIGCONT"),
          },
          askForOptimisation: () => asks.optimise(),
        },
        { windowStart, windowEnd, seed: options.seed, log },
        faults,
      );
      await sleep(windowEnd - Date.now());
      log("fault window over: draining");
      await drained(progress, options.short ? DRAIN_CAP_MS.short : DRAIN_CAP_MS.full);
      const runEnd = Date.now();
      log("stopping the fleet (SIGTERM)");
      // Each process runs one role: its deadline is that role's shutdown timeout and client close.
      const leaseTtlS = deployment.config.etcd?.leaseTtlSeconds ?? 10;
      const shutdownMs = Math.max(
        ...SERVICE_ROLES.map((role) => shutdownDeadlineMs(deployment.config, [role])),
      );
      const shutdowns = await fleet.stop(shutdownMs + 5_000);
      await progress.stop();
      // Kept watching through the shutdown: a stop that deletes buckets is judged too.
      await ledger.stop();
      log("reading the topics");
      const audit = await auditStreams(deployment.config, deployment.stream);
      const deletions = await readDeletions(bucketDeletionLog(deployment.config));
      log("waiting for the fault-free run");
      const detectionsFaultFree = await faultFree;
      const bucket = deployment.config.collector.bucket;
      const result = judge({
        windowStart,
        runEnd,
        faults,
        processes: fleet.events,
        offsets: progress.samples,
        ledger: ledger.samples,
        deletions,
        audit,
        detectionsFaultFree,
        shutdowns,
        ttlSeconds: leaseTtlS,
        replayerBatch: deployment.config.replayer.batchEvents,
        // Buckets by stream time close on any event past their end.
        bucketEvents: "byEvents" in bucket ? bucket.byEvents : 1,
        shutdownTimeoutSeconds: shutdownMs / 1000,
      });
      const report = toReport(result, {
        seed: options.seed,
        ttlSeconds: leaseTtlS,
        windowStart,
        faults,
      });
      console.log(reportTable(report));
      console.log(`wall time ${((Date.now() - began) / 1000).toFixed(0)} s`);
      if (options.json !== null) {
        await Deno.writeTextFile(options.json, JSON.stringify(report, null, 2) + "\n");
      }
      return report.ok ? 0 : 1;
    } finally {
      await fleet?.stop(1_000);
      await operator?.close();
      await deployment.dispose(options.keep);
      if (options.keep) log(`kept ${deployment.dir}`);
    }
  } finally {
    await etcd?.stop();
    await kafka?.stop();
    await Deno.remove(etcdData, { recursive: true }).catch(() => {});
  }
}

/**
 * Waits until input and output have stood still for `QUIET_MS` in samples taken from now on (a
 * paused broker gives none, and must not pass for quiet), or until `capMs` passed.
 */
async function drained(progress: TopicProgress, capMs: number): Promise<void> {
  const since = Date.now();
  const cap = since + capMs;
  while (Date.now() < cap) {
    const fresh = progress.samples.filter((sample) => sample.at >= since);
    const last = fresh.at(-1);
    const earlier = fresh.findLast((sample) => sample.at <= Date.now() - QUIET_MS);
    if (
      last !== undefined && earlier !== undefined && last.at >= Date.now() - 3_000 &&
      last.offsets.input === earlier.offsets.input && last.offsets.output === earlier.offsets.output
    ) return;
    await sleep(1_000);
  }
}

/** Whether a factory command was sent since the factory's last report (or in its sample). */
function stepSent(progress: TopicProgress): boolean {
  const sent = progress.lastGrewAt("factoryCommands");
  return sent !== undefined && sent >= (progress.lastGrewAt("factoryReports") ?? 0);
}

/** The deletion audit log's lines (none if nothing was deleted). */
async function readDeletions(path: string): Promise<BucketDeletion[]> {
  try {
    const text = await Deno.readTextFile(path);
    return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

/** Resolves once `condition` holds; rejects naming `what` after `ms`. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms`);
    await sleep(200);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

if (import.meta.main) Deno.exit(await main(Deno.args));
