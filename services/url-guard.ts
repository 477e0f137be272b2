// SSRF guard for the URLs the server will call on someone's behalf (webhook targets): https only, no credentials
// in the URL, and a host that is — and resolves only to — a public address. Loopback, private, link-local (cloud
// metadata at 169.254.169.254 and fd00:ec2::254), CGNAT, documentation, multicast and reserved ranges are refused,
// in IPv4 and IPv6, including IPv4 hidden in IPv6 (mapped, compatible, NAT64, 6to4).
//
// The caller must connect to the addresses returned, not resolve the name again: a second lookup could answer a
// private address (DNS rebinding).
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { DomainError } from '../domain/errors.js';

export type Lookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export interface SafeWebhookTarget {
  url: URL;
  /** The public addresses the host resolved to; connect to one of these. */
  addresses: string[];
}

export class UnsafeUrlError extends DomainError {
  constructor(
    readonly reason: string,
    detail: string,
  ) {
    super('unprocessable', `Alamat webhook tidak diizinkan / Webhook URL not allowed: ${detail}`, {
      type: 'https://pendamping.id/problems/unsafe-url',
      errors: [{ path: 'url', message: detail }],
    });
  }
}

const defaultLookup: Lookup = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

const maxUrlLength = 2048;
/** Names that are never public, whatever a resolver says. */
const internalNames =
  /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$|^metadata(\.google\.internal)?$/i;

type Range = [prefix: number[], bits: number];

// IANA special-purpose registries; each range as its leading bytes and prefix length.
const blockedV4: Range[] = [
  [[0], 8], // "this network"
  [[10], 8], // private
  [[100, 64], 10], // CGNAT (also Alibaba Cloud metadata, 100.100.100.200)
  [[127], 8], // loopback
  [[169, 254], 16], // link-local, cloud metadata
  [[172, 16], 12], // private
  [[192, 0, 0], 24], // IETF protocol assignments
  [[192, 0, 2], 24], // documentation
  [[192, 88, 99], 24], // 6to4 relay anycast
  [[192, 168], 16], // private
  [[198, 18], 15], // benchmarking
  [[198, 51, 100], 24], // documentation
  [[203, 0, 113], 24], // documentation
  [[224], 4], // multicast
  [[240], 4], // reserved, and 255.255.255.255
];

// Only global unicast (2000::/3) is routable on the internet, so everything outside it is refused already: loopback,
// unique local (fd00:ec2::254), link-local, multicast, local-use NAT64. These are the special ranges inside it.
const blockedGlobalV6: Range[] = [
  [[0x20, 0x01, 0x00], 23], // IETF protocol assignments (Teredo, ORCHID, ...)
  [[0x20, 0x01, 0x0d, 0xb8], 32], // documentation
  [[0x3f, 0xff], 20], // documentation
];
const globalUnicast: Range = [[0x20], 3];

function inRange(bytes: number[], [prefix, bits]: Range): boolean {
  for (let bit = 0; bit < bits; bit++) {
    const byte = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if ((bytes[byte]! & mask) !== ((prefix[byte] ?? 0) & mask)) return false;
  }
  return true;
}

function parseV4(address: string): number[] | null {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) return null;
  return parts.map(Number);
}

function parseV6(address: string): number[] | null {
  let text = address.toLowerCase();
  if (text.includes('%')) return null; // a zone id names a local interface
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text);
  if (dotted) {
    const v4 = parseV4(dotted[1]!);
    if (!v4) return null;
    text = `${text.slice(0, -dotted[1]!.length)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parse = (part: string) =>
    part === '' ? [] : part.split(':').map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? parseInt(g, 16) : NaN));
  const head = parse(halves[0]!);
  const tail = halves.length === 2 ? parse(halves[1]!) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 2 ? missing < 1 : missing !== 0) || [...head, ...tail].some(Number.isNaN)) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

/** The IPv4 address an IPv6 address carries, when it is one of the forms that reach an IPv4 host. */
function embeddedV4(bytes: number[]): number[] | null {
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12); // ::ffff:a.b.c.d mapped
  if (zeros(0, 12) && !zeros(12, 16)) return bytes.slice(12); // ::a.b.c.d compatible (deprecated)
  if (inRange(bytes, [[0x00, 0x64, 0xff, 0x9b], 96])) return bytes.slice(12); // 64:ff9b::/96 NAT64
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6); // 2002::/16 6to4
  return null;
}

/** Is this IP address (v4 or v6, as text) one the server may call? */
export function isPublicAddress(address: string): boolean {
  const v4 = parseV4(address);
  if (v4) return !blockedV4.some((r) => inRange(v4, r));
  const v6 = parseV6(address);
  if (!v6) return false;
  const carried = embeddedV4(v6);
  if (carried) return !blockedV4.some((r) => inRange(carried, r));
  return inRange(v6, globalUnicast) && !blockedGlobalV6.some((r) => inRange(v6, r));
}

/** Throws UnsafeUrlError (422) unless the URL is an https URL of a public host; answers the addresses to connect to. */
export async function assertSafeWebhookUrl(input: string, lookup: Lookup = defaultLookup): Promise<SafeWebhookTarget> {
  if (input.length > maxUrlLength)
    throw new UnsafeUrlError(
      'too_long',
      `lebih dari ${maxUrlLength} karakter / longer than ${maxUrlLength} characters`,
    );
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UnsafeUrlError('malformed', 'bukan URL yang sah / not a valid URL');
  }
  if (url.protocol !== 'https:') throw new UnsafeUrlError('not_https', 'hanya https / https only');
  if (url.username || url.password)
    throw new UnsafeUrlError(
      'credentials',
      'tanpa nama pengguna atau sandi di URL / no user name or password in the URL',
    );
  // The WHATWG parser already turned decimal, octal and hex IPv4 forms (https://2130706433/) into dotted quads.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === '') throw new UnsafeUrlError('malformed', 'tanpa host / no host');
  if (isIP(host)) {
    if (!isPublicAddress(host))
      throw new UnsafeUrlError('private_address', `${host} bukan alamat publik / ${host} is not a public address`);
    return { url, addresses: [host] };
  }
  if (internalNames.test(host) || !host.includes('.')) {
    throw new UnsafeUrlError('internal_name', `${host} adalah nama internal / ${host} is an internal name`);
  }
  let resolved: { address: string }[];
  try {
    resolved = await lookup(host);
  } catch {
    throw new UnsafeUrlError('unresolvable', `${host} tidak dapat di-resolve / ${host} does not resolve`);
  }
  if (resolved.length === 0)
    throw new UnsafeUrlError('unresolvable', `${host} tidak dapat di-resolve / ${host} does not resolve`);
  const privateOne = resolved.find((r) => !isPublicAddress(r.address));
  if (privateOne) {
    throw new UnsafeUrlError(
      'private_address',
      `${host} mengarah ke ${privateOne.address}, bukan alamat publik / ${host} resolves to ${privateOne.address}, not a public address`,
    );
  }
  return { url, addresses: resolved.map((r) => r.address) };
}
