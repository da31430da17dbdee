/**
 * Incremental RFC 4180 CSV parser over bytes. MIMIC-IV-Note's discharge.csv is ~3.3 GB of quoted
 * multi-line text, so the parser never builds a line or record string it is not asked for: a field
 * is kept as slices of the input chunks and decoded only when the caller reads it. Quoted fields are
 * scanned with Buffer.indexOf (memchr), which keeps the cost near the speed of decompression.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    /** 0-based record number (0 is the header). */
    readonly recordIndex: number,
  ) {
    super(message);
  }
}

/** A row or field beyond the parser's limits (CSV_LIMITS): refused, since keeping it would take unbounded memory. */
export class CsvLimitError extends CsvSyntaxError {}

/**
 * Limits that keep a hostile or broken file (a gzip bomb expanding to one 10 GB field, a row of a million commas,
 * millions of rows) from taking the machine's memory. A real discharge note is under 100 KB and the real files
 * have 6 to 10 columns. The MEDBENCH_CSV_MAX_* variables lower them for tests.
 */
export interface CsvLimits {
  /** Bytes of one field after decompression (64 MiB). */
  maxFieldBytes: number;
  /** Bytes of one row, all its fields together (64 MiB). */
  maxRecordBytes: number;
  /** Fields in one row (10,000). */
  maxFields: number;
  /** Rows, the header included (no limit unless the caller sets one). */
  maxRecords: number;
}

export const DEFAULT_CSV_LIMITS: Readonly<CsvLimits> = {
  maxFieldBytes: 64 * 1024 * 1024,
  maxRecordBytes: 64 * 1024 * 1024,
  maxFields: 10_000,
  maxRecords: Number.POSITIVE_INFINITY,
};

function envLimit(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  const value = Number(raw);
  return raw !== undefined && raw !== '' && Number.isInteger(value) && value > 0 ? value : fallback;
}

/** The defaults, lowered by MEDBENCH_CSV_MAX_FIELD_BYTES / _RECORD_BYTES / _FIELDS / _ROWS when set (tests). */
export function csvLimits(overrides: Partial<CsvLimits> = {}, env: NodeJS.ProcessEnv = process.env): CsvLimits {
  return {
    maxFieldBytes: overrides.maxFieldBytes ?? envLimit(env, 'MEDBENCH_CSV_MAX_FIELD_BYTES', DEFAULT_CSV_LIMITS.maxFieldBytes),
    maxRecordBytes: overrides.maxRecordBytes ?? envLimit(env, 'MEDBENCH_CSV_MAX_RECORD_BYTES', DEFAULT_CSV_LIMITS.maxRecordBytes),
    maxFields: overrides.maxFields ?? envLimit(env, 'MEDBENCH_CSV_MAX_FIELDS', DEFAULT_CSV_LIMITS.maxFields),
    // The variable counts data rows; maxRecords counts the header too.
    maxRecords: Math.min(overrides.maxRecords ?? Number.POSITIVE_INFINITY, envLimit(env, 'MEDBENCH_CSV_MAX_ROWS', Number.POSITIVE_INFINITY) + 1),
  };
}

export function formatLimitBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

export class CsvRecord {
  constructor(
    /** 0-based record number; 0 is the header row. */
    readonly index: number,
    /** 1-based physical line where the record starts (0 when line tracking is off). */
    readonly line: number,
    private readonly fields: Buffer[][],
    private readonly decoder: InstanceType<typeof TextDecoder>,
  ) {}

  get length(): number {
    return this.fields.length;
  }

  bytes(i: number): Buffer {
    const pieces = this.fields[i];
    if (pieces === undefined) return Buffer.alloc(0);
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }

  byteLength(i: number): number {
    let total = 0;
    for (const piece of this.fields[i] ?? []) total += piece.length;
    return total;
  }

  /** UTF-8 text of field i; throws CsvSyntaxError on bytes that are not UTF-8. */
  text(i: number): string {
    try {
      return this.decoder.decode(this.bytes(i));
    } catch {
      throw new CsvSyntaxError(`field ${i + 1} is not valid UTF-8 text`, this.index);
    }
  }

  texts(): string[] {
    return this.fields.map((_, i) => this.text(i));
  }

  /** A blank line parses as one empty field; callers skip it. */
  isBlank(): boolean {
    return this.fields.length === 1 && this.byteLength(0) === 0;
  }
}

const enum State {
  FieldStart,
  Unquoted,
  Quoted,
  QuoteInQuoted,
}

export interface CsvParserOptions {
  /** Count physical lines (costs a newline scan of quoted text; worth it for small files only). */
  trackLines?: boolean;
  /** Defaults: csvLimits(). */
  limits?: Partial<CsvLimits>;
}

export class CsvParser {
  private state = State.FieldStart;
  private fields: Buffer[][] = [];
  private pieces: Buffer[] = [];
  private recordIndex = 0;
  private line = 1;
  private recordLine = 1;
  private atFileStart = true;
  private readonly trackLines: boolean;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly limits: CsvLimits;
  private fieldBytes = 0;
  private recordBytes = 0;

  constructor(
    private readonly onRecord: (record: CsvRecord) => void,
    options: CsvParserOptions = {},
  ) {
    this.trackLines = options.trackLines ?? false;
    this.limits = csvLimits(options.limits);
  }

  /** Keeps a piece of the current field, after checking the field and row limits. */
  private keep(piece: Buffer): void {
    this.fieldBytes += piece.length;
    this.recordBytes += piece.length;
    if (this.fieldBytes > this.limits.maxFieldBytes) {
      throw new CsvLimitError(
        `field ${this.fields.length + 1} is longer than ${formatLimitBytes(this.limits.maxFieldBytes)}, the limit for one field (a corrupt file, an unbalanced quote, or not the expected file)`,
        this.recordIndex,
      );
    }
    if (this.recordBytes > this.limits.maxRecordBytes) {
      throw new CsvLimitError(
        `the row is longer than ${formatLimitBytes(this.limits.maxRecordBytes)}, the limit for one row (a corrupt file, an unbalanced quote, or not the expected file)`,
        this.recordIndex,
      );
    }
    this.pieces.push(piece);
  }

  push(input: Buffer): void {
    let chunk = input;
    if (this.atFileStart && chunk.length > 0) {
      // A UTF-8 byte order mark (Excel writes one) is not part of the first column's name.
      if (chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
      this.atFileStart = false;
    }
    const length = chunk.length;
    let pos = 0;
    let pieceStart = 0;
    while (pos < length) {
      switch (this.state) {
        case State.FieldStart:
          if (chunk[pos] === QUOTE) {
            this.state = State.Quoted;
            pos++;
            pieceStart = pos;
            break;
          }
          this.state = State.Unquoted;
          pieceStart = pos;
          break;
        case State.Unquoted: {
          let i = pos;
          while (i < length) {
            const byte = chunk[i];
            if (byte === COMMA || byte === LF) break;
            i++;
          }
          if (i === length) {
            if (i > pieceStart) this.keep(chunk.subarray(pieceStart, i));
            pos = length;
            break;
          }
          if (i > pieceStart) this.keep(chunk.subarray(pieceStart, i));
          if (chunk[i] === COMMA) {
            this.endField();
          } else {
            this.trimCarriageReturn();
            this.endField();
            this.line++;
            this.endRecord();
          }
          pos = i + 1;
          this.state = State.FieldStart;
          break;
        }
        case State.Quoted: {
          const quote = chunk.indexOf(QUOTE, pos);
          const stop = quote === -1 ? length : quote;
          if (this.trackLines) this.countLines(chunk, pos, stop);
          if (stop > pieceStart) this.keep(chunk.subarray(pieceStart, stop));
          if (quote === -1) {
            pos = length;
          } else {
            pos = quote + 1;
            this.state = State.QuoteInQuoted;
          }
          break;
        }
        case State.QuoteInQuoted: {
          const byte = chunk[pos];
          if (byte === QUOTE) {
            // "" inside a quoted field is one literal quote.
            this.keep(chunk.subarray(pos, pos + 1));
            pos++;
            pieceStart = pos;
            this.state = State.Quoted;
          } else if (byte === COMMA) {
            this.endField();
            pos++;
            this.state = State.FieldStart;
          } else if (byte === LF) {
            this.endField();
            this.line++;
            this.endRecord();
            pos++;
            this.state = State.FieldStart;
          } else if (byte === CR) {
            pos++;
          } else {
            throw new CsvSyntaxError(
              `unexpected character ${JSON.stringify(String.fromCharCode(byte!))} after a closing quote`,
              this.recordIndex,
            );
          }
          break;
        }
      }
    }
  }

  /** Flushes the last record when the file does not end with a newline. */
  end(): void {
    if (this.state === State.Quoted) {
      throw new CsvSyntaxError('the file ends inside a quoted field (truncated file or unbalanced quote)', this.recordIndex);
    }
    if (this.state === State.Unquoted || this.state === State.QuoteInQuoted || this.fields.length > 0) {
      if (this.state === State.Unquoted) this.trimCarriageReturn();
      this.endField();
      this.endRecord();
    }
    this.state = State.FieldStart;
  }

  private countLines(chunk: Buffer, from: number, to: number): void {
    let i = chunk.indexOf(LF, from);
    while (i !== -1 && i < to) {
      this.line++;
      i = chunk.indexOf(LF, i + 1);
    }
  }

  private trimCarriageReturn(): void {
    const last = this.pieces[this.pieces.length - 1];
    if (last !== undefined && last.length > 0 && last[last.length - 1] === CR) {
      this.pieces[this.pieces.length - 1] = last.subarray(0, last.length - 1);
    }
  }

  private endField(): void {
    if (this.fields.length >= this.limits.maxFields) {
      throw new CsvLimitError(`the row has more than ${this.limits.maxFields} fields, the limit for one row (a corrupt file, or not the expected file)`, this.recordIndex);
    }
    this.fields.push(this.pieces);
    this.pieces = [];
    this.fieldBytes = 0;
  }

  private endRecord(): void {
    if (this.recordIndex >= this.limits.maxRecords) {
      throw new CsvLimitError(`the file has more than ${this.limits.maxRecords - 1} data rows, the limit for this kind of file`, this.recordIndex);
    }
    this.recordBytes = 0;
    const record = new CsvRecord(this.recordIndex, this.trackLines ? this.recordLine : 0, this.fields, this.decoder);
    this.fields = [];
    this.recordIndex++;
    this.recordLine = this.line;
    this.onRecord(record);
  }
}
