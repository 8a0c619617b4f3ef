/**
 * The guard against server-side request forgery: notification endpoints and remote @context URLs
 * must not reach loopback, link-local, private or otherwise non-public addresses unless an operator
 * allowed them (`--allow-private-endpoints`: addresses, CIDR ranges or host names).
 *
 * Two uses. `vet(uri)` checks a URI when a subscription is written (best effort: a literal private
 * address or a name that resolves only to refused addresses is a 400; a name that does not resolve
 * passes, it may exist later). `lookup` and `checkAddress` guard the connection itself: `lookup`
 * replaces DNS resolution in `net.connect` / `tls.connect`, so the address checked is the address
 * connected to (no window for DNS rebinding between a check and the connect); `checkAddress` is for
 * literal IP hosts, which sockets connect to without any lookup.
 */
import { promises as dns, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { NgsiError } from '../../core/errors.js';
import type { EndpointPolicy } from '../notify/contracts.js';

/** Resolves a host name to all its addresses (as `dns.lookup` with `all: true`). */
export type Resolver = (host: string, family?: number) => Promise<LookupAddress[]>;

/** Settings of an AddressGuard; every field has a default. */
export interface AddressGuardOptions {
  /** Addresses, CIDR ranges and host names that may be reached although private (default none). */
  readonly allow?: readonly string[];
  /** Name resolution (default `dns.lookup` with `all: true`); tests inject their own. */
  readonly resolve?: Resolver;
  /** How long `vet` waits for DNS before letting a name pass, in ms (default 2,000). */
  readonly vetTimeoutMs?: number;
  /** How long the addresses of allowed host names are reused, in ms (default 30,000). */
  readonly allowedNamesTtlMs?: number;
}

/** A connection refused by the guard; `code` lets socket users tell it from network errors. */
export class AddressRefusedError extends Error {
  readonly code = 'ERR_ADDRESS_REFUSED';
  constructor(
    readonly host: string,
    readonly address: string,
    readonly range: string,
  ) {
    super(
      host === address
        ? `${address} is a ${range} address, refused (allow it with --allow-private-endpoints)`
        : `${host} resolves to ${address}, a ${range} address, refused (allow it with --allow-private-endpoints)`,
    );
    this.name = 'AddressRefusedError';
  }
}

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * The special-purpose range a non-public address belongs to (`loopback`, `private`, `linkLocal`,
 * `uniqueLocal`, `carrierGradeNat`, `multicast`, `unspecified`, `broadcast`, `reserved`…), or
 * undefined for a public unicast address. IPv4 forms embedded in IPv6 (mapped `::ffff:a.b.c.d`,
 * NAT64 `64:ff9b::a.b.c.d`) are judged by their IPv4 address; IPv4-compatible `::a.b.c.d` is refused.
 */
export function nonPublicRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  return rangeOf(ipaddr.parse(address));
}

function rangeOf(ip: Address): string | undefined {
  if (ip.kind() === 'ipv4') {
    const range = ip.range();
    return range === 'unicast' ? undefined : range;
  }
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return rangeOf(v6.toIPv4Address());
  const range = v6.range();
  const parts = v6.parts;
  if (
    range === 'rfc6052' &&
    parts[0] === 0x64 &&
    parts[1] === 0xff9b &&
    parts.slice(2, 6).every((p) => p === 0)
  )
    return rangeOf(ipaddr.fromByteArray(v6.toByteArray().slice(12)));
  if (range !== 'unicast') return range;
  // ::a.b.c.d (deprecated IPv4-compatible): no public service lives there.
  if (parts.slice(0, 6).every((p) => p === 0)) return 'ipv4Compatible';
  return undefined;
}

/** The host of a URL or socket option without IPv6 brackets, lower-cased, without a trailing dot. */
export function bareHost(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h.toLowerCase().replace(/\.$/, '');
}

/** Normalised text of an address, the same for `::ffff:1.2.3.4` and `1.2.3.4`. */
function normal(ip: Address): string {
  return ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
    ? (ip as ipaddr.IPv6).toIPv4Address().toString()
    : ip.toNormalizedString();
}

const defaultResolve: Resolver = (host, family) =>
  dns.lookup(host, { all: true, verbatim: true, family: family ?? 0 });

/** The SSRF guard; one per process, built from `config.allowPrivateEndpoints`. */
export class AddressGuard implements EndpointPolicy {
  private readonly ranges: Array<[Address, number]> = [];
  private readonly names = new Set<string>();
  private readonly resolve: Resolver;
  private readonly vetTimeoutMs: number;
  private readonly namesTtlMs: number;
  private allowedAddresses?: { set: Set<string>; expires: number; pending?: Promise<Set<string>> };

  constructor(options: AddressGuardOptions = {}) {
    for (const item of options.allow ?? []) {
      if (item.includes('/')) this.ranges.push(ipaddr.parseCIDR(item));
      else if (ipaddr.isValid(bareHost(item))) {
        const ip = ipaddr.parse(bareHost(item));
        this.ranges.push([ip, ip.kind() === 'ipv4' ? 32 : 128]);
      } else this.names.add(bareHost(item));
    }
    this.resolve = options.resolve ?? defaultResolve;
    this.vetTimeoutMs = options.vetTimeoutMs ?? 2_000;
    this.namesTtlMs = options.allowedNamesTtlMs ?? 30_000;
  }

  /**
   * Resolves when `address` may be connected to (as reached through `host`, default the address
   * itself); rejects with AddressRefusedError otherwise.
   */
  async checkAddress(address: string, host: string = address): Promise<void> {
    const refusal = await this.refusal(address, host);
    if (refusal) throw refusal;
  }

  /** The addresses of `host` that may be connected to; rejects when there is none. */
  async resolveAllowed(host: string, family?: number): Promise<LookupAddress[]> {
    const name = bareHost(host);
    const found = isIP(name) ? [{ address: name, family: isIP(name) }] : await this.resolve(name, family);
    const allowed: LookupAddress[] = [];
    let first: AddressRefusedError | undefined;
    for (const a of found) {
      const refusal = await this.refusal(a.address, name);
      if (refusal) first ??= refusal;
      else allowed.push(a);
    }
    if (allowed.length > 0) return allowed;
    throw first ?? Object.assign(new Error(`${name} has no address`), { code: 'ENOTFOUND' });
  }

  /**
   * A drop-in for the `lookup` option of `net.connect` / `tls.connect` (and undici's connector):
   * resolves, drops refused addresses, and fails the connection when none is left.
   */
  readonly lookup: LookupFunction = (hostname: string, options: LookupOptions, callback) => {
    this.resolveAllowed(hostname, typeof options.family === 'number' ? options.family : undefined).then(
      (addresses) => {
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, options.all ? [] : '', undefined),
    );
  };

  /**
   * EndpointPolicy: refuse (400 BadRequestData) a URI whose host is a refused literal address or a
   * name that resolves only to refused addresses. Names that do not resolve (yet) pass; the
   * connection is checked again when it is made.
   */
  async vet(uri: string): Promise<void> {
    if (!URL.canParse(uri)) throw new NgsiError('BadRequestData', `Invalid endpoint URI ${uri}`);
    const host = bareHost(new URL(uri).hostname);
    if (host === '') throw new NgsiError('BadRequestData', `Endpoint URI ${uri} has no host`);
    if (isIP(host)) {
      const refusal = await this.refusal(host, host);
      if (refusal) throw refused(uri, refusal);
      return;
    }
    // A refusal is the answer; a name that does not resolve (yet), or DNS too slow to tell, passes:
    // the connection is checked again when it is made.
    const check = this.resolveAllowed(host).then(
      () => undefined,
      (error: unknown) => (error instanceof AddressRefusedError ? error : undefined),
    );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), this.vetTimeoutMs);
    });
    const refusal = await Promise.race([check, timeout]).finally(() => clearTimeout(timer));
    if (refusal) throw refused(uri, refusal);
  }

  /** Why `address` may not be reached through `host`, or undefined when it may. */
  private async refusal(address: string, host: string): Promise<AddressRefusedError | undefined> {
    const bare = bareHost(address);
    if (!ipaddr.isValid(bare)) return new AddressRefusedError(host, address, 'invalid');
    const ip = ipaddr.parse(bare);
    const range = rangeOf(ip);
    if (range === undefined) return undefined;
    if (this.inAllowedRanges(ip)) return undefined;
    if (this.names.size > 0) {
      if (this.names.has(bareHost(host))) return undefined;
      if ((await this.namedAddresses()).has(normal(ip))) return undefined;
    }
    return new AddressRefusedError(host, bare, range);
  }

  private inAllowedRanges(ip: Address): boolean {
    const v4 =
      ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()
        ? (ip as ipaddr.IPv6).toIPv4Address()
        : undefined;
    for (const [net, bits] of this.ranges) {
      for (const candidate of v4 ? [ip, v4] : [ip]) {
        if (candidate.kind() === net.kind() && candidate.match(net, bits)) return true;
      }
    }
    return false;
  }

  /** What the allowed host names resolve to now (cached for a short while). */
  private async namedAddresses(): Promise<Set<string>> {
    const cached = this.allowedAddresses;
    if (cached && cached.expires > Date.now()) return cached.set;
    if (cached?.pending) return cached.pending;
    const pending = (async () => {
      const set = new Set<string>();
      for (const name of this.names) {
        const found = await this.resolve(name).catch(() => [] as LookupAddress[]);
        for (const a of found) if (ipaddr.isValid(a.address)) set.add(normal(ipaddr.parse(a.address)));
      }
      this.allowedAddresses = { set, expires: Date.now() + this.namesTtlMs };
      return set;
    })();
    this.allowedAddresses = { set: cached?.set ?? new Set(), expires: 0, pending };
    return pending;
  }
}

function refused(uri: string, error: AddressRefusedError): NgsiError {
  return new NgsiError('BadRequestData', `Endpoint ${uri} is not allowed: ${error.message}`);
}
