import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

export interface RawRequest {
  head: string;
  body: string;
  connection: number;
}
export type RawHandler = (socket: net.Socket, request: RawRequest) => void;

/**
 * A server on 127.0.0.1 that reads each request (head and Content-Length body, several per connection)
 * and hands it to `handler`, which answers with raw bytes: for tests of the server backend's HTTP client.
 * `tlsFiles`: the certificate and key to serve https with.
 */
export async function rawHttpServer(handler: RawHandler, tlsFiles?: { cert: string; key: string }) {
  const requests: RawRequest[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const onSocket = (socket: net.Socket) => {
    const connection = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buffered.toString('latin1', 0, end);
        const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = { head, body: buffered.toString('utf8', end + 4, end + 4 + length), connection };
        buffered = buffered.subarray(end + 4 + length);
        requests.push(request);
        handler(socket, request);
      }
    });
  };
  const server = tlsFiles ? tls.createServer({ cert: fs.readFileSync(tlsFiles.cert), key: fs.readFileSync(tlsFiles.key) }, onSocket) : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const close = () => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { port, requests, connections: () => connections, openSockets: () => sockets.size, close };
}
