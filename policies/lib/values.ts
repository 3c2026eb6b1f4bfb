// Defensive readers for resource inputs. Inputs are JSON from the engine: a field may be missing, hold a
// secret placeholder, or (for provider resources and IAM documents) be JSON text. These never throw on
// a shape they do not expect; they answer "not set" instead, and the policy reports what it needs.

/** The value if it is an array, else an empty list. */
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** The value if it is a string, else undefined. */
export const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The value if it is a plain object, else an empty one. */
export function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** The strings of a value that is one string or a list of them (IAM's Action, Resource, ...). */
export function strings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  return list(value).filter((v): v is string => typeof v === "string");
}

/** Parses JSON text (IAM documents, provider inputs); objects pass through; anything else is undefined. */
export function json(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
}

/** True for an address block that matches every address: 0.0.0.0/0, ::/0. */
export const isWorld = (cidr: unknown): boolean => typeof cidr === "string" && /^(0\.0\.0\.0|::)\/0$/.test(cidr.trim());

/**
 * An IPv4 block as its prefix, first address and address count; undefined for anything else (IPv6, host
 * bits, typos). The pack is published on its own (`pulumi policy publish policies`), so it keeps this
 * small parser rather than importing components/cidr.ts from outside its folder.
 */
export function ipv4Block(cidr: string): { prefix: number; first: number; count: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return undefined;
  const [a, b, c, d, prefix] = match.slice(1).map(Number) as [number, number, number, number, number];
  if ([a, b, c, d].some((o) => o > 255) || prefix > 32) return undefined;
  const count = 2 ** (32 - prefix);
  const first = ((a * 256 + b) * 256 + c) * 256 + d;
  return first % count === 0 ? { prefix, first, count } : undefined;
}

/** True when IPv4 blocks together cover every address: 0.0.0.0/0, or the same written in pieces (0.0.0.0/1 + 128.0.0.0/1). */
export function coversEveryAddress(cidrs: readonly string[]): boolean {
  const ranges = cidrs.flatMap((c) => ipv4Block(c) ?? []).sort((x, y) => x.first - y.first);
  let end = 0;
  for (const { first, count } of ranges) {
    if (first > end) return false;
    end = Math.max(end, first + count);
  }
  return end === 2 ** 32;
}

/** A non-empty string. */
export const isSet = (value: unknown): boolean => typeof value === "string" && value.trim() !== "";

/** "a, b and c" */
export function sentence(items: readonly string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]!}`;
}

/** The IAM statements of a policy document given as JSON text or as an object. */
export interface Statement {
  Sid?: unknown;
  Effect?: unknown;
  Principal?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Resource?: unknown;
  NotResource?: unknown;
  Condition?: unknown;
}

export function statements(document: unknown): Statement[] {
  const parsed = record(json(document));
  const statement = parsed.Statement;
  return (Array.isArray(statement) ? statement : statement === undefined ? [] : [statement]).map((s) => record(s));
}

/** A statement's label for messages: its Sid, or its position. */
export const statementLabel = (s: Statement, index: number): string =>
  typeof s.Sid === "string" && s.Sid ? `statement ${s.Sid}` : `statement ${index + 1}`;
