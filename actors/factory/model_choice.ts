/**
 * Which model goes into service after a retrain or an optimisation: the new candidate, the live
 * model kept, or an earlier version recalled. Each is scored on the candidate's own held-out data
 * (the same test sets), so a retrain that came out worse than what serves now (a trend dip on
 * noise sets one off on data that do not describe the regime) is not shipped, and a model of a
 * regime that returns is brought back instead of being learnt again.
 *
 * The margin favours the candidate (it is fresh; the others may have seen part of the test data)
 * and, among the models already made, the live one: another replaces it only when it beats it by
 * more than the margin.
 *
 * The live model counts with the lower of its held-out MCC and its batch MCC in service, when the
 * report that set the command off gave one: held-out data lag the stream, so right after a drift
 * they still favour the model that has just been seen failing on the new regime.
 *
 * @module
 */

/** A model already made, scored on the candidate's held-out data. */
export interface Rival {
  version: number;
  /** Mean held-out MCC over the candidate's test sets. */
  mcc: number;
  /** The version live now (at most one rival is). */
  live: boolean;
  /** The live version's batch MCC in service, from the report that set the command off. */
  served?: number;
}

/** The outcome, with why, in words for the factory report. */
export type ModelChoice =
  | { kind: "candidate"; reason: string }
  | { kind: "kept"; version: number; reason: string }
  | { kind: "recalled"; version: number; reason: string };

/**
 * Chooses between a candidate of held-out MCC `candidateMcc` and `rivals` (the live version and
 * the earlier ones kept): the candidate unless the best rival beats it by more than `margin`;
 * then an earlier version if it beats the live one by more than `margin`, else the live one.
 */
export function chooseModel(
  candidateMcc: number,
  rivals: readonly Rival[],
  margin: number,
): ModelChoice {
  if (!(margin >= 0)) {
    throw new RangeError(`margin must be a number >= 0: current value is ${margin}`);
  }
  if (rivals.filter((rival) => rival.live).length > 1) {
    throw new RangeError(
      `rivals: expected at most one live version, got ${
        rivals.filter((rival) => rival.live).map((rival) => `v${rival.version}`).join(", ")
      }`,
    );
  }
  const live = rivals.find((rival) => rival.live);
  // The live one counts no better than it fares in service.
  const liveMcc = live === undefined ? -Infinity : Math.min(live.mcc, live.served ?? Infinity);
  const earlier = rivals.filter((rival) => !rival.live)
    .reduce<Rival | undefined>(
      (best, rival) => best === undefined || rival.mcc > best.mcc ? rival : best,
      undefined,
    );
  const best = Math.max(liveMcc, earlier?.mcc ?? -Infinity);
  const scored = `held-out MCC ${candidateMcc.toFixed(3)}`;
  if (candidateMcc >= best - margin) {
    const against = live === undefined ? "" : ` (live v${live.version}: ${liveScore(live)})`;
    return { kind: "candidate", reason: `new model, ${scored}${against}` };
  }
  if (earlier !== undefined && earlier.mcc > liveMcc + margin) {
    return {
      kind: "recalled",
      version: earlier.version,
      reason: `recalled v${earlier.version}: held-out MCC ${earlier.mcc.toFixed(3)} on the ` +
        `candidate's test data, against the candidate's ${candidateMcc.toFixed(3)}` +
        (live === undefined ? "" : ` and live v${live.version}'s ${liveScore(live)}`) +
        ` (margin ${margin})`,
    };
  }
  // The best rival is the live one, or none beats it by the margin.
  const kept = live!;
  return {
    kind: "kept",
    version: kept.version,
    reason: `kept the live model v${kept.version}: held-out MCC ${liveScore(kept)} on the ` +
      `candidate's test data, against the candidate's ${
        candidateMcc.toFixed(3)
      } (margin ${margin})`,
  };
}

/** The live rival's held-out MCC in words, with its score in service when that is lower. */
function liveScore({ mcc, served }: Rival): string {
  return served === undefined || served >= mcc
    ? mcc.toFixed(3)
    : `${mcc.toFixed(3)} (${served.toFixed(3)} in service)`;
}
