/**
 * A throwaway Apicurio Registry 2.0 (in-memory storage) on a free loopback port, for development
 * and tests: a schema registry that speaks the Confluent API, at
 * `http://127.0.0.1:<port>/apis/ccompat/v6` (the URL `schemaRegistry.url` takes).
 *
 * The registry is built with Maven from `apicurio/pom.xml` into `.cache/apicurio/app` the first
 * time (under a minute with a warm Maven repository), and built again when the pom changes.
 *
 * As a command, `deno run -A scripts/services/apicurio.ts` prints its URL and runs until SIGINT or
 * SIGTERM.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { freePorts } from "./free_port.ts";
import { builtOnce } from "./maven_build.ts";
import {
  launchService,
  type RunningService,
  runTool,
  serveUntilSignalled,
} from "./service_process.ts";

/** How to start the registry. */
export interface ApicurioOptions {
  /** How long the registry may take to answer, ms. Default 120,000 (a cold Quarkus JVM). */
  readyTimeoutMs?: number;
  /** How long stopping waits after SIGTERM before SIGKILL, ms. Default 10,000. */
  stopGraceMs?: number;
}

/** The path of the Confluent-compatible API under the registry's address. */
export const CONFLUENT_API_PATH = "/apis/ccompat/v6";

const POM = fileURLToPath(new URL("./apicurio/pom.xml", import.meta.url));
const APP = fileURLToPath(new URL("../../.cache/apicurio/app", import.meta.url));
/** The runnable jar Quarkus makes (`<artifactId>-<version>-runner.jar`, its lib/ beside it). */
const RUNNER = "apicurio-runtime-1-runner.jar";

/** Starts the registry; resolves once its Confluent API answers. */
export async function startApicurio(options: ApicurioOptions = {}): Promise<RunningService> {
  const { readyTimeoutMs = 120_000, stopGraceMs = 10_000 } = options;
  const app = await ensureApicurio();
  const [port] = freePorts(1);
  const endpoints = `http://127.0.0.1:${port}${CONFLUENT_API_PATH}`;
  const dir = await Deno.makeTempDir({ prefix: "retune-apicurio-" });
  return launchService({
    name: "apicurio",
    command: "java",
    args: [
      "-Xmx384m",
      // Loopback only: the registry has no authentication.
      "-Dquarkus.http.host=127.0.0.1",
      `-Dquarkus.http.port=${port}`,
      "-jar",
      `${app}/${RUNNER}`,
    ],
    debianPackage: "openjdk-17-jre-headless",
    dir,
    endpoints,
    answers: () => answers(endpoints),
    readyTimeoutMs,
    stopGraceMs,
  });
}

/** True once the Confluent API lists subjects. */
async function answers(endpoints: string): Promise<boolean> {
  const response = await fetch(`${endpoints}/subjects`, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return response.ok;
}

/** The folder holding the runnable registry, built with Maven unless already built from this pom. */
export function ensureApicurio(): Promise<string> {
  return builtOnce(POM, APP, "building Apicurio Registry", async (staging) => {
    await Deno.copyFile(POM, `${staging}/pom.xml`);
    await runTool(
      "mvn",
      ["-B", "-q", "-f", `${staging}/pom.xml`, "package", "-DskipTests"],
      "maven",
    );
    return `${staging}/target`;
  });
}

if (import.meta.main) await serveUntilSignalled(startApicurio);
