/** What the security hooks attach to each request (Fastify declaration merging). */
import type { Access } from '../../governance/policy/access.js';
import type { Principal } from '../../governance/policy/model.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller (anonymous when no credential was given). */
    principal?: Principal;
    /** What the caller may do in the addressed tenant. */
    access?: Access;
    /** The route appended its own audit entry (admin routes); the gate's hook adds none. */
    audited?: boolean;
  }
}

export {};
