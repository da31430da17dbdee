import { isLoopbackHost } from '../../../../shared/hosts';
import { UserError } from '../../../errors';

export { isLoopbackHost };

/**
 * The DUA boundary of the server backend, decided before any connection: note text may go to a
 * loopback address, or to a host the user named (--allow-host, or confirmed in the UI), which the
 * manifest and the audit log record with every run. Plain http to a non-loopback host also needs
 * --allow-insecure. Pure code: nothing here touches the network.
 */
export class EndpointRefusedError extends UserError {}

export interface EndpointPolicy {
  baseUrl: string;
  /** Host names (or host:port) the user allows beside loopback. */
  allowHosts: readonly string[];
  allowInsecure: boolean;
}

export interface Endpoint {
  /** The base URL without credentials, query or fragment, without a trailing slash (e.g. http://127.0.0.1:8000/v1). */
  baseUrl: string;
  protocol: 'http:' | 'https:';
  /** Host name as written (lower case, IPv6 without brackets). */
  host: string;
  port: number;
  loopback: boolean;
  /** The allow-list entry that let a non-loopback host through; null for loopback. */
  allowedBy: string | null;
  insecure: boolean;
}

/** Whether a resolved address (what a socket will really connect to) is loopback. */
export function isLoopbackAddress(address: string): boolean {
  return address !== 'localhost' && isLoopbackHost(address);
}

export function resolveEndpoint(policy: EndpointPolicy): Endpoint {
  let url: URL;
  try {
    url = new URL(policy.baseUrl);
  } catch {
    throw new EndpointRefusedError(`--base-url ${JSON.stringify(policy.baseUrl)} is not a URL; expected e.g. http://127.0.0.1:8000/v1`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new EndpointRefusedError(`--base-url must be http:// or https://, not ${url.protocol}`);
  // A password in the URL would end up in the settings, the manifest and every log line.
  if (url.username || url.password) throw new EndpointRefusedError('--base-url must not contain a user name or password; put the API key in an environment variable and name it with --api-key-env');
  if (url.search || url.hash) throw new EndpointRefusedError('--base-url must not have a query or fragment');
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  const loopback = isLoopbackHost(host);
  const allowedBy = loopback ? null : (policy.allowHosts.find((entry) => allowEntryMatches(entry, host, port)) ?? null);
  if (!loopback && allowedBy === null) {
    throw new EndpointRefusedError(
      `refusing to send note text to ${host}:${port}: it is not a loopback address. Only a server inside your institution may receive MIMIC notes ` +
        `(PhysioNet DUA); if ${host} is one, name it with --allow-host ${host} (it is recorded in the run manifest and the audit log). Nothing was sent.`,
    );
  }
  const insecure = url.protocol === 'http:';
  if (insecure && !loopback && !policy.allowInsecure) {
    throw new EndpointRefusedError(
      `refusing plain http to ${host}:${port}: note text would cross the network unencrypted. Use https://, or pass --allow-insecure if the link is protected otherwise (e.g. an SSH tunnel or an isolated network). Nothing was sent.`,
    );
  }
  const pathname = url.pathname.replace(/\/+$/, '');
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    baseUrl: `${url.protocol}//${shownHost}${url.port ? `:${url.port}` : ''}${pathname}`,
    protocol: url.protocol,
    host,
    port,
    loopback,
    allowedBy,
    insecure,
  };
}

function allowEntryMatches(entry: string, host: string, port: number): boolean {
  const value = entry.trim().toLowerCase();
  if (!value) return false;
  // "host:port" pins the port too; a bare host allows any port of it. IPv6 entries are written in brackets for a port.
  const withPort = /^\[(.+)\]:(\d+)$/.exec(value) ?? (/^([^:]+):(\d+)$/.exec(value) as RegExpExecArray | null);
  if (withPort) return withPort[1] === host && Number(withPort[2]) === port;
  return value.replace(/^\[|\]$/g, '') === host;
}

/** The facts the manifest and audit log keep about where note text went (never a key). */
export function endpointFacts(endpoint: Endpoint): Record<string, unknown> {
  return { baseUrl: endpoint.baseUrl, host: endpoint.host, port: endpoint.port, loopback: endpoint.loopback, allowedBy: endpoint.allowedBy, insecure: endpoint.insecure };
}
