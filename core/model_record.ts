/**
 * What the registry keeps of a model version beyond what the factory announces: where it came
 * from (lineage) and whether its artifact is still kept, and which version the deployment
 * designates as live (the one serving replicas load; a rollback designates an earlier one).
 *
 * @module
 */

import type { CreationMethod, ModelVersion } from "./versions.ts";

/** Where a model version came from. */
export interface ModelLineage {
  /** The version live when it was made, which it replaced; null for the first. */
  parent: number | null;
  /** Why it was made. */
  reason: CreationMethod;
}

/** A model version as the registry keeps it, for as long as the deployment lives. */
export interface ModelRecord extends ModelVersion {
  lineage: ModelLineage;
  /** Epoch ms its artifact was deleted; null while it is kept (and the version may go live). */
  artifactRetiredAt: number | null;
}

/** Which model version is live, and who made it so and why. */
export interface Designation {
  version: number;
  /** Epoch ms. */
  designatedAt: number;
  /** Who designated it: `factory` (a new model) or the instance that asked (a rollback). */
  by: string;
  reason: string;
}
