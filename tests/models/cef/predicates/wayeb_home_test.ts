import assert from "node:assert/strict";
import { join } from "node:path";
import { wayebPredicates } from "../../../../models/cef/predicates/wayeb_home.ts";

const FISHING_AREA = { name: "HeadingTowardsPredicate", line: 1, column: 1 };

Deno.test("a Wayeb home folder adds its FishingArea; without one only BrestPort is known", async () => {
  const home = await Deno.makeTempDir();
  try {
    const folder = join(home, "data/maritime/static");
    await Deno.mkdir(folder, { recursive: true });
    await Deno.writeTextFile(
      join(folder, "brest_fishing_areas_110_simplified.txt"),
      "-5.1,47.9 -4.9,47.9 -4.9,48.1 -5.1,48.1",
    );
    const call = { ...FISHING_AREA, args: [{ kind: "text", value: "FishingArea" }] } as const;
    assert.equal(wayebPredicates(home).resolve(call).kind, "test");
    assert.throws(() => wayebPredicates(undefined).resolve(call), {
      message: /area must be one of BrestPort/,
    });
    assert.throws(() => wayebPredicates(join(home, "nowhere")), {
      message:
        /^the Wayeb home must hold data\/maritime\/static\/brest_fishing_areas_110_simplified.txt: /,
    });
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
