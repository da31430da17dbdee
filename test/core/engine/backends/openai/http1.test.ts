import { describe, expect, it } from 'vitest';
import { HttpParseError, ResponseParser, type ResponseHead } from '../../../../../src/core/engine/backends/openai/http1';

/** Feeds `raw` in pieces of `size` bytes (copied into one reused buffer, as a socket's onread does). */
function parse(raw: string | Buffer, size = Infinity, closeAtEnd = false) {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'latin1') : raw;
  const heads: ResponseHead[] = [];
  const body: Buffer[] = [];
  let ended = 0;
  const parser = new ResponseParser({
    onHead: (head) => heads.push(head),
    onBody: (piece) => body.push(Buffer.from(piece)),
    onEnd: () => ended++,
  });
  const scratch = Buffer.alloc(Math.min(bytes.length, size === Infinity ? bytes.length : size) || 1);
  for (let at = 0; at < bytes.length; at += size) {
    const piece = bytes.subarray(at, Math.min(bytes.length, at + size));
    piece.copy(scratch);
    parser.push(scratch.subarray(0, piece.length));
    scratch.fill(0x78); // whatever the parser kept a view of would now read "x"
  }
  const complete = closeAtEnd ? parser.closed() : parser.done;
  return { heads, body: Buffer.concat(body).toString('utf8'), ended, complete, extraBytes: parser.extraBytes };
}

const sizes = [1, 2, 3, 7, 64, Infinity];

describe('reading an HTTP/1.1 response', () => {
  it('takes a Content-Length body in any pieces, keeping the connection alive', () => {
    const text = '{"content": "Zürich – 東京 🙂"}';
    const raw = `HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${Buffer.from(text).toString('latin1')}`;
    for (const size of sizes) {
      const out = parse(raw, size);
      expect(out, `pieces of ${size}`).toMatchObject({ body: text, ended: 1, complete: true, extraBytes: false });
      expect(out.heads).toEqual([{ status: 200, headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }, keepAlive: true }]);
    }
  });

  it('decodes chunked bodies with extensions and trailers, split anywhere', () => {
    const raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\ndata:\r\n0000B\r\n {"a": 1}\n\n\r\n0\r\nX-Trailer: t\r\n\r\n';
    for (const size of sizes) expect(parse(raw, size), `pieces of ${size}`).toMatchObject({ body: 'data: {"a": 1}\n\n', ended: 1, complete: true });
  });

  it('reads a body without length until the connection closes, and never reuses that connection', () => {
    const raw = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it';
    expect(parse(raw, 4, false)).toMatchObject({ ended: 0, complete: false });
    const out = parse(raw, 4, true);
    expect(out).toMatchObject({ body: 'all of it', ended: 1, complete: true });
    expect(out.heads[0]!.keepAlive).toBe(false);
  });

  it('skips informational responses and reads the final one', () => {
    const out = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 5);
    expect(out.heads.map((h) => h.status)).toEqual([200]);
    expect(out.body).toBe('ok');
  });

  it('knows when the connection may carry another request', () => {
    const keepAlive = (raw: string) => parse(raw).heads[0]!.keepAlive;
    expect(keepAlive('HTTP/1.1 204 No Content\r\n\r\n')).toBe(true);
    expect(keepAlive('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n')).toBe(false);
    expect(keepAlive('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n')).toBe(true);
    // Both framings: chunked wins, and the connection is not trusted again.
    const both = parse('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n');
    expect(both).toMatchObject({ body: 'ok', complete: true });
    expect(both.heads[0]!.keepAlive).toBe(false);
  });

  it('ends a 204 or 304 at its head, and notices bytes after the end', () => {
    expect(parse('HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n')).toMatchObject({ ended: 1, body: '' });
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA')).toMatchObject({ body: 'ok', extraBytes: true });
    expect(parse('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')).toMatchObject({ extraBytes: false });
  });

  it('accepts bare LF line ends, folded and repeated headers', () => {
    const out = parse('HTTP/1.1 429 Too Many Requests\nRetry-After: 1\nX-Note: a\n  b\nX-Twice: 1\nX-Twice: 2\nContent-Length: 0\n\n');
    expect(out.heads[0]).toMatchObject({ status: 429, headers: { 'retry-after': '1', 'x-note': 'a b', 'x-twice': '1, 2' } });
  });

  it('refuses what is not HTTP/1.x', () => {
    for (const raw of [
      'SSH-2.0-OpenSSH_9.6\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
      'HTTP/1.1 200 OK\r\nBad Header\r\n\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokNOPE\r\n',
      'HTTP/1.1 101 Switching Protocols\r\n\r\n',
    ]) {
      expect(() => parse(raw, 3), raw).toThrow(HttpParseError);
    }
    expect(() => parse(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}`, 1000)).toThrow(/too large/);
  });
});
