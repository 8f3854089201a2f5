/**
 * What the HTTP server reads of a running system: the part of `RetuneSystem` that metrics,
 * health, readiness and the dashboard need, so each can be tested on a stand-in.
 *
 * @module
 */

import type { Decision, FleetModelStatus, RetuneSystem } from "../actors/system.ts";

/** The readable surface of a running system. */
export type ObservedSystem = Pick<
  RetuneSystem,
  | "roles"
  | "view"
  | "viewsOf"
  | "health"
  | "leads"
  | "lag"
  | "reports"
  | "decisions"
  | "modelVersions"
  | "deadLetters"
  | "instruct"
  | "fleet"
  | "trainingQueue"
  | "env"
  | "transport"
  | "serving"
>;

export type { Decision, FleetModelStatus };
