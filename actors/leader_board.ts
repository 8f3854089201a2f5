/**
 * Which elected roles this process leads right now, as `lead` records it: `/readyz`, `/metrics`
 * and the dashboard read it (the registry says who leads only to the candidates themselves).
 *
 * @module
 */

import type { ServiceRole } from "../config/roles.ts";

/** The elected roles this process leads; only `lead` changes it. */
export class LeaderBoard {
  readonly #leading = new Set<ServiceRole>();

  /** Records that this process now leads `role`. */
  won(role: ServiceRole): void {
    this.#leading.add(role);
  }

  /** Records that this process no longer leads `role` (lost, resigned or stopped). */
  lost(role: ServiceRole): void {
    this.#leading.delete(role);
  }

  /** Whether this process leads `role` now. */
  leads(role: ServiceRole): boolean {
    return this.#leading.has(role);
  }
}
