import assert from "node:assert/strict";
import {
  launchService,
  runTool,
  type ServiceLaunch,
} from "../../../scripts/services/service_process.ts";
import { within } from "../../fixtures/eventually.ts";

const permissions: Deno.PermissionOptions = { run: ["sh"], read: true, write: true };

/** A launch of `sh -c script` in a fresh folder, answering when `answers` says so. */
async function shell(
  script: string,
  overrides: Partial<ServiceLaunch> = {},
): Promise<ServiceLaunch> {
  return {
    name: "fake",
    command: "sh",
    args: ["-c", script],
    debianPackage: "dash",
    dir: await Deno.makeTempDir({ prefix: "retune-service-test-" }),
    endpoints: "fake://here",
    answers: () => Promise.resolve(false),
    readyTimeoutMs: 10_000,
    stopGraceMs: 10_000,
    ...overrides,
  };
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

Deno.test("launchService resolves once the service answers, and stop removes its folder", {
  permissions,
}, async () => {
  let probes = 0;
  const launch = await shell("exec sleep 30", { answers: () => Promise.resolve(++probes === 3) });
  const service = await launchService(launch);
  assert.equal(probes, 3);
  assert.equal(service.endpoints, "fake://here");
  assert.equal(service.dir, launch.dir);
  assert.ok(await exists(service.dir));
  await service.stop();
  await service.stop();
  assert.equal(await exists(service.dir), false);
});

Deno.test("a service that exits before answering fails with the tail of its log", {
  permissions,
}, async () => {
  const launch = await shell("echo 'bad config: port'; exit 3");
  await assert.rejects(launchService(launch), (error: Error) => {
    assert.match(error.message, /^fake exited with code 3 before answering at fake:\/\/here/);
    assert.match(error.message, /last lines of its log:\nbad config: port$/);
    return true;
  });
  assert.equal(await exists(launch.dir), false);
});

Deno.test("a service that does not answer in time is stopped and its folder removed", {
  permissions,
}, async () => {
  const launch = await shell("echo starting; exec sleep 30", { readyTimeoutMs: 300 });
  await assert.rejects(launchService(launch), {
    message: "fake did not answer at fake://here within 300 ms; last lines of its log:\nstarting",
  });
  assert.equal(await exists(launch.dir), false);
});

Deno.test("stop kills a service that ignores SIGTERM once the grace period ends", {
  permissions,
}, async () => {
  const launch = await shell("trap '' TERM; exec sleep 3600", {
    answers: () => Promise.resolve(true),
    stopGraceMs: 200,
  });
  const service = await launchService(launch);
  // Without the SIGKILL, stop would wait out the hour: give up long before that.
  await within(service.stop(), {
    what: "stop ends a service that ignores SIGTERM",
    deadlineMs: 20_000,
  });
  assert.equal(await exists(service.dir), false);
});

Deno.test("kill ends the service and removes its folder at once", { permissions }, async () => {
  const launch = await shell("exec sleep 30", { answers: () => Promise.resolve(true) });
  const service = await launchService(launch);
  service.kill();
  assert.equal(await exists(service.dir), false);
  await service.stop();
});

Deno.test("bad durations are refused and the folder removed", { permissions }, async () => {
  const launch = await shell("exec sleep 30", { readyTimeoutMs: 0 });
  await assert.rejects(launchService(launch), {
    name: "RangeError",
    message: "readyTimeoutMs must be positive: current value is 0",
  });
  assert.equal(await exists(launch.dir), false);
});

Deno.test("a missing command names the Debian package to install", { permissions }, async () => {
  const launch = await shell("", {
    command: "retune-no-such-command",
    debianPackage: "retune-pkg",
  });
  await assert.rejects(launchService(launch), {
    message: "retune-no-such-command is not installed (not found on PATH): " +
      "install the Debian package retune-pkg (apt-get install retune-pkg)",
  });
  assert.equal(await exists(launch.dir), false);
  await assert.rejects(runTool("retune-no-such-command", [], "retune-pkg"), {
    message: /install the Debian package retune-pkg/,
  });
});

Deno.test("runTool returns the output of a tool, and its output when it fails", {
  permissions,
}, async () => {
  assert.equal(await runTool("sh", ["-c", "echo out; echo err >&2"], "dash"), "out\nerr\n");
  await assert.rejects(runTool("sh", ["-c", "echo why; exit 2"], "dash"), {
    message: "sh -c echo why; exit 2 failed (exit code 2):\nwhy\n",
  });
});
