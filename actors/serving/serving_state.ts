/**
 * A serving replica's state: what it reports (the model version loaded, whether it is ready and
 * why not, what it has served). Nothing here must survive a restart: the live version is
 * designated in the registry, and a replica that starts loads it again.
 *
 * @module
 */

/** What a serving replica reports. */
export interface ServingView {
  /** The model version loaded; null before the first load. */
  version: number | null;
  /** The live version it is loading or last tried to load; null before it read the catalogue. */
  target: number | null;
  /** Loaded the designated version: it answers forecasts. */
  ready: boolean;
  /** What it serves, or why it is not ready. */
  detail: string;
  /** Versions loaded since it started. */
  loads: number;
  /** Load attempts that failed. */
  loadFailures: number;
  /** `POST /forecast` requests answered and events forecast. */
  requests: number;
  events: number;
}

/** A replica's own state; only the serving role changes it. */
export class ServingState {
  version: number | null = null;
  target: number | null = null;
  ready = false;
  detail = "starting";
  loads = 0;
  loadFailures = 0;
  requests = 0;
  events = 0;

  /** A copy for readers. */
  view(): Readonly<ServingView> {
    const { version, target, ready, detail, loads, loadFailures, requests, events } = this;
    return { version, target, ready, detail, loads, loadFailures, requests, events };
  }
}
