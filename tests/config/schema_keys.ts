/**
 * Every settable key of the configuration schema, by walking it: a dotted path, the default the
 * schema fills in (its own, or from the enclosing section's default) and whether it has one. The
 * variants of a `kind` union share one path per key; their defaults must agree.
 *
 * @module
 */

import type { z } from "zod";
import { configSchema } from "../../config/schema.ts";

/** One settable key. */
export interface SchemaKey {
  path: string;
  /** Absent when the key has no default (required, or optional without one). */
  default?: unknown;
}

/** The zod 4 definition fields the walk reads. */
interface Def {
  type: string;
  innerType?: z.ZodType;
  defaultValue?: unknown;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** Whether `schema` is a mapping whose keys are settable one by one. */
function isSection(schema: z.ZodType): boolean {
  const def = defOf(schema);
  switch (def.type) {
    case "default":
    case "prefault":
    case "optional":
    case "nullable":
      return isSection(def.innerType!);
    case "pipe":
      return isSection(def.in!);
    case "object":
      // A loose mapping (passed on as is, like kafka.ssl) is one value.
      return def.catchall === undefined || defOf(def.catchall).type === "never";
    case "union":
      return def.options!.every(isSection);
    default:
      return false;
  }
}

function walk(schema: z.ZodType, path: string, inherited: unknown, keys: Map<string, SchemaKey>) {
  const def = defOf(schema);
  switch (def.type) {
    case "default":
    case "prefault": {
      // A key's own default wins over the one its section's default value gives it.
      const value = typeof def.defaultValue === "function"
        ? (def.defaultValue as () => unknown)()
        : def.defaultValue;
      return walk(def.innerType!, path, value, keys);
    }
    case "optional":
    case "nullable":
      return walk(def.innerType!, path, inherited, keys);
  }
  if (!isSection(schema)) return add(keys, { path, default: inherited });
  if (def.type === "pipe") return walk(def.in!, path, inherited, keys);
  if (def.type === "union") {
    for (const option of def.options!) walk(option, path, inherited, keys);
    return;
  }
  for (const [name, child] of Object.entries(def.shape!)) {
    const value = inherited !== null && typeof inherited === "object"
      ? (inherited as Record<string, unknown>)[name]
      : undefined;
    walk(child, path === "" ? name : `${path}.${name}`, value, keys);
  }
}

function add(keys: Map<string, SchemaKey>, key: SchemaKey): void {
  const seen = keys.get(key.path);
  if (seen === undefined || seen.default === undefined) {
    keys.set(key.path, key.default === undefined ? { path: key.path } : key);
  } else if (
    key.default !== undefined && JSON.stringify(seen.default) !== JSON.stringify(key.default)
  ) {
    throw new Error(
      `${key.path}: variants disagree on the default (${JSON.stringify(seen.default)} and ` +
        `${JSON.stringify(key.default)})`,
    );
  }
}

/** Every settable key of the configuration schema, in schema order. */
export function schemaKeys(): SchemaKey[] {
  const keys = new Map<string, SchemaKey>();
  walk(configSchema, "", undefined, keys);
  return [...keys.values()];
}
