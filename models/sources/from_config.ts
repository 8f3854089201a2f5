/**
 * The configuration's `model.source` as a source mapping: the built-in mappings by name, or the
 * configured mapping with the domain as its format.
 *
 * @module
 */

import type { SourceConfig } from "../../protocol/config/schema.ts";
import { BUILTIN_SOURCES } from "./builtin.ts";
import { parseSourceSpec, type SourceSpec } from "./spec.ts";

/** The source mapping `model.source` describes; throws naming the problem if it is invalid. */
export function sourceSpecOf(source: SourceConfig): SourceSpec {
  if (source.domain === "maritime" || source.domain === "demo_abc") {
    return BUILTIN_SOURCES[source.domain];
  }
  if (source.mapping === undefined) {
    throw new TypeError(`model.source.mapping is required when domain is "${source.domain}"`);
  }
  try {
    return parseSourceSpec({ format: source.domain, ...source.mapping });
  } catch (error) {
    throw new TypeError(`model.source.mapping: ${(error as Error).message}`);
  }
}
