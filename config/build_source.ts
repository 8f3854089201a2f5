/**
 * The configuration's `model.source` as a source mapping: a built-in mapping by its domain name,
 * or, for the `csv` and `jsonl` domains, the configured field mapping with the domain as format.
 *
 * @module
 */

import type { SourceConfig } from "./schema.ts";
import { BUILTIN_SOURCES } from "../models/sources/builtin.ts";
import { parseSourceSpec, type SourceSpec } from "../models/sources/spec.ts";

const GENERIC_DOMAINS = ["csv", "jsonl"];

/** The source mapping `model.source` describes; throws naming the problem if it is invalid. */
export function sourceSpecOf(source: SourceConfig): SourceSpec {
  const { domain, mapping } = source;
  if (GENERIC_DOMAINS.includes(domain)) {
    if (mapping === undefined) {
      throw new TypeError(
        `model.source.mapping is required when domain is "${domain}": current value is undefined`,
      );
    }
    // A CSV mapping that lists no columns takes them from the file's first line.
    const header = domain === "csv" && (mapping.header || mapping.columns === null);
    try {
      return parseSourceSpec({ ...mapping, format: domain, header });
    } catch (error) {
      throw new TypeError(`model.source.mapping (domain "${domain}"): ${(error as Error).message}`);
    }
  }
  if (!Object.hasOwn(BUILTIN_SOURCES, domain)) {
    const domains = [...Object.keys(BUILTIN_SOURCES), ...GENERIC_DOMAINS].join(", ");
    throw new RangeError(
      `model.source.domain must be one of ${domains}: current value is ${domain}`,
    );
  }
  if (mapping !== undefined) {
    throw new TypeError(
      `model.source.mapping is not allowed when domain is "${domain}": its format is built in`,
    );
  }
  return BUILTIN_SOURCES[domain];
}
