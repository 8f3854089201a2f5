import assert from "node:assert/strict";
import {
  durableProgressSchema,
  fileIdentity,
  whyNotResumed,
} from "../../../actors/replayer/durable_progress.ts";
import { ReplayerState } from "../../../actors/replayer/replayer_state.ts";

const permissions: Deno.PermissionOptions = { read: true, write: true };

/** A temp file holding `text`, removed after `body`. */
async function withFile(text: string, body: (path: string) => Promise<void>): Promise<void> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  try {
    await Deno.writeTextFile(path, text);
    await body(path);
  } finally {
    await Deno.remove(path);
  }
}

Deno.test("progress on the same unchanged file and rotation resumes", { permissions }, async () => {
  await withFile("a,1\nb,2\n", async (path) => {
    const progress = new ReplayerState(path, 0);
    progress.sent = 1;
    const stored = durableProgressSchema.parse({
      identity: await fileIdentity(path),
      progress: progress.snapshot(),
    });
    assert.equal(
      whyNotResumed(stored, progress, new ReplayerState(path, 0), await fileIdentity(path)),
      undefined,
    );
  });
});

Deno.test("progress is not resumed on a changed file, and says why", { permissions }, async () => {
  await withFile("a,1\nb,2\n", async (path) => {
    const before = await fileIdentity(path);
    const progress = new ReplayerState(path, 0);
    const stored = { identity: before, progress: progress.snapshot() };
    const fresh = new ReplayerState(path, 0);

    await Deno.writeTextFile(path, "a,1\nb,2\nc,3\n");
    assert.match(
      whyNotResumed(stored, progress, fresh, await fileIdentity(path))!,
      /its size changed from 8 to 12/,
    );
    await Deno.writeTextFile(path, "x,1\nb,2\n");
    await Deno.utime(path, new Date(), new Date(before.mtimeMs!));
    assert.match(
      whyNotResumed(stored, progress, fresh, await fileIdentity(path))!,
      /its first bytes changed/,
    );
    await Deno.utime(path, new Date(), new Date(before.mtimeMs! + 5_000));
    assert.match(
      whyNotResumed(stored, progress, fresh, await fileIdentity(path))!,
      /it was modified since/,
    );
    assert.match(
      whyNotResumed(stored, progress, new ReplayerState(path, 2), before)!,
      /a replay rotated 0 months/,
    );
    assert.match(
      whyNotResumed(stored, progress, new ReplayerState("other.csv", 0), before)!,
      /the stored progress is of .*\.csv/,
    );
  });
});

Deno.test("a stored progress with a bad identity is refused", { permissions: "none" }, () => {
  assert.throws(() =>
    durableProgressSchema.parse({
      identity: { size: -1, mtimeMs: null, headSha256: "0".repeat(64) },
      progress: {},
    })
  );
});
