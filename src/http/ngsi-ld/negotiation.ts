/**
 * Content negotiation of NGSI-LD (clause 6.3.4 – 6.3.6): which media type a request body has, which
 * representation the client accepts, and where its @context comes from (Link header or body).
 */
import { NgsiError, badRequest } from '../../core/errors.js';

export const JSON_LD_CONTEXT_REL = 'http://www.w3.org/ns/json-ld#context';

/** Media types the broker answers with. */
export type ResponseType = 'application/json' | 'application/ld+json' | 'application/geo+json';

const OFFERS: ResponseType[] = ['application/json', 'application/ld+json', 'application/geo+json'];

/** Media types accepted in request bodies. */
export type BodyType = 'json' | 'ld+json' | 'merge-patch';

/** Classify a request's Content-Type; anything else is 415. */
export function bodyType(contentType: string | undefined): BodyType {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json') return 'json';
  if (mime === 'application/ld+json') return 'ld+json';
  if (mime === 'application/merge-patch+json') return 'merge-patch';
  throw new NgsiError('UnsupportedMediaType', `Content-Type ${JSON.stringify(mime)} is not supported`);
}

/**
 * Pick the response type from an Accept header (q-values honoured, wildcards allowed). `geo` says
 * whether the endpoint can answer in GeoJSON.
 */
export function negotiate(accept: string | undefined, geo: boolean): ResponseType {
  if (accept === undefined || accept.trim() === '') return 'application/json';
  let best: ResponseType | undefined;
  let bestQ = 0;
  for (const part of accept.split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    if (!(q > 0)) continue;
    for (const offer of OFFERS) {
      if (offer === 'application/geo+json' && !geo) continue;
      if (matches(range!.trim(), offer) && q > bestQ) {
        best = offer;
        bestQ = q;
      }
    }
  }
  if (best === undefined)
    throw new NgsiError('NotAcceptable', `cannot answer with any of ${JSON.stringify(accept)}`);
  return best;
}

function matches(range: string, offer: ResponseType): boolean {
  if (range === '*/*' || range === 'application/*') return offer === 'application/json';
  return range === offer;
}

/** The @context URL(s) from a Link header, or undefined when there is none. */
export function contextFromLink(link: string | undefined): string | undefined {
  if (link === undefined || link.trim() === '') return undefined;
  const found: string[] = [];
  for (const part of splitLinks(link)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (m === null) throw badRequest('malformed Link header');
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2]!);
    if (rel !== null && rel[1]!.trim() === JSON_LD_CONTEXT_REL) found.push(m[1]!);
  }
  if (found.length > 1) throw badRequest('more than one JSON-LD context Link header');
  return found[0];
}

function splitLinks(header: string): string[] {
  // Commas separate links, but may also occur inside <...>: split only outside angle brackets.
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < header.length; i++) {
    const c = header[i];
    if (c === '<') depth++;
    else if (c === '>') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      parts.push(header.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(header.slice(start));
  return parts.filter((p) => p.trim() !== '');
}

/** The Link header value that points at a context URL. */
export function linkHeader(url: string): string {
  return `<${url}>; rel="${JSON_LD_CONTEXT_REL}"; type="application/ld+json"`;
}
