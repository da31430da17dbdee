/**
 * An HTTP/1.1 response parser (RFC 9112) for transport.ts: the status line, the headers, and a body
 * framed by Content-Length, chunked transfer coding or the end of the connection. Pure code over
 * bytes, fed in whatever pieces the socket delivers; it never touches the network.
 */

export class HttpParseError extends Error {}

export interface ResponseHead {
  status: number;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Whether the connection may carry another request once this response has ended. */
  keepAlive: boolean;
}

export interface ResponseHandlers {
  /** The final (non-1xx) head; informational responses are skipped. */
  onHead(head: ResponseHead): void;
  /** A piece of the body decoded from the transfer coding: a view into the bytes pushed, valid only during the call. */
  onBody(piece: Buffer): void;
  onEnd(): void;
}

const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_LINE = 4 * 1024;
const LF = 0x0a;
const CR = 0x0d;

type State = 'head' | 'fixed' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'until-close' | 'done';

export class ResponseParser {
  private state: State = 'head';
  private head: Buffer | null = null;
  private remaining = 0;
  private line = '';
  /** Bytes arrived after the response ended (the connection is then not reused). */
  extraBytes = false;
  /** How the body ends: false until a head says its body runs to the end of the connection. */
  endsAtClose = false;

  constructor(private readonly handlers: ResponseHandlers) {}

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether any byte of a final response head has arrived (a close before it means the server never answered). */
  get started(): boolean {
    return this.state !== 'head' || this.head !== null;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      switch (this.state) {
        case 'head':
          at = this.readHead(chunk, at);
          break;
        case 'fixed': {
          const take = Math.min(this.remaining, chunk.length - at);
          this.handlers.onBody(chunk.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.finish(at < chunk.length);
          break;
        }
        case 'until-close':
          this.handlers.onBody(at === 0 ? chunk : chunk.subarray(at));
          at = chunk.length;
          break;
        case 'chunk-size':
        case 'chunk-end':
        case 'trailer': {
          const lineEnd = chunk.indexOf(LF, at);
          const end = lineEnd < 0 ? chunk.length : lineEnd;
          this.line += chunk.toString('latin1', at, end);
          if (this.line.length > MAX_CHUNK_LINE) throw new HttpParseError('a chunk line is too long');
          at = end;
          if (lineEnd >= 0) {
            at++;
            const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
            this.line = '';
            this.chunkLine(line, at < chunk.length);
          }
          break;
        }
        case 'chunk-data': {
          const take = Math.min(this.remaining, chunk.length - at);
          this.handlers.onBody(chunk.subarray(at, at + take));
          at += take;
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'chunk-end';
          break;
        }
        case 'done':
          return;
      }
    }
  }

  /** The connection ended: completes a body that runs until then; false when the response is incomplete. */
  closed(): boolean {
    if (this.state === 'until-close') {
      this.finish(false);
      return true;
    }
    return this.state === 'done';
  }

  /** `extra`: bytes follow the response's end in the same read, which we never asked for. */
  private finish(extra: boolean): void {
    this.extraBytes = extra;
    this.state = 'done';
    this.handlers.onEnd();
  }

  private readHead(chunk: Buffer, at: number): number {
    const bytes = this.head ? Buffer.concat([this.head, chunk.subarray(at)]) : at === 0 ? chunk : chunk.subarray(at);
    const consumedBefore = this.head ? this.head.length : 0;
    const end = headEnd(bytes);
    if (end === null) {
      if (bytes.length > MAX_HEAD_BYTES) throw new HttpParseError('the response head is too large');
      // A copy: the caller may reuse its buffer for the next read.
      this.head = Buffer.from(bytes);
      return chunk.length;
    }
    this.head = null;
    const parsed = parseHead(bytes.toString('latin1', 0, end.lineStart));
    const next = at + (end.after - consumedBefore);
    if (parsed.status >= 100 && parsed.status < 200) {
      if (parsed.status === 101) throw new HttpParseError('the server switched protocols');
      return next; // 100 Continue, 103 Early Hints: the real answer follows
    }
    const { headers } = parsed;
    let keepAlive = parsed.minor >= 1 ? !hasToken(headers.connection, 'close') : hasToken(headers.connection, 'keep-alive');
    const transferEncoding = headers['transfer-encoding'];
    const contentLength = headers['content-length'];
    let done = false;
    if (parsed.status === 204 || parsed.status === 304) done = true;
    else if (transferEncoding !== undefined) {
      // Chunked must be the last coding; any other framing runs to the close (RFC 9112 6.3).
      const codings = transferEncoding.split(',');
      if (codings[codings.length - 1]!.trim().toLowerCase() === 'chunked') this.state = 'chunk-size';
      else this.state = 'until-close';
      // A message with both framings may be an attack on a proxy in between: never reuse that connection.
      if (contentLength !== undefined) keepAlive = false;
    } else if (contentLength !== undefined) {
      const values = contentLength.split(',').map((v) => v.trim());
      if (!values.every((v) => /^\d{1,15}$/.test(v) && v === values[0])) throw new HttpParseError(`invalid Content-Length: ${contentLength}`);
      this.remaining = Number(values[0]);
      if (this.remaining === 0) done = true;
      else this.state = 'fixed';
    } else this.state = 'until-close';
    if (this.state === 'until-close') {
      keepAlive = false;
      this.endsAtClose = true;
    }
    this.handlers.onHead({ status: parsed.status, headers, keepAlive });
    if (done) this.finish(next < chunk.length);
    return next;
  }

  private chunkLine(line: string, more: boolean): void {
    if (this.state === 'chunk-end') {
      if (line !== '') throw new HttpParseError('a chunk does not end with CRLF');
      this.state = 'chunk-size';
    } else if (this.state === 'chunk-size') {
      const size = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;.*)?$/.exec(line);
      if (!size) throw new HttpParseError(`invalid chunk size line: ${JSON.stringify(line.slice(0, 40))}`);
      this.remaining = Number.parseInt(size[1]!, 16);
      this.state = this.remaining === 0 ? 'trailer' : 'chunk-data';
    } else if (line === '') this.finish(more); // the empty line after the trailer fields (usually none)
  }
}

/** Where the head ends: the empty line (CRLF CRLF, or a bare LF as RFC 9112 2.2 allows). */
function headEnd(bytes: Buffer): { lineStart: number; after: number } | null {
  let from = 0;
  for (;;) {
    const lf = bytes.indexOf(LF, from);
    if (lf < 0 || lf + 1 >= bytes.length) return null;
    if (bytes[lf + 1] === LF) return { lineStart: lf, after: lf + 2 };
    if (bytes[lf + 1] === CR) {
      if (lf + 2 >= bytes.length) return null;
      if (bytes[lf + 2] === LF) return { lineStart: lf, after: lf + 3 };
    }
    from = lf + 1;
  }
}

function parseHead(text: string): { minor: number; status: number; headers: Record<string, string> } {
  const lines = text.split('\n');
  const statusLine = /^HTTP\/1\.(\d) (\d{3})(?:[ \t].*)?\r?$/.exec(lines[0]!);
  if (!statusLine) throw new HttpParseError(`not an HTTP/1.x status line: ${JSON.stringify(lines[0]!.slice(0, 60))}`);
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  let last: string | null = null;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if ((line.startsWith(' ') || line.startsWith('\t')) && last !== null) {
      headers[last] = `${headers[last]} ${line.trim()}`; // obs-fold: a continuation line is one space (RFC 9112 5.2)
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) throw new HttpParseError(`invalid header line: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    last = name;
  }
  return { minor: Number(statusLine[1]), status: Number(statusLine[2]), headers };
}

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(',').some((part) => part.trim().toLowerCase() === token);
}
