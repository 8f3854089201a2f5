/**
 * Wayeb's `WAYEB_HOME` as a case sets it: the folder whose
 * `data/maritime/static/brest_fishing_areas_110_simplified.txt` holds the `FishingArea` polygon
 * that `HeadingTowardsPredicate` reads. Without it, only the built-in `BrestPort` is known.
 *
 * @module
 */

import { join } from "node:path";
import { builtinRegistry } from "../../models/cef/predicates/builtins.ts";
import { parsePolygon } from "../../models/cef/predicates/heading_towards.ts";
import type { PredicateRegistry } from "../../models/cef/predicates/registry.ts";

const FISHING_AREA_FILE = "data/maritime/static/brest_fishing_areas_110_simplified.txt";

/** The predicates of a case whose folder is `dir` and whose `WAYEB_HOME` is `home`. */
export function predicatesFor(dir: string, home: string | null | undefined): PredicateRegistry {
  if (home === null || home === undefined) return builtinRegistry();
  const text = Deno.readTextFileSync(join(dir, home, FISHING_AREA_FILE));
  return builtinRegistry({ areas: { FishingArea: parsePolygon(text) } });
}
