/**
 * What `/readyz` answers: whether each role run in this process can do its work now. Every role
 * needs its transport (and, with etcd, the registry) to answer; the engine needs a model loaded;
 * an elected role is ready leading or standing by (its election is decided in the registry, which
 * answered). A role restarting or stopped is not ready.
 *
 * @module
 */

import { LEADER_ROLES } from "../actors/leadership.ts";
import type { ServiceRole } from "../config/roles.ts";
import type { ObservedSystem } from "./observed_system.ts";

/** One check of `/readyz`. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** `/readyz`'s answer: ready when every check is. */
export interface Readiness {
  ready: boolean;
  checks: Check[];
}

/** Longest a probe of the transport or registry may take, ms. */
export const PROBE_TIMEOUT_MS = 2_000;

/** Checks `system`'s connections and each of its roles. */
export async function readiness(system: ObservedSystem): Promise<Readiness> {
  const [transport, registry] = await Promise.all([
    probe("transport", () => system.transport.partitions(system.env.topics.metrics)),
    probe("registry", () => system.env.registry.get("readiness-probe")),
  ]);
  const health = new Map(system.health().map((child) => [child.name, child]));
  const roles = system.roles.map((role): Check => {
    const status = health.get(role)?.status ?? "stopped";
    const name = `role ${role}`;
    // A replayer that replayed its file is done, not broken.
    if (status === "completed") return { name, ok: true, detail: "its work is done" };
    if (status !== "running") return { name, ok: false, detail: status };
    return { name, ...roleDetail(system, role) };
  });
  const checks = [transport, registry, ...roles];
  return { ready: checks.every((check) => check.ok), checks };
}

function roleDetail(system: ObservedSystem, role: ServiceRole): Omit<Check, "name"> {
  if (role === "engine") {
    const version = system.view("engine").modelVersion;
    return version === null
      ? { ok: false, detail: "no model loaded yet" }
      : { ok: true, detail: `forecasting with model v${version}` };
  }
  if (role === "serving") {
    const serving = system.view("serving");
    return { ok: serving.ready, detail: serving.detail };
  }
  if ((LEADER_ROLES as readonly string[]).includes(role)) {
    return { ok: true, detail: system.leads(role) ? "leading" : "standing by" };
  }
  return { ok: true, detail: "running" };
}

async function probe(name: string, call: () => Promise<unknown>): Promise<Check> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)),
      PROBE_TIMEOUT_MS,
    );
  });
  try {
    await Promise.race([call(), timeout]);
    return { name, ok: true, detail: "answers" };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}
