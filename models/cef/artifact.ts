/**
 * The native CEF model's artifact: versioned JSON with the pattern it was trained for, the
 * hyper-parameters, the automaton's size (to catch a compiler that no longer yields the same
 * automaton) and the learned model: a PST's nodes (context, next-symbol counts) or a full-order
 * Markov model's observed rows (DFA state, history, next-symbol counts). Counts, not
 * probabilities, are stored: they are exact integers and smoothing is recomputed on load.
 *
 * @module
 */

import { z } from "zod";

/** Format tag of this artifact version. */
export const CEF_ARTIFACT_FORMAT = "retune.cef/1";

const FORMAT_FAMILY = "retune.cef/";

const count = z.number().int().nonnegative();
const symbols = z.array(count);

const hyperParametersSchema = z.object({
  order: z.number().int(),
  threshold: z.number(),
  pMin: z.number(),
  gamma: z.number(),
  alpha: z.number(),
  r: z.number(),
});

const common = {
  format: z.literal(CEF_ARTIFACT_FORMAT),
  pattern: z.string(),
  declarations: z.string().nullable(),
  params: hyperParametersSchema,
  symbolCount: z.number().int().positive(),
  stateCount: z.number().int().positive(),
  /** Events learned from, their partitions, and events refused for lacking an attribute. */
  trainedOn: z.object({ events: count, partitions: count, refused: count.default(0) }),
};

const pstArtifactSchema = z.object({
  ...common,
  kind: z.literal("pst"),
  tree: z.object({
    order: z.number().int(),
    gamma: z.number(),
    nodes: z.array(z.object({ context: symbols, counts: symbols })),
  }),
});

const markovArtifactSchema = z.object({
  ...common,
  kind: z.literal("markov"),
  matrix: z.object({
    order: z.number().int(),
    rows: z.array(z.object({ origin: count, history: symbols, counts: symbols })),
  }),
});

const cefArtifactSchema = z.discriminatedUnion("kind", [pstArtifactSchema, markovArtifactSchema]);

/** A trained PST model. */
export type PstArtifact = z.infer<typeof pstArtifactSchema>;
/** A trained full-order Markov model. */
export type MarkovArtifact = z.infer<typeof markovArtifactSchema>;
/** A trained native CEF model. */
export type CefArtifact = z.infer<typeof cefArtifactSchema>;

/**
 * Checks that `value` is a CEF artifact this build reads; the error says whether it is another
 * model's artifact, another version of this one, or a malformed one.
 */
export function parseCefArtifact(value: unknown): CefArtifact {
  const format = typeof value === "object" && value !== null
    ? (value as { format?: unknown }).format
    : undefined;
  if (typeof format !== "string" || !format.startsWith(FORMAT_FAMILY)) {
    throw new TypeError(
      `not a native CEF model artifact: format must be ${CEF_ARTIFACT_FORMAT}: current value is ${
        JSON.stringify(format)
      }`,
    );
  }
  if (format !== CEF_ARTIFACT_FORMAT) {
    throw new TypeError(
      `unsupported CEF artifact version: this build reads ${CEF_ARTIFACT_FORMAT}: current value is ${format}`,
    );
  }
  const parsed = cefArtifactSchema.safeParse(value);
  if (!parsed.success) {
    throw new TypeError(`CEF artifact is malformed: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
