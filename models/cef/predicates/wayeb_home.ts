/**
 * Wayeb's `WAYEB_HOME`: the folder whose
 * `data/maritime/static/brest_fishing_areas_110_simplified.txt` holds the `FishingArea` polygon
 * that `HeadingTowardsPredicate` reads. Without it, only the built-in `BrestPort` is known.
 *
 * @module
 */

import { join } from "node:path";
import { builtinRegistry } from "./builtins.ts";
import { parsePolygon } from "./heading_towards.ts";
import type { PredicateRegistry } from "./registry.ts";

/** Where the fishing area lies under `WAYEB_HOME`. */
const FISHING_AREA_FILE = "data/maritime/static/brest_fishing_areas_110_simplified.txt";

/** The built-in predicates, with `FishingArea` read from the Wayeb home folder `home` if given. */
export function wayebPredicates(home: string | null | undefined): PredicateRegistry {
  if (home === null || home === undefined) return builtinRegistry();
  const path = join(home, FISHING_AREA_FILE);
  let text: string;
  try {
    text = Deno.readTextFileSync(path);
  } catch (error) {
    throw new Error(`the Wayeb home must hold ${FISHING_AREA_FILE}: ${(error as Error).message}`);
  }
  return builtinRegistry({ areas: { FishingArea: parsePolygon(text) } });
}
