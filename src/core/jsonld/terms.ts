/**
 * The two operations the entity model needs from a resolved @context: expand a term to an IRI and
 * compact an IRI back to a term. The JSON-LD module's ActiveContext implements this.
 */
export interface TermMapper {
  expandTerm(term: string): string;
  compactIri(iri: string): string;
}
