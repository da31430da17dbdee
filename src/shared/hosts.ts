/**
 * Which hosts count as this machine (the DUA boundary of the server backend): the core refuses any other
 * host unless the user allowed it, and the run form asks for that confirmation when a URL's host is not
 * one of these. Pure code, shared so both sides decide alike.
 */

/** 127.0.0.0/8, ::1 (also IPv4-mapped) and the name localhost (the core checks what it resolves to). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) && v4.split('.').every((part) => Number(part) <= 255);
}

/** The host of a base URL as the core will check it (lower case, IPv6 without brackets); null when it is not a URL. */
export function hostOfUrl(url: string): string | null {
  try {
    return new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '') || null;
  } catch {
    return null;
  }
}
