/**
 * A minimal RFC 4180 reader for tests that check files written by the project's generators: it
 * is deliberately not the importer's parser, so a bug there cannot hide a bug in the files.
 * Strict: the text must end with a newline and every quote must be closed.
 */
export function readCsvText(content: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let inQuotes = false;
  for (let i = 0; i < content.length; i++) {
    const ch = content[i];
    if (inQuotes) {
      if (ch === '"' && content[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') inQuotes = false;
      else field += ch;
    } else if (ch === '"') inQuotes = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (inQuotes) throw new Error('CSV text ends inside a quoted field');
  if (field !== '' || row.length > 0) throw new Error('CSV text does not end with a newline');
  return rows;
}
