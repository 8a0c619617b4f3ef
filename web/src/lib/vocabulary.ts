/**
 * The dashboard works with any city's vocabulary (docs/decisions/0012): it sends no @context, so
 * Urbis answers with the core context, where a term the core context does not define comes back as
 * its full IRI (`https://smartdatamodels.org/dataModel.Environment/pm25`). People read, and the
 * screens' tables (AQI bands for `pm25`, labels for `AirQualityObserved`) match, the IRI's local
 * name; requests must send the full IRI again. The Vocabulary keeps both directions, learnt from
 * what the server answers, at the one boundary where entities enter and queries leave.
 * Models of different domains use the same name for the same idea under different IRIs (`refDevice`
 * of Environment and of Streetlighting): they show as one name, and a request names every IRI seen
 * for it (`attrs=` and `type=` take lists), or the one seen on the entity's type where one is needed.
 */

/** Members of an entity that are not attributes (left as they are). */
const MEMBERS = new Set(['id', 'type', '@context', 'scope', 'createdAt', 'modifiedAt', 'deletedAt']);

export class Vocabulary {
  private readonly toFull = new Map<string, string[]>();
  /** `<short type> <name>` → the IRI entities of that type use. */
  private readonly byType = new Map<string, string>();

  /** The name to show and match for `term` (learning it when it is an IRI). */
  short(term: string): string {
    const local = localName(term);
    if (local === term) return term;
    const known = this.toFull.get(local);
    if (known === undefined) this.toFull.set(local, [term]);
    else if (!known.includes(term)) known.push(term);
    return local;
  }

  /** Every term seen for a name shown (the IRIs it was learnt from; else the name itself). */
  fullAll(name: string): string[] {
    return this.toFull.get(name) ?? [name];
  }

  /** The term to send for a name shown: the one seen on entities of `type` when given, else the first. */
  full(name: string, type?: string): string {
    return (
      (type !== undefined ? this.byType.get(`${type} ${name}`) : undefined) ?? this.fullAll(name)[0] ?? name
    );
  }

  /** An entity (normalized, concise or keyValues) with its type and attribute names shortened. */
  entity<E extends Record<string, unknown>>(e: E): E {
    const out: Record<string, unknown> = {};
    const rawType = Array.isArray(e.type) ? e.type[0] : e.type;
    const type = typeof rawType === 'string' ? this.short(rawType) : undefined;
    for (const [key, value] of Object.entries(e)) {
      if (key === 'type') {
        out.type = Array.isArray(value) ? value.map((t) => this.short(String(t))) : this.short(String(value));
      } else if (MEMBERS.has(key)) {
        out[key] = value;
      } else {
        const name = this.short(key);
        if (type !== undefined && name !== key) this.byType.set(`${type} ${name}`, key);
        out[name] = value;
      }
    }
    return out as E;
  }
}

/** The part of an IRI after its last `/` or `#` (a term that is no IRI is its own local name). */
export function localName(term: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(term)) return term;
  const cut = Math.max(term.lastIndexOf('/'), term.lastIndexOf('#'));
  const local = term.slice(cut + 1);
  return local === '' ? term : local;
}

/** The dashboard's one vocabulary, shared by its API calls and its live feed. */
export const vocabulary = new Vocabulary();
