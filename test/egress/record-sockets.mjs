/* global process */
// Preloaded into every medbench process of the egress test (NODE_OPTIONS=--import): records each
// outgoing connection, datagram, DNS lookup and fetch to the file named by MEDBENCH_SOCKET_LOG.
import dgram from 'node:dgram';
import dns from 'node:dns';
import fs from 'node:fs';
import net from 'node:net';

const log = process.env.MEDBENCH_SOCKET_LOG;
const record = (kind, target) => {
  if (log) fs.appendFileSync(log, `${JSON.stringify({ kind, target, pid: process.pid })}\n`);
};

const describe = (args) => {
  const [first, second] = args;
  if (Array.isArray(first)) return describe(first);
  if (first && typeof first === 'object') return first.path ?? `${first.host ?? 'localhost'}:${first.port}`;
  if (typeof first === 'string' && Number.isNaN(Number(first))) return first;
  return `${typeof second === 'string' ? second : 'localhost'}:${first}`;
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  record('connect', describe(args));
  return connect.apply(this, args);
};
for (const method of ['send', 'connect']) {
  const original = dgram.Socket.prototype[method];
  dgram.Socket.prototype[method] = function (...args) {
    const port = args.find((arg) => typeof arg === 'number');
    const host = args.find((arg, i) => i > 0 && typeof arg === 'string');
    record(`udp-${method}`, `${host ?? 'localhost'}:${port}`);
    return original.apply(this, args);
  };
}
const lookup = dns.lookup;
dns.lookup = function (hostname, ...rest) {
  record('dns', hostname);
  return lookup.call(this, hostname, ...rest);
};
const promisesLookup = dns.promises.lookup;
dns.promises.lookup = function (hostname, ...rest) {
  record('dns', hostname);
  return promisesLookup.call(this, hostname, ...rest);
};
if (typeof globalThis.fetch === 'function') {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = function (input, ...rest) {
    record('fetch', String(input?.url ?? input));
    return originalFetch.call(this, input, ...rest);
  };
}
