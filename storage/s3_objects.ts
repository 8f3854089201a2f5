/**
 * The few object operations the S3 stores use (put, get, head, list, delete under a key prefix),
 * over the AWS SDK's S3 client against any endpoint that speaks the S3 API (AWS, MinIO,
 * SeaweedFS). A missing object is `undefined`, never an error; every other failure is an error
 * naming the operation, the endpoint, the bucket and the key. Its name says what a caller may do:
 * `ObjectStoreUnavailableError` (the server unreachable, timing out or failing on its side: try
 * again later), `ObjectStoreRefusedError` (credentials or rights refused: retrying repeats it), a
 * plain `Error` for anything else the request got wrong.
 *
 * @module
 */

import { Agent } from "node:http";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";

/** Where the objects are and how to sign in. */
export interface S3Location {
  /** The S3 API's URL, e.g. `http://127.0.0.1:8333`. */
  endpoint: string;
  region: string;
  /** An existing bucket. */
  bucket: string;
  /** Prepended to every key: "" or segments each ending in '/'. */
  prefix: string;
  /** Null (both): the SDK's default credentials (environment variables, profiles). */
  accessKeyId: string | null;
  secretAccessKey: string | null;
  /** Bucket in the path rather than the host name, as most self-hosted servers need. */
  forcePathStyle: boolean;
}

/** Calls of one S3 request and its retries together, ms: nothing waits on the store longer. */
const REQUEST_TIMEOUT_MS = 30_000;

/** The object store is unreachable, timed out or failed on its side: worth trying again. */
export class ObjectStoreUnavailableError extends Error {
  override readonly name = "ObjectStoreUnavailableError";
}

/** The object store refused the credentials or the rights: retrying repeats it. */
export class ObjectStoreRefusedError extends Error {
  override readonly name = "ObjectStoreRefusedError";
}

/** S3 error codes that refuse who is asking rather than what is asked. */
const REFUSALS = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
]);

/** Objects of one bucket, keys relative to the location's prefix. */
export class S3Objects {
  readonly location: S3Location;
  readonly #client: S3Client;

  /** A client of `location` (no request is made until an operation). */
  constructor(location: S3Location) {
    this.location = location;
    const { endpoint, region, forcePathStyle, accessKeyId, secretAccessKey } = location;
    this.#client = new S3Client({
      endpoint,
      region,
      forcePathStyle,
      ...(accessKeyId === null || secretAccessKey === null
        ? {}
        : { credentials: { accessKeyId, secretAccessKey } }),
      // Servers other than AWS may not check the SDK's newer default checksums.
      requestChecksumCalculation: "WHEN_REQUIRED",
      responseChecksumValidation: "WHEN_REQUIRED",
      // No idle sockets: a store has no close, and a kept-alive socket outlives its owner.
      requestHandler: {
        httpAgent: new Agent({ keepAlive: false }),
        requestTimeout: REQUEST_TIMEOUT_MS,
        connectionTimeout: REQUEST_TIMEOUT_MS,
      },
    });
  }

  /** Stores `bytes` at `key`, replacing what was there. */
  async put(key: string, bytes: Uint8Array): Promise<void> {
    await this.#call("put", key, () =>
      this.#client.send(
        new PutObjectCommand({ Bucket: this.location.bucket, Key: this.#full(key), Body: bytes }),
      ));
  }

  /** The bytes at `key`; undefined when nothing is stored there. */
  async get(key: string): Promise<Uint8Array | undefined> {
    return await this.#call("get", key, async () => {
      try {
        const response = await this.#client.send(
          new GetObjectCommand({ Bucket: this.location.bucket, Key: this.#full(key) }),
        );
        return await response.Body!.transformToByteArray();
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  /**
   * The bytes at `key` as they arrive, in chunks; undefined when nothing is stored there. A reader
   * that leaves early releases the response.
   */
  async stream(key: string): Promise<AsyncIterable<Uint8Array> | undefined> {
    return await this.#call("get", key, async () => {
      try {
        const response = await this.#client.send(
          new GetObjectCommand({ Bucket: this.location.bucket, Key: this.#full(key) }),
        );
        // A Node stream in Deno and Node, a web stream elsewhere: both iterate asynchronously.
        return response.Body as unknown as AsyncIterable<Uint8Array>;
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw error;
      }
    });
  }

  /** Whether an object is stored at `key`. */
  async has(key: string): Promise<boolean> {
    return await this.#call("head", key, async () => {
      try {
        await this.#client.send(
          new HeadObjectCommand({ Bucket: this.location.bucket, Key: this.#full(key) }),
        );
        return true;
      } catch (error) {
        if (isMissing(error)) return false;
        throw error;
      }
    });
  }

  /**
   * The keys of every object under `prefix` (which ends in '/'), relative to it, sorted. Objects
   * only: servers that keep folders (SeaweedFS) may show an emptied one as a common prefix, so
   * listings never ask for those.
   */
  async list(prefix: string): Promise<string[]> {
    return await this.#call("list", prefix, async () => {
      const keys: string[] = [];
      const full = this.#full(prefix);
      let token: string | undefined;
      do {
        const page = await this.#client.send(
          new ListObjectsV2Command({
            Bucket: this.location.bucket,
            Prefix: full,
            ContinuationToken: token,
          }),
        );
        for (const object of page.Contents ?? []) keys.push(object.Key!.slice(full.length));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
      return keys.sort();
    });
  }

  /** Deletes the object at `key`; a missing one is no error. */
  async delete(key: string): Promise<void> {
    await this.#call("delete", key, () =>
      this.#client.send(
        new DeleteObjectCommand({ Bucket: this.location.bucket, Key: this.#full(key) }),
      ));
  }

  #full(key: string): string {
    return `${this.location.prefix}${key}`;
  }

  /** Runs one operation, naming where it failed. */
  async #call<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const { endpoint, bucket } = this.location;
      const Kind = !(error instanceof S3ServiceException) || error.$fault === "server"
        ? ObjectStoreUnavailableError
        : REFUSALS.has(error.name)
        ? ObjectStoreRefusedError
        : Error;
      throw new Kind(
        `S3 ${operation} of '${this.#full(key)}' in bucket '${bucket}' at ${endpoint} failed: ${
          error instanceof Error ? `${error.name}: ${error.message}` : error
        }`,
        { cause: error },
      );
    }
  }
}

/** Whether an S3 error says the object (not the bucket) does not exist. */
function isMissing(error: unknown): boolean {
  return error instanceof S3ServiceException &&
    (error.name === "NoSuchKey" || error.name === "NotFound");
}
