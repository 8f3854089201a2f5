/**
 * A throwaway SeaweedFS (master, volume server, filer and S3 gateway in one `weed server`
 * process) on free loopback ports, for development and tests: an S3 API with one access key
 * (`S3_TEST_CREDENTIALS`) and one bucket (`S3_TEST_BUCKET`), created before it counts as started.
 *
 * SeaweedFS is built from its Go module at a pinned version with the installed Go toolchain into
 * `.cache/seaweedfs/` the first time (a few minutes on 2 cores; the module and build caches stay
 * in `.cache/go/`), then reused.
 *
 * As a command, `deno run -A scripts/services/seaweedfs.ts` prints its S3 endpoint and runs until
 * SIGINT or SIGTERM.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { freePorts } from "./free_port.ts";
import {
  launchService,
  type RunningService,
  runTool,
  serveUntilSignalled,
} from "./service_process.ts";

/** The Go module and the version built. */
export const SEAWEEDFS_MODULE = "github.com/seaweedfs/seaweedfs";
export const SEAWEEDFS_VERSION = "v0.0.0-20261109003541-7506e5f91cd6";

/** The one access key the server accepts, with every right. */
export const S3_TEST_CREDENTIALS = { accessKeyId: "retune", secretAccessKey: "retune-secret" };
/** The bucket the server has once started. */
export const S3_TEST_BUCKET = "retune-test";
/** The region clients sign for (SeaweedFS accepts any). */
export const S3_TEST_REGION = "us-east-1";

/** How to start the server. */
export interface SeaweedfsOptions {
  /** How long the server may take to serve S3 requests, ms. Default 60,000. */
  readyTimeoutMs?: number;
  /** How long stopping waits after SIGTERM before SIGKILL, ms. Default 10,000. */
  stopGraceMs?: number;
}

const CACHE = fileURLToPath(new URL("../../.cache/", import.meta.url));
/** The binary, named by its version so another version is built anew. */
const WEED = `${CACHE}seaweedfs/weed-${SEAWEEDFS_VERSION}`;

/** Starts `weed server` with its S3 gateway; resolves once the test bucket exists. */
export async function startSeaweedfs(options: SeaweedfsOptions = {}): Promise<RunningService> {
  const { readyTimeoutMs = 60_000, stopGraceMs = 10_000 } = options;
  const weed = await ensureWeed();
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = freePorts(8);
  const endpoints = `http://127.0.0.1:${s3}`;
  const dir = await Deno.makeTempDir({ prefix: "retune-seaweedfs-" });
  try {
    await Deno.mkdir(`${dir}/data`);
    await Deno.writeTextFile(`${dir}/s3.json`, JSON.stringify(identities()));
  } catch (error) {
    await Deno.remove(dir, { recursive: true });
    throw error;
  }
  return launchService({
    name: "seaweedfs",
    command: weed,
    args: [
      "server",
      "-ip=127.0.0.1",
      "-ip.bind=127.0.0.1",
      `-dir=${dir}/data`,
      `-master.port=${master}`,
      `-master.port.grpc=${masterGrpc}`,
      "-master.telemetry=false",
      // Small volumes: a test writes megabytes, and each volume reserves its size limit's worth.
      "-master.volumeSizeLimitMB=64",
      `-volume.port=${volume}`,
      `-volume.port.grpc=${volumeGrpc}`,
      "-filer",
      `-filer.port=${filer}`,
      `-filer.port.grpc=${filerGrpc}`,
      `-filer.localSocket=${dir}/filer.sock`,
      "-s3",
      `-s3.port=${s3}`,
      `-s3.port.grpc=${s3Grpc}`,
      // Off: they would listen on fixed ports.
      "-s3.port.iceberg=0",
      "-s3.port.lance=0",
      `-s3.localSocket=${dir}/s3.sock`,
      `-s3.config=${dir}/s3.json`,
    ],
    debianPackage: "golang",
    dir,
    endpoints,
    answers: () => bucketCreated(endpoints),
    readyTimeoutMs,
    stopGraceMs,
  });
}

/** The S3 identities file: the test key with every right, nobody anonymous. */
function identities(): unknown {
  return {
    identities: [{
      name: "retune",
      credentials: [{
        accessKey: S3_TEST_CREDENTIALS.accessKeyId,
        secretKey: S3_TEST_CREDENTIALS.secretAccessKey,
      }],
      actions: ["Admin", "Read", "List", "Tagging", "Write"],
    }],
  };
}

/** Whether the test bucket exists, creating it: the gateway, filer and volumes all work. */
async function bucketCreated(endpoint: string): Promise<boolean> {
  const client = new S3Client({
    endpoint,
    region: S3_TEST_REGION,
    forcePathStyle: true,
    credentials: S3_TEST_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { requestTimeout: 2_000, connectionTimeout: 1_000 },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: S3_TEST_BUCKET }));
    return true;
  } catch (error) {
    return (error as Error).name === "BucketAlreadyOwnedByYou";
  } finally {
    client.destroy();
  }
}

/** The `weed` binary, built with Go into the cache unless it is there. */
export async function ensureWeed(): Promise<string> {
  try {
    await Deno.stat(WEED);
    return WEED;
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  console.error(
    `building SeaweedFS ${SEAWEEDFS_VERSION} with Go into ${WEED} (once; minutes on 2 cores)`,
  );
  const env = goEnvironment();
  // `go install module@version` refuses a module whose go.mod has replace directives, as
  // SeaweedFS's has: download the module and build it as the main module instead.
  const module = `${SEAWEEDFS_MODULE}@${SEAWEEDFS_VERSION}`;
  await runTool("go", ["mod", "download", module], "golang", { env });
  // Built beside the binary and renamed into place, so no run ever starts half a binary.
  const partial = `${WEED}.${Deno.pid}.partial`;
  await Deno.mkdir(`${CACHE}seaweedfs`, { recursive: true });
  try {
    await runTool("go", ["build", "-o", partial, "./weed"], "golang", {
      env,
      cwd: `${env.GOMODCACHE}/${module}`,
    });
    await Deno.rename(partial, WEED);
  } finally {
    await Deno.remove(partial).catch(() => {});
  }
  return WEED;
}

/** Go's caches in `.cache/go/`, writable so they can be deleted like the rest of the cache. */
function goEnvironment(): Record<string, string> {
  return {
    GOMODCACHE: `${CACHE}go/mod`,
    GOCACHE: `${CACHE}go/build`,
    GOFLAGS: "-modcacherw -buildvcs=false",
  };
}

if (import.meta.main) await serveUntilSignalled(startSeaweedfs);
