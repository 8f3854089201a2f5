/**
 * How a pattern file is recognised, in Wayeb's terms: the automaton model, the counting policy
 * and whether a match resets the pattern's runs.
 *
 * @module
 */

/**
 * `dsfa` deterministic (default), `nsfa` one run per start event, `nsra` with registers, `dsra`
 * with registers and at most one match per event (needs a window).
 */
export const FSM_MODELS = ["dsfa", "nsfa", "nsra", "dsra"] as const;

/** An automaton model (Wayeb's `--fsmModel`). */
export type FsmModel = typeof FSM_MODELS[number];

/** `nonoverlap` restarts after a match (default); `overlap` reports every matching suffix. */
export const COUNT_POLICIES = ["nonoverlap", "overlap"] as const;

/** A counting policy (Wayeb's `--countPolicy`, deterministic model only). */
export type CountPolicy = typeof COUNT_POLICIES[number];

/** Recognition settings; every field has Wayeb's default. */
export interface RecognitionOptions {
  /** Default `dsfa`. */
  readonly fsmModel?: FsmModel;
  /** Default `nonoverlap`. */
  readonly countPolicy?: CountPolicy;
  /** Wayeb's `--reset:true`: a match puts the pattern's runs of its partition back to start. */
  readonly reset?: boolean;
  /** Declarations text (extra predicates, exclusive groups). */
  readonly declarations?: string;
  /** `"wayeb"` reproduces Wayeb where it departs from the plain meaning (see README). */
  readonly compat?: "wayeb";
}
