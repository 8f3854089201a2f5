/**
 * What an S3 store under test may do: reach the endpoint and nothing else on the network, read
 * the environment and system facts the AWS SDK consults, and use its test folders.
 *
 * @module
 */

/** The permissions of S3 store tests against `endpoint`, with `folders` for local files. */
export function s3Permissions(
  endpoint: string,
  folders: Deno.PermissionOptionsObject = {},
): Deno.PermissionOptionsObject {
  return { ...folders, net: [new URL(endpoint).host], env: true, sys: true };
}
