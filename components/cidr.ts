// IPv4 CIDR arithmetic: pure functions, no Pulumi resources. Shared by config validation and network
// planning so both agree on what a block is.

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly base: number;
  readonly prefix: number;
}

const OCTET = "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const CIDR_RE = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}/(3[0-2]|[12]?\\d)$`);

/** Parses `a.b.c.d/n`; returns undefined for anything else, including host bits set (10.0.0.1/16). */
export function parseCidr(text: string): Cidr | undefined {
  const match = CIDR_RE.exec(text);
  if (!match) return undefined;
  const [a, b, c, d, p] = match.slice(1).map(Number) as [number, number, number, number, number];
  const base = (((a << 24) >>> 0) + (b << 16) + (c << 8) + d) >>> 0;
  if (base % size(p) !== 0) return undefined;
  return { base, prefix: p };
}

export function formatCidr({ base, prefix }: Cidr): string {
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}`;
}

/** Number of addresses in a block of the given prefix length. */
export function size(prefix: number): number {
  return 2 ** (32 - prefix);
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner.prefix) <= outer.base + size(outer.prefix);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b.prefix) && b.base < a.base + size(a.prefix);
}

const PRIVATE_RANGES = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"].map((r) => parseCidr(r)!);

/** True when the block lies inside one of the RFC 1918 private ranges. */
export function isPrivate(cidr: Cidr): boolean {
  return PRIVATE_RANGES.some((range) => contains(range, cidr));
}

/**
 * True when the blocks written in `cidrs` cover all 2^32 addresses together, overlaps counted once: the
 * whole internet, whether written 0.0.0.0/0 or 0.0.0.0/1 plus 128.0.0.0/1. Malformed entries count for
 * nothing (validation reports them).
 */
export function coversEveryAddress(cidrs: readonly string[]): boolean {
  const ranges = cidrs
    .map((text) => parseCidr(text))
    .filter((b): b is Cidr => b !== undefined)
    .map((b) => [b.base, b.base + size(b.prefix)] as const)
    .sort((a, b) => a[0] - b[0]);
  let end = 0;
  for (const [from, to] of ranges) {
    if (from > end) return false;
    end = Math.max(end, to);
  }
  return end === size(0);
}
