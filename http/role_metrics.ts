/**
 * The Prometheus metrics of one process (prom-client), read from its roles when scraped: events
 * in and out, forecasts, dead letters, consumer lag per partition (from the broker), the model
 * version in use, the newest MCC, jobs running, leadership, restarts and role status.
 *
 * @module
 */

import { Counter, Gauge, Registry } from "prom-client";
import { LEADER_ROLES } from "../actors/leadership.ts";
import type { ServiceRole } from "../config/roles.ts";
import type { ObservedSystem } from "./observed_system.ts";

/** Prometheus's text exposition format, as prom-client writes it. */
export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

/** A registry whose every metric reads `system` when scraped. */
export function roleMetrics(system: ObservedSystem): Registry {
  const registry = new Registry();
  const runs = (role: ServiceRole) => system.roles.includes(role);
  const total = (name: string, help: string, read: () => [Record<string, string>, number][]) =>
    new Counter({
      name,
      help,
      labelNames: ["role"],
      registers: [registry],
      collect() {
        // The roles keep the totals; a scrape copies them.
        this.reset();
        for (const [labels, value] of read()) this.inc(labels, value);
      },
    });
  const gauge = (
    name: string,
    help: string,
    labelNames: string[],
    read: () => Promise<[Record<string, string | number>, number][]>,
  ) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        this.reset();
        for (const [labels, value] of await read()) this.set(labels, value);
      },
    });

  total(
    "retune_events_in_total",
    "Events a role took in (engine: forecast over; collector: kept)",
    () =>
      [
        ...(runs("engine") ? [[{ role: "engine" }, system.view("engine").eventsProcessed]] : []),
        ...(runs("collector")
          ? [[{ role: "collector" }, system.view("collector").eventsCollected]]
          : []),
      ] as [Record<string, string>, number][],
  );
  total(
    "retune_events_out_total",
    "Events the replayer published to the input topic",
    () => runs("replayer") ? [[{ role: "replayer" }, system.view("replayer").sent]] : [],
  );
  total(
    "retune_forecasts_total",
    "Forecasts the engine published",
    () => runs("engine") ? [[{ role: "engine" }, system.view("engine").forecasts]] : [],
  );
  total(
    "retune_detections_total",
    "Pattern matches the engine detected",
    () => runs("engine") ? [[{ role: "engine" }, system.view("engine").detections]] : [],
  );
  total(
    "retune_dead_letters_total",
    "Records seen on the dead-letter topic",
    () => [[{ role: "all" }, system.deadLetters]],
  );
  total(
    "retune_restarts_total",
    "Restarts of a role in this process, for any reason",
    () => system.health().map((child) => [{ role: child.name }, child.restarts]),
  );
  total(
    "retune_instructions_total",
    "Instructions seen on the instructions topic",
    () => [[{ role: "all" }, system.decisions.length]],
  );

  gauge(
    "retune_consumer_lag",
    "Records a role's consumer group has not committed yet, per partition, from the broker",
    ["group", "topic", "partition"],
    async () =>
      (await system.lag()).map((lag) => [
        { group: lag.group, topic: lag.topic, partition: lag.partition },
        lag.lag,
      ]),
  );
  gauge(
    "retune_model_version",
    "Model version the engine forecasts with (-1 before the first)",
    [],
    () => Promise.resolve(runs("engine") ? [[{}, system.view("engine").modelVersion ?? -1]] : []),
  );
  gauge(
    "retune_mcc",
    "MCC of the newest metrics report: its batch, or the run so far",
    ["window"],
    () => {
      const newest = system.reports.at(-1);
      return Promise.resolve(
        newest === undefined ? [] : [
          [{ window: "batch" }, newest.batch.mcc],
          [{ window: "cumulative" }, newest.cumulative.mcc],
        ],
      );
    },
  );
  gauge(
    "retune_jobs_running",
    "Jobs under way: optimiser adaptations, factory runs",
    ["role"],
    () =>
      Promise.resolve([
        ...(runs("optimiser")
          ? [[{ role: "optimiser" }, system.view("optimiser").busy ? 1 : 0]]
          : []),
        ...(runs("factory") ? [[{ role: "factory" }, system.view("factory").runs]] : []),
      ] as [Record<string, string>, number][]),
  );
  gauge(
    "retune_leader",
    "1 while this process leads the role's election, else 0",
    ["role"],
    () =>
      Promise.resolve(
        LEADER_ROLES.filter(runs).map((role) => [{ role }, system.leads(role) ? 1 : 0]),
      ),
  );
  gauge("retune_role_up", "1 while the role runs in this process, 0 while it restarts or stopped", [
    "role",
  ], () =>
    Promise.resolve(
      system.health().map((child) => [{ role: child.name }, child.status === "running" ? 1 : 0]),
    ));
  return registry;
}
