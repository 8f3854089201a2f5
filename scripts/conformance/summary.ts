/**
 * The runner's closing lines: per kind (recognition, forecasting), how many cases pass, are
 * extensions or fail, per tier.
 *
 * @module
 */

import type { Outcome } from "./outcome.ts";

/** One line per kind, e.g. `recognition: 60/88 pass, 3 extensions (core 45/51, ...)`. */
export function summaryLines(outcomes: readonly Outcome[]): string[] {
  return (["recognition", "forecasting"] as const).flatMap((kind) => {
    const ofKind = outcomes.filter((o) => o.kind === kind);
    if (ofKind.length === 0) return [];
    const tiers = (["core", "quirk", "error"] as const).flatMap((tier) => {
      const ofTier = ofKind.filter((o) => o.tier === tier);
      if (ofTier.length === 0) return [];
      const ok = ofTier.filter((o) => o.verdict !== "fail").length;
      return [`${tier} ${ok}/${ofTier.length}`];
    });
    const passed = ofKind.filter((o) => o.verdict === "pass").length;
    const extensions = ofKind.filter((o) => o.verdict === "extension").length;
    return [
      `${kind}: ${passed}/${ofKind.length} pass, ${extensions} extension${
        extensions === 1 ? "" : "s"
      } (${tiers.join(", ")}; extensions count as passing their tier)`,
    ];
  });
}
