/**
 * The HTTP answers the server builds: JSON and plain text.
 *
 * @module
 */

/** `body` as JSON with `status`. */
export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** `body` as plain text with `status`. */
export function text(status: number, body: string): Response {
  return new Response(body, { status, headers: { "content-type": "text/plain; charset=utf-8" } });
}
