/**
 * The residual filter: the parts of a query PostgreSQL does not evaluate with the reference
 * semantics, run in JavaScript over the candidates the SQL conjuncts narrowed. Regular expressions
 * (idPattern, a visibility scope's idPattern, q's `~=` / `!~=`) because JavaScript RegExp and
 * PostgreSQL's regex dialect differ; q conjuncts on non-plain paths because `attr_values` holds plain
 * paths only. Patterns run through the core `compilePattern`, non-plain paths through `matchesQ`, so
 * the answers are the reference's by construction.
 *
 * What a test reads comes with the candidate: its id always; per-candidate columns the compiler
 * adds to the candidates' SELECT (a boolean for a part SQL can decide, the string values of a plain
 * attribute for a pattern), so that most residuals never ship a document; the document only when a
 * test needs the entity itself (a non-plain path, an order by one).
 */
import type { Entity } from '../../../core/model/entity.js';

/** One candidate: its id, its extra columns, and its entity when a test needs the document. */
export interface Candidate {
  id: string;
  row: Record<string, unknown>;
  entity?: Entity;
}

/** A JavaScript filter over candidates. */
export interface Residual {
  /** Extra select expressions (`<sql> AS rN`) the tests read from `Candidate.row`. */
  columns: string[];
  /** Some test reads the document. */
  needsDoc: boolean;
  test(c: Candidate): boolean;
}

/** Collects the residual tests of a query while it compiles. */
export class ResidualBuilder {
  private readonly columns: string[] = [];
  private readonly tests: Array<(c: Candidate) => boolean> = [];
  private needsDoc = false;

  /** Add a per-candidate column computed by PostgreSQL; returns the name to read it by. */
  column(sql: string): string {
    const name = `r${this.columns.length}`;
    this.columns.push(`${sql} AS ${name}`);
    return name;
  }

  /** Add a test; `needsDoc` when it reads `Candidate.entity`. */
  add(test: (c: Candidate) => boolean, needsDoc = false): void {
    this.tests.push(test);
    this.needsDoc ||= needsDoc;
  }

  /** The filter, or undefined when nothing is left to JavaScript. */
  build(): Residual | undefined {
    if (this.tests.length === 0) return undefined;
    const tests = this.tests;
    return {
      columns: [...this.columns],
      needsDoc: this.needsDoc,
      test: (c) => tests.every((t) => t(c)),
    };
  }
}
