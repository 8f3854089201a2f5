/**
 * The optimiser's state as the state store keeps it: its snapshot, and the optimisation run under
 * way (points asked, evaluations told), so an optimiser that takes over in another process knows
 * of a run its predecessor left unfinished and can end it cleanly.
 *
 * @module
 */

import { z } from "zod";
import { countSchema } from "../role_snapshot.ts";
import { evaluationSchema, type OptimiserSnapshot, OptimiserState } from "./optimiser_state.ts";

/** Where the optimiser leader keeps its state. */
export const OPTIMISER_STATE_KEY = { role: "optimiser", name: "leader" };

const runSchema = z.strictObject({
  runId: z.string().min(1),
  asked: countSchema,
  evaluations: z.array(evaluationSchema),
});

/** The run under way as stored. */
export type StoredRun = z.infer<typeof runSchema>;

/** The optimiser's stored state: its snapshot and the run under way (null: none). */
export interface DurableOptimiser {
  state: OptimiserSnapshot;
  run: StoredRun | null;
}

/** Checks a stored optimiser state: the snapshot by the optimiser state's own schema. */
export const durableOptimiserSchema = {
  parse(value: unknown): DurableOptimiser {
    const { state, run } = z.strictObject({ state: z.unknown(), run: runSchema.nullable() })
      .parse(value);
    return { state: OptimiserState.restore(state).snapshot(), run };
  },
};
