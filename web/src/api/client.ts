/**
 * The one way the dashboard talks to Urbis: same-origin fetch with the bearer key, the tenant header
 * and (for NGSI-LD, alerts and live) the Link header naming the @context, so attribute names come back
 * short. A non-2xx answer becomes an ApiError carrying the server's ProblemDetails `detail`.
 */
import type { Session } from './session.js';

export interface Problem {
  type?: string;
  title?: string;
  detail?: string;
  status?: number;
}

/** A refused request, with what the server said. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
    this.name = 'ApiError';
  }
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  /** Send the Link header (NGSI-LD routes, alerts, live). */
  ld?: boolean;
  signal?: AbortSignal;
  accept?: string;
}

/** Paths whose answers are compacted with the Link context. */
const LD_PREFIXES = ['/ngsi-ld/', '/alerts', '/live'];

export class ApiClient {
  constructor(
    private readonly session: Session,
    private readonly context: string | null,
    private readonly fetchImpl: typeof fetch = (...a) => fetch(...a),
  ) {}

  /** The headers every request carries. */
  headers(ld: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    const key = this.session.apiKey;
    if (key !== undefined) h.authorization = `Bearer ${key}`;
    const tenant = this.session.tenant;
    if (tenant !== '') h['ngsild-tenant'] = tenant;
    if (ld && this.context !== null)
      h.link = `<${this.context}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"`;
    return h;
  }

  /** The raw response (2xx), or an ApiError. */
  async request(path: string, opts: RequestOptions = {}): Promise<Response> {
    const ld = opts.ld ?? LD_PREFIXES.some((p) => path.startsWith(p));
    const headers = this.headers(ld);
    headers.accept = opts.accept ?? 'application/json';
    const init: RequestInit = { method: opts.method ?? 'GET', headers };
    if (opts.signal !== undefined) init.signal = opts.signal;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(opts.body);
    }
    const res = await this.fetchImpl(path, init);
    if (!res.ok) throw new ApiError(res.status, await problemOf(res));
    return res;
  }

  /** The JSON body of a 2xx answer (undefined for 204). */
  async json<T>(path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.request(path, opts);
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** The JSON body and the NGSILD-Results-Count header. */
  async page<T>(path: string, opts: RequestOptions = {}): Promise<{ items: T[]; count: number | undefined }> {
    const res = await this.request(path, opts);
    const items = (await res.json()) as T[];
    const c = res.headers.get('ngsild-results-count');
    return { items, count: c === null ? undefined : Number(c) };
  }
}

async function problemOf(res: Response): Promise<Problem> {
  try {
    const body = (await res.json()) as unknown;
    if (body !== null && typeof body === 'object') return { status: res.status, ...(body as Problem) };
  } catch {
    // Not JSON (a proxy's HTML error page): the status says enough.
  }
  return { status: res.status, title: res.statusText };
}

/** Encode a path segment (entity ids are URNs with colons; those are fine, but '/' and '#' are not). */
export const seg = (s: string): string => encodeURIComponent(s);
