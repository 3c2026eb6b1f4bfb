// What the reports of a review are made from, shared by the terminal summary, the Markdown and the HTML: the
// stack's identity from its config, each resource's top-level component, the counts per component and per
// type, and readable labels for URNs (also for resources the report no longer holds, such as removed ones).
import type { CheckResult } from "./check-types";
import type { RecordedResource } from "./engine";
import type { PolicyResult } from "./policy-runner";
import type { Rendering } from "./render";
import type { Estimate, ReviewDiff } from "./report-types";

/** What the reports read of a review record (review/out/<stack>.json); the estimate and the diff are optional. */
export interface ReportInput {
  stack: string;
  project: string;
  config: Record<string, unknown>;
  resources: readonly RecordedResource[];
  policies: readonly PolicyResult[];
  estimate?: Estimate;
  diff?: ReviewDiff;
  rendering?: Rendering;
  checks?: readonly CheckResult[];
}

/** The group of resources created directly by the program rather than by a component (the providers). */
export const STACK_GROUP = "(stack)";

/** A `platform:<key>` setting of the stack (`cloud`, `environment`), or "?" when it is not text. */
export function setting(report: Pick<ReportInput, "config" | "project">, key: string): string {
  const value = report.config[`${report.project}:${key}`];
  return typeof value === "string" ? value : "?";
}

/** The type and name a URN holds: its last type is the resource's own (those before it are its parents'). */
export function urnParts(urn: string): { type: string; name: string } {
  const [, , types = "", ...name] = urn.split("::");
  return { type: types.split("$").pop() ?? types, name: name.join("::") };
}

/** "aws:rds/instance:Instance platform-db" from a URN. */
export function urnLabel(urn: string): string {
  const { type, name } = urnParts(urn);
  return `${type} ${name}`;
}

/** A resource's label: its type and name, from the record when it holds the resource, else from the URN. */
export function labelOf(urn: string, byUrn: ReadonlyMap<string, RecordedResource>): string {
  const resource = byUrn.get(urn);
  return resource ? `${resource.type} ${resource.name}` : urnLabel(urn);
}

export const byUrnOf = (resources: readonly RecordedResource[]): Map<string, RecordedResource> => new Map(resources.map((r) => [r.urn, r]));

/** The top-level component a resource belongs to (the stack's direct child above it), or "(stack)". */
export function ownerOf(resource: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string {
  let current = resource;
  for (;;) {
    const parent = current.parent ? byUrn.get(current.parent) : undefined;
    if (!parent) return STACK_GROUP;
    if (!parent.parent) return current.custom ? STACK_GROUP : `${current.type} ${current.name}`;
    current = parent;
  }
}

/** Every resource but the stack itself: what the counts of a review are about. */
export const counted = (resources: readonly RecordedResource[]): RecordedResource[] => resources.filter((r) => r.parent !== null);

/** Resources per top-level component and per type, each sorted by name. */
export function inventory(resources: readonly RecordedResource[]): { byComponent: [string, number][]; byType: [string, number][] } {
  const byUrn = byUrnOf(resources);
  const byComponent = new Map<string, number>();
  const byType = new Map<string, number>();
  for (const r of counted(resources)) {
    const key = ownerOf(r, byUrn);
    byComponent.set(key, (byComponent.get(key) ?? 0) + 1);
    byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
  }
  const sorted = (counts: Map<string, number>) => [...counts].sort(([a], [b]) => a.localeCompare(b));
  return { byComponent: sorted(byComponent), byType: sorted(byType) };
}

/** "$1,234.50": dollars with cents and thousands separators, as the estimate's lines are written. */
export function usd(amount: number): string {
  const cents = Math.round(amount * 100);
  const dollars = (Math.abs(cents) / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${cents < 0 ? "-" : ""}$${dollars}`;
}

/** A cost difference with its sign: "+$12.00", "-$3.10", "$0.00". */
export const usdDelta = (amount: number): string => (Math.round(amount * 100) > 0 ? `+${usd(amount)}` : usd(amount));
