/** Terminal output helpers: aligned tables, JSON, and progress that only a terminal sees. */
import { terminalSafe } from '../shared/display-text';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

type Cell = string | number | null;

/** Column widths come from the header and the first rows only, so a million-row table needs no pass over all cells. */
export const TABLE_WIDTH_SAMPLE_ROWS = 1000;
/** Wider cells are printed whole but do not widen the column (one long detail must not push every row right). */
export const TABLE_MAX_COLUMN_WIDTH = 60;

function cellText(cell: Cell): string {
  // Cells come from CSV files and models: control characters (ANSI escapes) and bidi overrides are shown, not obeyed.
  return cell === null ? '' : terminalSafe(String(cell));
}

function columnWidths(headers: readonly string[], rows: readonly (readonly Cell[])[]): number[] {
  const widths = headers.map((header) => header.length);
  const sample = Math.min(rows.length, TABLE_WIDTH_SAMPLE_ROWS);
  for (let r = 0; r < sample; r++) {
    const row = rows[r]!;
    for (let i = 0; i < widths.length; i++) {
      const length = Math.min(cellText(row[i] ?? null).length, TABLE_MAX_COLUMN_WIDTH);
      if (length > widths[i]!) widths[i] = length;
    }
  }
  return widths;
}

/** The table's lines, one at a time: memory stays bounded whatever the row count. */
export function* tableLines(headers: readonly string[], rows: readonly (readonly Cell[])[]): Generator<string> {
  const widths = columnWidths(headers, rows);
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  yield line(headers.map((header) => terminalSafe(header)));
  yield line(widths.map((w) => '-'.repeat(w)));
  for (const row of rows) yield line(row.map(cellText));
}

/** A small table as one string (use writeTable for tables that may be large). */
export function formatTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  return Array.from(tableLines(headers, rows)).join('\n');
}

/** Writes a table of any size to a stream in blocks of lines, waiting when the stream is full (a slow pipe). */
export async function writeTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  stream: NodeJS.WritableStream = process.stdout,
): Promise<void> {
  let block: string[] = [];
  const flush = async () => {
    const ok = stream.write(`${block.join('\n')}\n`);
    block = [];
    if (!ok) await new Promise<void>((resolve) => stream.once('drain', () => resolve()));
  };
  for (const line of tableLines(headers, rows)) {
    block.push(line);
    if (block.length >= 1000) await flush();
  }
  if (block.length > 0) await flush();
}

/**
 * A single self-rewriting status line on stderr, shown only when stderr is a terminal, so logs
 * and pipes stay clean and `--json` output on stdout is never interleaved.
 */
export class ProgressLine {
  private lastDraw = 0;
  private drawn = false;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  update(text: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = (this.stream.columns ?? 100) - 1;
    this.stream.write(`\r${text.slice(0, width).padEnd(width)}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write(`\r${' '.repeat((this.stream.columns ?? 100) - 1)}\r`);
    this.drawn = false;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--';
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}
