/**
 * A small client of Urbis's public HTTP API for the simulator: one keep-alive connection pool
 * (undici Agent), the tenant header on every call, NGSI-LD bodies carrying their own @context
 * (application/ld+json), and answers read as JSON. A non-2xx answer is an UrbisHttpError
 * carrying the ProblemDetails, so a provisioning step can tell "already there" (409) from a failure.
 */
import { Agent, fetch } from 'undici';

/** Each call gives up after this long: a stuck server must not stall the simulator for ever. */
const TIMEOUT_MS = 30_000;

export class UrbisHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: unknown,
  ) {
    const detail =
      body !== null && typeof body === 'object' && 'detail' in body
        ? String((body as { detail: unknown }).detail)
        : typeof body === 'string'
          ? body.slice(0, 200)
          : '';
    super(`${method} ${path} → ${status}${detail === '' ? '' : `: ${detail}`}`);
    this.name = 'UrbisHttpError';
  }
}

export interface CallOptions {
  body?: unknown;
  /** `Authorization: Bearer <this>`; the client's key when absent, none when null (anonymous). */
  bearer?: string | null;
  /** The body carries its own `@context` (application/ld+json). */
  ld?: boolean;
  /** Statuses that are answers rather than errors (besides 2xx). */
  accept?: number[];
  /** Send no tenant header (calls authenticated by a device credential need none). */
  noTenant?: boolean;
  query?: Record<string, string>;
}

export interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

export class UrbisClient {
  private readonly agent: Agent;

  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
    readonly tenant: string,
    connections = 16,
  ) {
    this.agent = new Agent({ connections, keepAliveTimeout: 10_000, pipelining: 1 });
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<Answer> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const bearer = options.bearer === undefined ? this.apiKey : options.bearer;
    if (bearer !== null) headers.authorization = `Bearer ${bearer}`;
    if (options.noTenant !== true) headers['ngsild-tenant'] = this.tenant;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] = options.ld === true ? 'application/ld+json' : 'application/json';
      body = JSON.stringify(options.body);
    }
    const url = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    const res = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      dispatcher: this.agent,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if (text !== '' && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        // Not JSON after all: the text is the answer (kept for the error message).
      }
    }
    const answer: Answer = {
      status: res.status,
      body: text === '' ? undefined : parsed,
      headers: res.headers,
    };
    if ((res.status >= 200 && res.status < 300) || options.accept?.includes(res.status) === true)
      return answer;
    throw new UrbisHttpError(method, path, res.status, answer.body);
  }

  /** Close the connection pool (in-flight calls finish first). */
  close(): Promise<void> {
    return this.agent.close();
  }
}

/** Run `work` over `items` with at most `limit` at a time; results in the items' order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
