/**
 * How a model of a fleet inherits the deployment's settings: each block a model may override
 * starts from the deployment's validated block, and the model's override is merged into it key by
 * key (mappings deeply; lists and scalars replace). A mapping that names a different `kind` (a
 * policy of another sort) replaces the block's mapping whole, since its keys belong to that kind;
 * a key of a set of alternatives (`byEvents` or `byStreamMs`, `every` or `cron`, ...) drops the
 * others from the inherited mapping.
 *
 * @module
 */

/** The blocks of the configuration a model of a fleet may override; the rest are shared. */
export const INHERITED_BLOCKS = ["model", "collector", "observer", "optimiser", "factory"] as const;

/** One of the blocks a model may override. */
export type InheritedBlock = typeof INHERITED_BLOCKS[number];

/** Keys of the `model` block every model shares: the one stream is read one way. */
export const SHARED_MODEL_KEYS: readonly string[] = ["source"];

/** Keys of which a mapping holds one at most: a model setting one drops the inherited other. */
const ALTERNATIVES: readonly (readonly string[])[] = [
  ["byEvents", "byStreamMs"],
  ["everyEvents", "everyStreamMs"],
  ["every", "cron"],
  ["events", "spanMs", "span"],
];

/** `override` merged into `base`: mappings deeply, anything else replaced; neither is changed. */
export function deepMerge(base: unknown, override: unknown): unknown {
  if (!isMapping(base) || !isMapping(override)) return override === undefined ? base : override;
  if ("kind" in override && override.kind !== base.kind) return override;
  const merged: Record<string, unknown> = { ...base };
  for (const keys of ALTERNATIVES) {
    if (!keys.some((key) => key in override)) continue;
    for (const key of keys) if (!(key in override)) delete merged[key];
  }
  for (const [key, value] of Object.entries(override)) merged[key] = deepMerge(base[key], value);
  return merged;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
