/**
 * A serving replica's state: what it reports (the model version loaded, whether it is ready and
 * why not, what it has served; in a fleet, each model's). Nothing here must survive a restart:
 * the live version is designated in the registry, and a replica that starts loads it again.
 *
 * @module
 */

/** What a replica reports of one model it serves. */
export interface ServedModelView {
  /** The version loaded; null before the first load. */
  version: number | null;
  /** The live version it is loading or last tried to load; null before it read the catalogue. */
  target: number | null;
  /** Loaded the designated version. */
  ready: boolean;
  /** What it serves, or why it is not ready. */
  detail: string;
}

/** What a serving replica reports. */
export interface ServingView {
  /** The model version loaded; null before the first load, and in a fleet (see `models`). */
  version: number | null;
  /** The live version it is loading or last tried to load; null before it read the catalogue. */
  target: number | null;
  /** Loaded the designated version (in a fleet, every model's): it answers forecasts. */
  ready: boolean;
  /** What it serves, or why it is not ready (in a fleet, naming each model not loaded). */
  detail: string;
  /** In a fleet, each model's version, readiness and why; absent without a fleet. */
  models?: Record<string, ServedModelView>;
  /** Versions loaded since it started. */
  loads: number;
  /** Load attempts that failed. */
  loadFailures: number;
  /** `POST /forecast` requests answered and events forecast. */
  requests: number;
  events: number;
}

/** A replica's tallies; only the serving role changes them. */
export class ServingState {
  loads = 0;
  loadFailures = 0;
  requests = 0;
  events = 0;

  /** A fresh replica's view, before it read any catalogue. */
  view(): Readonly<ServingView> {
    const { loads, loadFailures, requests, events } = this;
    return {
      version: null,
      target: null,
      ready: false,
      detail: "starting",
      loads,
      loadFailures,
      requests,
      events,
    };
  }
}
