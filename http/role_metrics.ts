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

/** One value of a metric with its labels. */
type Sample = [labels: Record<string, string | number>, value: number];

/** A registry whose every metric reads `system` when scraped. */
export function roleMetrics(system: ObservedSystem): Registry {
  const registry = new Registry();
  /** The samples of the roles among `roles` that run here. */
  const of = (roles: [ServiceRole, () => number][]): Sample[] =>
    roles.filter(([role]) => system.roles.includes(role)).map(([role, read]) => [
      { role },
      read(),
    ]);
  const total = (name: string, help: string, labelNames: string[], read: () => Sample[]) =>
    new Counter({
      name,
      help,
      labelNames,
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
    read: () => Promise<Sample[]> | Sample[],
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

  total("retune_events_in_total", "Events taken in: forecast over (engine), kept (collector)", [
    "role",
  ], () =>
    of([
      ["engine", () => system.view("engine").eventsProcessed],
      // A fleet's collectors each keep their model's events.
      ["collector", () => sum(system.viewsOf("collector"), (view) => view.eventsCollected)],
    ]));
  total(
    "retune_events_out_total",
    "Events published to the input topic",
    ["role"],
    () => of([["replayer", () => system.view("replayer").sent]]),
  );
  total(
    "retune_forecasts_total",
    "Forecasts published",
    ["role"],
    () => of([["engine", () => system.view("engine").forecasts]]),
  );
  total(
    "retune_detections_total",
    "Pattern matches detected",
    ["role"],
    () => of([["engine", () => system.view("engine").detections]]),
  );
  total(
    "retune_dead_letters_total",
    "Records seen on the dead-letter topic",
    [],
    () => [[{}, system.deadLetters]],
  );
  total("retune_instructions_total", "Instructions seen on the instructions topic", [
    "action",
    "sender",
  ], () => {
    const counts = new Map<string, Sample>();
    for (const { action, sender } of system.decisions) {
      const key = `${action} ${sender}`;
      const sample = counts.get(key) ?? [{ action, sender }, 0];
      sample[1]++;
      counts.set(key, sample);
    }
    return [...counts.values()];
  });
  total(
    "retune_factory_decisions_total",
    "New models the factory's gate did not ship: the live model kept, or an earlier one recalled",
    ["decision"],
    () =>
      system.roles.includes("factory")
        ? [
          [{ decision: "kept" }, sum(system.viewsOf("factory"), (view) => view.liveKept)],
          [
            { decision: "recalled" },
            sum(
              system.viewsOf("factory"),
              (view) => view.modelsShipped.filter((model) => model.recalledFrom != null).length,
            ),
          ],
        ]
        : [],
  );
  total(
    "retune_restarts_total",
    "Restarts of a role in this process, for any reason",
    ["role"],
    () => system.health().map((child) => [{ role: child.name }, child.restarts]),
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
    "Model version the engine forecasts with, or a serving replica has loaded (-1: none yet)",
    ["role"],
    () =>
      of([
        ["engine", () => system.view("engine").modelVersion ?? -1],
        ["serving", () => system.view("serving").version ?? -1],
      ]),
  );
  gauge(
    "retune_serving_model_version",
    "In a fleet, each model's version the serving replica here has loaded (-1: none yet)",
    ["model"],
    () =>
      system.roles.includes("serving")
        ? Object.entries(system.view("serving").models ?? {}).map(([model, view]) => [
          { model },
          view.version ?? -1,
        ])
        : [],
  );
  gauge(
    "retune_serving_ready",
    "1 while the serving replica here serves the version designated live, else 0",
    ["role"],
    () => of([["serving", () => system.view("serving").ready ? 1 : 0]]),
  );
  total(
    "retune_serving_requests_total",
    "Forecast requests a serving replica answered, and the events they carried",
    ["role", "counted"],
    () =>
      system.roles.includes("serving")
        ? [
          [{ role: "serving", counted: "requests" }, system.view("serving").requests],
          [{ role: "serving", counted: "events" }, system.view("serving").events],
        ]
        : [],
  );
  total(
    "retune_serving_load_failures_total",
    "Model loads a serving replica tried that failed",
    ["role"],
    () => of([["serving", () => system.view("serving").loadFailures]]),
  );
  gauge(
    "retune_mcc",
    "MCC of the newest metrics report: its batch, or the run so far",
    ["window"],
    () => {
      const newest = system.reports.at(-1);
      return newest === undefined ? [] : [
        [{ window: "batch" }, newest.batch.mcc],
        [{ window: "cumulative" }, newest.cumulative.mcc],
      ];
    },
  );
  gauge(
    "retune_jobs_running",
    "Jobs under way: optimiser adaptations, factory runs",
    ["role"],
    () =>
      of([
        ["optimiser", () => sum(system.viewsOf("optimiser"), (view) => view.busy ? 1 : 0)],
        ["factory", () => sum(system.viewsOf("factory"), (view) => view.runs)],
      ]),
  );
  gauge(
    "retune_leader",
    "1 while this process leads the role's election, else 0",
    ["role"],
    () => of(LEADER_ROLES.map((role) => [role, () => system.leads(role) ? 1 : 0])),
  );
  gauge(
    "retune_role_up",
    "1 while the role runs in this process (or completed its work), else 0",
    ["role"],
    () =>
      system.health().map((child) => [
        { role: child.name },
        child.status === "running" || child.status === "completed" ? 1 : 0,
      ]),
  );
  gauge(
    "retune_model_batch_mcc",
    "Batch MCC of each model's newest metrics report (a fleet's, or the one model's)",
    ["model"],
    () =>
      system.fleet().flatMap((m) =>
        m.lastReport === null ? [] : [[{ model: m.name }, m.lastReport.batch.mcc] as Sample]
      ),
  );
  gauge(
    "retune_model_version_in_use",
    "Model version each model's engine lane forecasts with (-1 before the first)",
    ["model"],
    () => system.fleet().map((m) => [{ model: m.name }, m.modelVersion ?? -1]),
  );
  total(
    "retune_model_events_total",
    "Events each model's engine lane forecast",
    ["model"],
    () => system.fleet().map((m) => [{ model: m.name }, m.eventsProcessed]),
  );
  total(
    "retune_model_versions_total",
    "Model versions announced for each model",
    ["model"],
    () => system.fleet().map((m) => [{ model: m.name }, m.versions]),
  );
  gauge(
    "retune_training_jobs",
    "Jobs on a fleet's shared training pool, running or queued",
    ["state"],
    () => {
      const queue = system.trainingQueue();
      return queue === null ? [] : [
        [{ state: "running" }, queue.running],
        [{ state: "queued" }, queue.queued],
      ];
    },
  );
  return registry;
}

/** The sum of `count` over a role's views (a fleet's models'). */
function sum<V>(views: readonly V[], count: (view: V) => number): number {
  return views.reduce((total, view) => total + count(view), 0);
}
