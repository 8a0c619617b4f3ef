/**
 * @context documents the broker hosts for its clients (clause 5.13: /jsonldContexts). A client
 * posts a context once and then refers to it by URL; the broker serves it locally, so no request
 * that names it needs the internet.
 */
import { randomUUID } from 'node:crypto';
import { badRequest, notFound } from '../core/errors.js';
import type { Store, StoredContext } from '../store/port.js';

export class HostedContextService {
  constructor(
    private readonly store: Store,
    private readonly now: () => string = () => new Date().toISOString(),
  ) {}

  /** Host a context document ({"@context": ...}); `urlFor` makes its public URL from its id. */
  async add(body: unknown, urlFor: (id: string) => string): Promise<StoredContext> {
    if (body === null || typeof body !== 'object' || Array.isArray(body) || !('@context' in body)) {
      throw badRequest('the body must be an object with a @context member');
    }
    const ctx = (body as { '@context': unknown })['@context'];
    if (ctx === null || (typeof ctx !== 'object' && typeof ctx !== 'string')) {
      throw badRequest('@context must be an object, an array or a URL');
    }
    const id = randomUUID();
    const stored: StoredContext = {
      id,
      url: urlFor(id),
      kind: 'Hosted',
      body,
      createdAt: this.now(),
      numberOfHits: 0,
    };
    await this.store.contexts.put(stored);
    return stored;
  }

  async list(kind?: string): Promise<StoredContext[]> {
    if (kind !== undefined && !['Hosted', 'Cached', 'ImplicitlyCreated'].includes(kind)) {
      throw badRequest(`unknown kind ${JSON.stringify(kind)}`);
    }
    const all = await this.store.contexts.list();
    return kind === undefined ? all : all.filter((c) => c.kind === kind);
  }

  async get(id: string): Promise<StoredContext> {
    const found = await this.store.contexts.get(id);
    if (found === undefined) throw notFound(`no @context ${id}`);
    return found;
  }

  async delete(id: string): Promise<void> {
    if (!(await this.store.contexts.delete(id))) throw notFound(`no @context ${id}`);
  }

  /** The document hosted under this URL, for the context loader (undefined when not ours). */
  async lookup(url: string): Promise<unknown> {
    const m = /\/jsonldContexts\/([0-9a-f-]{36})$/.exec(url);
    if (m === null) return undefined;
    const found = await this.store.contexts.get(m[1]!);
    if (found === undefined || found.url !== url) return undefined;
    await this.store.contexts.touch(found.id, this.now());
    return found.body;
  }
}
