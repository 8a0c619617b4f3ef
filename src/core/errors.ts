/**
 * The NGSI-LD error hierarchy (ETSI GS CIM 009, clause 5.5.2 and table 5.5.2-1). Every failure the
 * broker reports is one of these; the HTTP layer maps them to ProblemDetails in exactly one place.
 */
export type NgsiErrorKind =
  | 'InvalidRequest'
  | 'BadRequestData'
  | 'AlreadyExists'
  | 'OperationNotSupported'
  | 'ResourceNotFound'
  | 'InternalError'
  | 'TooComplexQuery'
  | 'TooManyResults'
  | 'LdContextNotAvailable'
  | 'NoMultiTenantSupport'
  | 'NonexistentTenant'
  | 'NotAcceptable'
  | 'UnsupportedMediaType'
  | 'PayloadTooLarge'
  | 'MethodNotAllowed'
  // Not NGSI-LD error types: access control and abuse resistance (ProblemDetails type about:blank).
  | 'Unauthorized'
  | 'Forbidden'
  | 'TooManyRequests'
  | 'ServiceUnavailable';

/** Kinds that are plain HTTP statuses rather than NGSI-LD error types (RFC 9457 `about:blank`). */
const HTTP_KINDS: ReadonlySet<NgsiErrorKind> = new Set([
  'Unauthorized',
  'Forbidden',
  'TooManyRequests',
  'ServiceUnavailable',
]);

const STATUS: Record<NgsiErrorKind, number> = {
  InvalidRequest: 400,
  BadRequestData: 400,
  AlreadyExists: 409,
  OperationNotSupported: 422,
  ResourceNotFound: 404,
  InternalError: 500,
  TooComplexQuery: 403,
  TooManyResults: 403,
  LdContextNotAvailable: 503,
  NoMultiTenantSupport: 501,
  NonexistentTenant: 404,
  NotAcceptable: 406,
  UnsupportedMediaType: 415,
  PayloadTooLarge: 413,
  MethodNotAllowed: 405,
  Unauthorized: 401,
  Forbidden: 403,
  TooManyRequests: 429,
  ServiceUnavailable: 503,
};

/** A failure with an NGSI-LD error type, an HTTP status and a human-readable detail. */
export class NgsiError extends Error {
  readonly kind: NgsiErrorKind;
  readonly status: number;
  readonly detail: string;
  readonly title: string;

  constructor(kind: NgsiErrorKind, detail: string, options?: { status?: number; cause?: unknown }) {
    super(detail, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = kind;
    this.kind = kind;
    this.status = options?.status ?? STATUS[kind];
    this.detail = detail;
    this.title = TITLES[kind];
  }

  /** The error type URI, as the spec requires in ProblemDetails `type`. */
  get typeUri(): string {
    if (HTTP_KINDS.has(this.kind)) return 'about:blank';
    return `https://uri.etsi.org/ngsi-ld/errors/${this.kind}`;
  }

  /** RFC 9457 ProblemDetails body. */
  toProblem(): { type: string; title: string; status: number; detail: string } {
    return { type: this.typeUri, title: this.title, status: this.status, detail: this.detail };
  }
}

const TITLES: Record<NgsiErrorKind, string> = {
  InvalidRequest: 'Invalid request',
  BadRequestData: 'Bad request data',
  AlreadyExists: 'Already exists',
  OperationNotSupported: 'Operation not supported',
  ResourceNotFound: 'Resource not found',
  InternalError: 'Internal error',
  TooComplexQuery: 'Too complex query',
  TooManyResults: 'Too many results',
  LdContextNotAvailable: 'LD context not available',
  NoMultiTenantSupport: 'No multi-tenant support',
  NonexistentTenant: 'Nonexistent tenant',
  NotAcceptable: 'Not acceptable',
  UnsupportedMediaType: 'Unsupported media type',
  PayloadTooLarge: 'Payload too large',
  MethodNotAllowed: 'Method not allowed',
  Unauthorized: 'Unauthorized',
  Forbidden: 'Forbidden',
  TooManyRequests: 'Too Many Requests',
  ServiceUnavailable: 'Service Unavailable',
};

export const badRequest = (detail: string): NgsiError => new NgsiError('BadRequestData', detail);
export const invalidRequest = (detail: string): NgsiError => new NgsiError('InvalidRequest', detail);
export const notFound = (detail: string): NgsiError => new NgsiError('ResourceNotFound', detail);
export const alreadyExists = (detail: string): NgsiError => new NgsiError('AlreadyExists', detail);

/** True for any NgsiError. */
export function isNgsiError(e: unknown): e is NgsiError {
  return e instanceof NgsiError;
}
export const forbidden = (detail: string): NgsiError => new NgsiError('Forbidden', detail);
export const unauthorized = (detail: string): NgsiError => new NgsiError('Unauthorized', detail);
