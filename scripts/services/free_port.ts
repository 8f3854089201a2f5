/**
 * Free loopback ports for services started by the test tooling.
 *
 * @module
 */

/** `count` distinct TCP ports on 127.0.0.1 that were free a moment ago. */
export function freePorts(count: number): number[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`count must be a positive integer: current value is ${count}`);
  }
  // Holding every listener until all are bound keeps the kernel from handing out one port twice.
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ hostname: "127.0.0.1", port: 0 }),
  );
  const ports = listeners.map((listener) => (listener.addr as Deno.NetAddr).port);
  for (const listener of listeners) listener.close();
  return ports;
}
