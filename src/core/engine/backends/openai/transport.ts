/**
 * The one module of src/core allowed to open a network connection (eslint.config.js fences every other
 * file): HTTP requests to the one endpoint that `endpoint.ts` accepted. It never follows a redirect,
 * checks that a loopback name really resolves to loopback, keeps connections alive for the server's
 * prefix cache and throughput, and cancels a request when its AbortSignal fires.
 *
 * It speaks HTTP/1.1 itself over net/tls sockets (responses parsed by http1.ts) rather than through
 * node:http: a run sends thousands of requests a minute, and node:http's request and response objects,
 * streams and agent bookkeeping cost about a third of a millisecond of CPU per request (issue 12's
 * bench: the client's CPU per prediction fell by a fifth). TLS, certificate checks and DNS stay Node's.
 */
import dns from 'node:dns';
import net, { type LookupFunction, type Socket } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import tls from 'node:tls';
import { UserError } from '../../../errors';
import { whenAborted } from './abort';
import { isLoopbackAddress, type Endpoint } from './endpoint';
import { ResponseParser, type ResponseHandlers, type ResponseHead } from './http1';

export class TransportError extends Error {
  constructor(
    message: string,
    /** 429, 5xx, timeouts and dropped connections are worth another try; a 4xx or a redirect is not. */
    readonly retryable: boolean,
    readonly status: number | null = null,
    /** Seconds from a Retry-After header, when the server sent one. */
    readonly retryAfter: number | null = null,
  ) {
    super(message);
  }
}

export interface HttpResponse {
  status: number;
  body: string;
}

export interface RequestOptions {
  method: 'GET' | 'POST';
  /** Appended to the endpoint's base path ("/chat/completions"), or absolute from the server root when `fromRoot`. */
  path: string;
  fromRoot?: boolean;
  body?: unknown;
  /** The body already serialized as JSON, or its UTF-8 (instead of `body`): a note's requests share its escaped text. */
  json?: string | Buffer;
  signal?: AbortSignal;
  /** Called with each piece of the body as it arrives (streaming responses). */
  onData?: (text: string) => void;
}

export interface Transport {
  request(options: RequestOptions): Promise<HttpResponse>;
  /** The text with the API key blanked out: for anything taken from a response into a message or the store. */
  redact(text: string): string;
  close(): void;
}

export function createTransport(endpoint: Endpoint, options: { apiKey: string | null; maxSockets: number; timeoutMs: number }): Transport {
  const secret = options.apiKey;
  // What Node's http client would refuse to send: a line break in a header value could inject headers.
  if (secret !== null && /[^\t\x20-\x7e\x80-\xff]/.test(secret)) throw new UserError('the API key contains characters an HTTP header cannot carry (line breaks or control characters)');
  const redact = (text: string) => (secret ? text.split(secret).join('[api key]') : text);
  const secure = endpoint.protocol === 'https:';
  const basePath = new URL(endpoint.baseUrl).pathname.replace(/\/+$/, '');
  const shownHost = endpoint.host.includes(':') ? `[${endpoint.host}]` : endpoint.host;
  const hostHeader = endpoint.port === (secure ? 443 : 80) ? shownHost : `${shownHost}:${endpoint.port}`;
  // The head's fixed lines, built once (per request only the request line and the length change).
  const fixedHeaders = `Host: ${hostHeader}\r\nAccept: application/json, text/event-stream\r\nConnection: keep-alive\r\n${secret ? `Authorization: Bearer ${secret}\r\n` : ''}`;
  // A name like "localhost" could be pointed elsewhere in /etc/hosts: the resolved address must be loopback too.
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dns.lookup(hostname, { ...lookupOptions, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      if (endpoint.loopback && list.some((entry) => !isLoopbackAddress(entry.address))) {
        return callback(Object.assign(new Error(`${hostname} resolves to ${list.map((e) => e.address).join(', ')}, not only loopback; refusing to connect`), { code: 'ENOTLOOPBACK' }), '', 0);
      }
      if (lookupOptions.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
  // Plain TCP reads land in one buffer handed straight to the parser (`onread`), past the stream machinery
  // of 'data' events; the parser copies what it keeps, so the pool's connections share the buffer.
  const readBuffer = Buffer.allocUnsafe(64 * 1024);
  const connect = (onBytes: (bytes: Buffer) => void): Socket => {
    const common = { host: endpoint.host, port: endpoint.port, lookup };
    if (!secure) {
      const callback = (size: number, buffer: Uint8Array) => {
        onBytes((buffer as Buffer).subarray(0, size));
        return true; // keep reading
      };
      const onread = { buffer: readBuffer, callback };
      return net.connect({ ...common, onread });
    }
    // tls verifies the certificate against the system's CAs and the name, as https.request does.
    const socket = tls.connect({ ...common, ...(net.isIP(endpoint.host) ? {} : { servername: endpoint.host }), ALPNProtocols: ['http/1.1'] });
    socket.on('data', onBytes);
    return socket;
  };
  const pool = new ConnectionPool(connect, options.maxSockets, options.timeoutMs);

  return {
    request(request) {
      return new Promise<HttpResponse>((resolve, reject) => {
        if (request.signal?.aborted) return reject(abortError());
        const text = request.json ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
        const payload = typeof text === 'string' ? Buffer.from(text) : text;
        const path = request.fromRoot ? request.path : `${basePath}${request.path}`;
        const head = `${request.method} ${path} HTTP/1.1\r\n${fixedHeaders}${payload ? `Content-Type: application/json\r\nContent-Length: ${payload.length}\r\n` : ''}\r\n`;
        // One write, so one segment on the wire for small requests and no writev bookkeeping.
        const bytes = payload ? Buffer.concat([Buffer.from(head, 'latin1'), payload]) : Buffer.from(head, 'latin1');
        const exchange = new Exchange(bytes, request.onData ?? null, resolve, reject, endpoint.baseUrl, redact, options.timeoutMs);
        if (request.signal) {
          const stopWatching = whenAborted(request.signal, () => exchange.cancel());
          exchange.onSettled = stopWatching;
        }
        pool.send(exchange);
      });
    },
    redact,
    close() {
      pool.close();
    },
  };
}

/**
 * Keep-alive connections to the one endpoint: at most `maxSockets`, idle ones reused most recent first,
 * requests beyond that wait in order. Each socket gets its listeners once, when it is opened.
 */
class ConnectionPool {
  private readonly idle: Connection[] = [];
  private readonly all = new Set<Connection>();
  private readonly waiting: Exchange[] = [];
  private open = 0;
  private closed = false;

  constructor(
    private readonly connect: (onBytes: (bytes: Buffer) => void) => Socket,
    private readonly maxSockets: number,
    private readonly timeoutMs: number,
  ) {}

  send(exchange: Exchange): void {
    if (this.closed) return exchange.fail(new TransportError('the connection to the server was closed', false));
    let connection = this.idle.pop();
    while (connection && (connection.ending || connection.socket.destroyed)) connection = this.idle.pop();
    connection ??= this.open < this.maxSockets ? this.openConnection() : undefined;
    if (connection) connection.start(exchange);
    else {
      exchange.queuedIn = this.waiting;
      this.waiting.push(exchange);
    }
  }

  /** The connection finished a response and may carry the next request. */
  reuse(connection: Connection): void {
    const next = this.takeWaiting();
    if (next) connection.start(next);
    else this.idle.push(connection);
  }

  /** The connection is gone (closed by either side): a waiting request gets a new one. */
  gone(connection: Connection): void {
    this.open--;
    this.all.delete(connection);
    const index = this.idle.indexOf(connection);
    if (index >= 0) this.idle.splice(index, 1);
    if (this.closed) return;
    const next = this.takeWaiting();
    if (next) this.openConnection().start(next);
  }

  close(): void {
    this.closed = true;
    for (const exchange of this.waiting.splice(0)) exchange.fail(new TransportError('the connection to the server was closed', false));
    for (const connection of [...this.all]) connection.socket.destroy();
  }

  private takeWaiting(): Exchange | undefined {
    const next = this.waiting.shift();
    if (next) next.queuedIn = null;
    return next;
  }

  private openConnection(): Connection {
    this.open++;
    const connection = new Connection(this.connect, this, this.timeoutMs);
    this.all.add(connection);
    return connection;
  }
}

class Connection {
  private exchange: Exchange | null = null;
  /** The server ended its side (an idle keep-alive timeout, say): the connection takes no new request. */
  ending = false;
  readonly socket: Socket;

  constructor(connect: (onBytes: (bytes: Buffer) => void) => Socket, private readonly pool: ConnectionPool, timeoutMs: number) {
    const socket = connect((bytes) => {
      if (this.exchange) this.exchange.received(bytes);
      else socket.destroy(); // bytes nobody asked for: the connection's state is unknown
    });
    this.socket = socket;
    // Idle time on the socket, as http.request's `timeout`: while a request waits for its answer, and while the connection sits unused.
    socket.setTimeout(timeoutMs);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 1000);
    socket.on('timeout', () => {
      if (this.exchange) this.exchange.timedOut();
      socket.destroy();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => this.exchange?.broke(error));
    socket.on('end', () => {
      this.ending = true;
    });
    socket.on('close', () => {
      this.ending = true;
      this.exchange?.closed();
      this.exchange = null;
      this.pool.gone(this);
    });
  }

  start(exchange: Exchange): void {
    this.exchange = exchange;
    exchange.connection = this;
    this.socket.write(exchange.bytes);
  }

  /** The exchange is over: `reusable` when its response ended cleanly on a keep-alive connection. */
  finished(reusable: boolean): void {
    this.exchange = null;
    if (reusable && !this.ending) this.pool.reuse(this);
    else this.socket.destroy();
  }
}

/** One request and its response, from the moment it is handed to the pool until it settles. */
class Exchange implements ResponseHandlers {
  connection: Connection | null = null;
  queuedIn: Exchange[] | null = null;
  onSettled: (() => void) | null = null;
  private settled = false;
  private readonly parser = new ResponseParser(this);
  private head: ResponseHead | null = null;
  private readonly pieces: Buffer[] = [];
  private readonly decoder: StringDecoder | null;
  private streamed = '';

  constructor(
    readonly bytes: Buffer,
    private readonly onData: ((text: string) => void) | null,
    private readonly resolve: (response: HttpResponse) => void,
    private readonly reject: (error: Error) => void,
    private readonly baseUrl: string,
    private readonly redact: (text: string) => string,
    private readonly timeoutMs: number,
  ) {
    this.decoder = onData ? new StringDecoder('utf8') : null;
  }

  received(chunk: Buffer): void {
    try {
      this.parser.push(chunk);
    } catch (error) {
      this.fail(new TransportError(`the server’s answer is not valid HTTP/1.1: ${this.redact((error as Error).message)}`, true, this.head?.status ?? null));
    }
  }

  onHead(head: ResponseHead): void {
    this.head = head;
    if (head.status >= 300 && head.status < 400) {
      // Following it could carry note text to another host; even the same host is not assumed.
      this.fail(new TransportError(`the server answered ${head.status} with a redirect to ${head.headers.location ?? '(no location)'}; redirects are never followed`, false, head.status));
    }
  }

  onBody(piece: Buffer): void {
    if (this.settled) return;
    if (this.decoder) {
      const text = this.decoder.write(piece);
      if (text) this.deliver(text);
    } else this.pieces.push(Buffer.from(piece)); // a copy: the read buffer is reused
  }

  onEnd(): void {
    if (this.settled) return;
    const head = this.head!;
    let body: string;
    if (this.decoder) {
      const rest = this.decoder.end();
      if (rest) this.deliver(rest);
      body = this.streamed;
    } else body = this.pieces.length === 1 ? this.pieces[0]!.toString('utf8') : Buffer.concat(this.pieces).toString('utf8');
    const reusable = head.keepAlive && !this.parser.extraBytes;
    this.settle();
    this.connection?.finished(reusable);
    const status = head.status;
    if (status === 429 || status >= 500) {
      const retryAfter = Number(head.headers['retry-after']);
      return this.reject(new TransportError(`the server answered ${status}: ${this.redact(snippet(body))}`, true, status, Number.isFinite(retryAfter) ? retryAfter : null));
    }
    this.resolve({ status, body });
  }

  /** The socket failed (reset, refused, TLS, a lookup refused). */
  broke(error: NodeJS.ErrnoException): void {
    if (error.code === 'ENOTLOOPBACK') return this.fail(new TransportError(error.message, false));
    if (this.head) return this.fail(new TransportError(`the response broke off: ${this.redact(error.message)}`, true, this.head.status));
    this.fail(new TransportError(`cannot reach ${this.baseUrl}: ${this.redact(error.code ?? error.message)}`, true));
  }

  /** The connection ended while this exchange was on it. */
  closed(): void {
    if (this.settled) return;
    if (this.parser.closed()) return; // a body that runs to the close has ended
    if (this.parser.started) this.fail(new TransportError('the server closed the connection before the response was complete', true, this.head?.status ?? null));
    // A kept-alive connection the server closed just as it was reused fails like this too: worth another try.
    else this.fail(new TransportError(`cannot reach ${this.baseUrl}: the server closed the connection without answering (ECONNRESET)`, true));
  }

  timedOut(): void {
    this.fail(new TransportError(`no answer within ${Math.round(this.timeoutMs / 1000)} s`, true));
  }

  cancel(): void {
    this.fail(abortError());
  }

  fail(error: Error): void {
    if (this.settled) return;
    this.settle();
    if (this.queuedIn) {
      const index = this.queuedIn.indexOf(this);
      if (index >= 0) this.queuedIn.splice(index, 1);
      this.queuedIn = null;
    }
    // The connection's state is unknown after a failure: it is not reused.
    this.connection?.finished(false);
    this.reject(error);
  }

  private settle(): void {
    this.settled = true;
    this.onSettled?.();
  }

  private deliver(text: string): void {
    this.streamed += text;
    try {
      this.onData!(text);
    } catch (error) {
      // The consumer's own error (a streamed chunk that is not JSON, say) is the request's: not an HTTP one.
      this.fail(error as Error);
    }
  }
}

function abortError(): Error {
  const error = new Error('the request was cancelled');
  error.name = 'AbortError';
  return error;
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(empty body)';
}
