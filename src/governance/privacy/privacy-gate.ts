/**
 * The privacy gate of the context services (IngestGate): for a tenant, its registry entries and its
 * current pseudonym key, loaded once per request, then applied synchronously to every entity that
 * request writes (inside the write transaction). Attributes dropped are reported for the metrics.
 */
import type { IngestGate, IngestTreatment } from '../../context/ingest-gate.js';
import { governAttrs, type GovernTools } from './apply-governance.js';
import type { Pseudonymiser } from './pseudonymiser.js';
import type { GovernanceRegistry } from './registry.js';

const NO_KEY: GovernTools = {
  pseudonymise: () => {
    throw new Error('no pseudonym key was loaded for this tenant');
  },
};

export class PrivacyGate implements IngestGate {
  private readonly registry: GovernanceRegistry;
  private readonly pseudonymiser: Pseudonymiser;
  private readonly onDropped: (type: string, count: number) => void;
  /** Attributes dropped so far, by governed type (the metrics read it). */
  readonly dropped = new Map<string, number>();

  constructor(deps: {
    registry: GovernanceRegistry;
    pseudonymiser: Pseudonymiser;
    onDropped?: (type: string, count: number) => void;
  }) {
    this.registry = deps.registry;
    this.pseudonymiser = deps.pseudonymiser;
    this.onDropped = deps.onDropped ?? (() => undefined);
  }

  async prepare(tenant: string): Promise<IngestTreatment> {
    const [lookup, needsKey] = await Promise.all([
      this.registry.lookup(tenant),
      // A key is made (and kept) only for tenants that pseudonymise something.
      this.registry.pseudonymises(tenant),
    ]);
    const tools: GovernTools = needsKey ? await this.pseudonymiser.forTenant(tenant) : NO_KEY;
    return {
      governed: (types) => lookup(types) !== undefined,
      attrs: (types, attrs) => {
        const g = lookup(types);
        if (g === undefined) return attrs;
        const result = governAttrs(attrs, g, tools);
        if (result.dropped.length > 0) {
          this.dropped.set(g.type, (this.dropped.get(g.type) ?? 0) + result.dropped.length);
          this.onDropped(g.type, result.dropped.length);
        }
        return result.attrs;
      },
    };
  }
}
