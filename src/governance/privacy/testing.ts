/**
 * In-memory fakes of the governance store ports this module uses (registry, pseudonym keys), for unit
 * tests. They follow the port contracts in src/store/governance-port.ts to the letter — including the
 * destruction of expired keys — and record what happened so that tests can assert it.
 */
import type {
  PseudonymKey,
  PseudonymKeyRepository,
  RegistryRecord,
  RegistryRepository,
} from '../../store/governance-port.js';

export class MemoryRegistryRepository implements RegistryRepository {
  readonly records = new Map<string, RegistryRecord>();
  /** How many times list() ran (to observe caching). */
  lists = 0;

  async put(record: RegistryRecord): Promise<void> {
    // Stored as JSON, as a real adapter would: nothing shared with the caller's objects.
    this.records.set(key(record.tenant, record.type), JSON.parse(JSON.stringify(record)) as RegistryRecord);
  }

  async get(tenant: string, type: string): Promise<RegistryRecord | undefined> {
    return this.records.get(key(tenant, type));
  }

  async list(tenant: string): Promise<RegistryRecord[]> {
    this.lists += 1;
    return [...this.records.values()]
      .filter((r) => r.tenant === tenant)
      .sort((a, b) => (a.type < b.type ? -1 : 1));
  }

  async delete(tenant: string, type: string): Promise<boolean> {
    return this.records.delete(key(tenant, type));
  }
}

export class MemoryPseudonymKeyRepository implements PseudonymKeyRepository {
  readonly keys: PseudonymKey[] = [];
  /** Ids of the keys destroyed, in order. */
  readonly destroyed: string[] = [];
  /** How many times current() ran. */
  calls = 0;

  async current(tenant: string, at: string, create: () => PseudonymKey): Promise<PseudonymKey> {
    this.calls += 1;
    this.destroyWhere((k) => k.tenant === tenant && k.notAfter <= at);
    const valid = this.keys.find((k) => k.tenant === tenant);
    if (valid !== undefined) return valid;
    const made = create();
    this.keys.push(made);
    return made;
  }

  async destroyExpired(at: string): Promise<number> {
    return this.destroyWhere((k) => k.notAfter <= at);
  }

  private destroyWhere(expired: (k: PseudonymKey) => boolean): number {
    let n = 0;
    for (let i = this.keys.length - 1; i >= 0; i--) {
      const k = this.keys[i];
      if (k !== undefined && expired(k)) {
        this.destroyed.push(k.id);
        this.keys.splice(i, 1);
        n += 1;
      }
    }
    return n;
  }
}

function key(tenant: string, type: string): string {
  return JSON.stringify([tenant, type]);
}
