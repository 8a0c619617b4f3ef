/**
 * The security headers every response carries (helmet's), worked out once at start-up.
 *
 * They depend only on the configuration, yet @fastify/helmet builds helmet's middleware anew on
 * every request, parsing the Content-Security-Policy directives each time (~4% of a create's server
 * time, ~9% of a retrieve's). So helmet's own middleware runs once here, against a real
 * `ServerResponse`, and the headers it set are copied onto each response; helmet stays the authority
 * on what the headers are.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet, { type HelmetOptions } from 'helmet';

/** The headers helmet sets for `options`, as [name, value] pairs. */
export function securityHeaders(options: Readonly<HelmetOptions>): Array<[string, string | string[]]> {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  let failed: unknown;
  let done = false;
  helmet(options)(res.req, res, (err?: unknown) => {
    failed = err;
    done = true;
  });
  // Helmet's middleware is synchronous; anything else would leave the headers unknown.
  if (!done || failed !== undefined)
    throw new Error(`helmet did not produce the security headers: ${String(failed)}`);
  return Object.entries(res.getHeaders()).map(([name, value]) => [
    name,
    Array.isArray(value) ? value : String(value),
  ]);
}
