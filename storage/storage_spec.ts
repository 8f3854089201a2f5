/**
 * Where a process's stores are, as plain data (a training or assembly worker receives it in a
 * message and opens the same stores), and opening them: files in folders, or objects in an S3
 * bucket that processes on other machines share.
 *
 * @module
 */

import type { ArtifactStore } from "./artifact_store.ts";
import type { BucketStore } from "./bucket_store.ts";
import { FilesystemArtifactStore } from "./filesystem_artifact_store.ts";
import { FilesystemBucketStore } from "./filesystem_bucket_store.ts";
import type { S3Location } from "./s3_objects.ts";

/** The stores of one deployment. */
export type StorageSpec =
  | {
    kind: "fs";
    /** Folder of the bucket files. */
    buckets: string;
    /** Root of the artifact files. */
    artifacts: string;
  }
  | {
    kind: "s3";
    location: S3Location;
    /** Local bucket folder whose audit log records this process's bucket deletions. */
    deletionLogDir: string;
  };

/** A bucket store and an artifact store. */
export interface Stores {
  buckets: BucketStore;
  artifacts: ArtifactStore;
}

/** The stores `spec` names. */
export async function openStores(spec: StorageSpec): Promise<Stores> {
  if (spec.kind === "fs") {
    return {
      buckets: new FilesystemBucketStore(spec.buckets),
      artifacts: new FilesystemArtifactStore(spec.artifacts),
    };
  }
  // Loaded only for an object store: the S3 client takes about half a second to load.
  const [{ S3BucketStore }, { S3ArtifactStore }] = await Promise.all([
    import("./s3_bucket_store.ts"),
    import("./s3_artifact_store.ts"),
  ]);
  return {
    buckets: new S3BucketStore(spec.location, spec.deletionLogDir),
    artifacts: new S3ArtifactStore(spec.location),
  };
}
