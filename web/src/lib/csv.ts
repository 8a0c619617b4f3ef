/**
 * A CSV builder (RFC 4180) for exports that operators open in spreadsheets. Two dangers: a field with
 * a comma, quote or line break must be quoted, and a cell that starts with = + - @ (or a tab / CR) is
 * run as a formula by Excel and LibreOffice (CSV injection, OWASP) — such cells get a leading
 * apostrophe, which spreadsheets show as text.
 */

export type CsvCell = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, guarded against formulas and quoted when it must be. */
export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // Numbers are data, not formulas: -3 stays -3. Only text is guarded.
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header row then one row per record; lines end in CRLF as RFC 4180 says. */
export function buildCsv(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  return [header, ...rows].map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}
